package dev.mfagate.bot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects every code the tests saw and every credential they used, and finds any of them in text:
 * the bot's log file, messages left in Zulip. A code counts only as a standalone run of digits, so that
 * a nanosecond timestamp does not match by chance; before that, numbers of known meaning are blanked
 * (ISO-8601 instants, whose microsecond fraction is itself a six-digit run, long hex such as audit MACs,
 * and identity hash codes after {@code @}), since a six-digit run in one of them equals a recorded code
 * about once in a million.
 */
final class SecretScan {
    static final Set<String> CODES = ConcurrentHashMap.newKeySet();
    static final Set<String> CREDENTIALS = ConcurrentHashMap.newKeySet();
    private static final Pattern CODE_IN_REPLY = Pattern.compile("`(\\d{6,8})`");
    private static final Pattern BENIGN_NUMBERS = Pattern.compile(String.join("|",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
            "(?<![0-9A-Za-z])[0-9a-f]{16,}(?![0-9A-Za-z])",
            "@[0-9a-f]{1,8}(?![0-9A-Za-z])"));

    private SecretScan() {
    }

    /** Records the codes shown in a reply and returns the first. */
    static List<String> recordCodes(String reply) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE_IN_REPLY.matcher(reply);
        while (m.find()) {
            out.add(m.group(1));
        }
        CODES.addAll(out);
        return out;
    }

    /** Every finding of a recorded code or credential in {@code texts}, described without the secret itself. */
    static List<String> findings(String where, Collection<String> texts) {
        return findings(where, texts, CODES, CREDENTIALS);
    }

    /** Every finding of one of {@code codes} or {@code credentials} in {@code texts}. */
    static List<String> findings(String where, Collection<String> texts, Collection<String> codes, Collection<String> credentials) {
        List<String> found = new ArrayList<>();
        int i = 0;
        for (String t : texts) {
            String numbers = BENIGN_NUMBERS.matcher(t).replaceAll("_");
            for (String code : codes) {
                if (Pattern.compile("(?<!\\d)" + code + "(?!\\d)").matcher(numbers).find()) {
                    found.add(where + " #" + i + " holds a code");
                }
            }
            for (String c : credentials) {
                if (t.contains(c)) {
                    found.add(where + " #" + i + " holds a credential");
                }
            }
            i++;
        }
        return found;
    }

    /** The test log file's lines. */
    static List<String> logLines() throws Exception {
        Path log = Path.of(System.getProperty("mfagate.bot.test.log", "target/bot-test.log"));
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
}
