package dev.mfagate.gateway;

import dev.mfagate.core.testing.TestSeeds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for registered secrets in text the gateway wrote (logs, process output, audit exports).
 *
 * <p><b>Codes</b> match as whole digit runs, {@code (?<![0-9])CODE(?![0-9])}, after timestamps
 * (ISO-8601 instants, {@code HH:mm:ss.SSS} log times), {@code zulip_user_id} numbers, {@code instance_id} values (host:pid)
 * audit chain MACs in hex ({@code "mac"} fields, {@code SEQ:MAC} anchors) and identity hash codes after {@code @} are blanked: their digit runs are formatted numbers of known meaning, and leaving them in would
 * make a six-digit code match a microsecond fraction about once in a million lines.
 * <b>Seeds</b> match as text: the first 16 characters of their base32 (upper- and lower-case) and
 * base64 forms, and the first 20 of their hex form (either case), so a truncated seed is caught too.
 *
 * <p>A {@link Finding} names the file, line and kind of secret, never the secret itself, so a
 * failing scan does not leak what it found. Immutable and thread-safe.
 */
final class SecretScanner {

    /** Where a secret was found; deliberately without the secret. */
    record Finding(Path file, long line, String kind) {
        @Override
        public String toString() {
            return file + ":" + line + " holds a " + kind;
        }
    }

    private static final Pattern BENIGN_NUMBERS = Pattern.compile(String.join("|",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
            "(?<![0-9])[0-9]{2}:[0-9]{2}:[0-9]{2}[.,][0-9]{3}(?![0-9])",
            "instance_id\\\\?\"\\s*:\\s*\\\\?\"[^\"\\\\]*",
            // Audit chain MACs in hex (audit lines, anchors): a six-digit run in one can equal a code.
            "mac\\\\?\"\\s*:\\s*\\\\?\"[0-9a-f]*",
            "(?<![0-9])[0-9]+:[0-9a-f]{16,}",
            // Zulip user ids are numbers the tests pick; a six-digit one can equal an issued code.
            "zulip_user_id\\\\?\"\\s*:\\s*[0-9]+",
            // Identity hash codes in objects' default names (a pool's connection, a thread factory).
            "@[0-9a-f]{1,8}(?![0-9A-Za-z])"));
    private static final Pattern DIGIT_RUN = Pattern.compile("[0-9]+");
    private static final int KEY_LENGTH = 12;

    private record Needle(String text, String kind) {
    }

    private final Set<String> codes;
    private final Map<String, List<Needle>> needlesByKey = new HashMap<>();

    /** A scanner for everything in {@code registry}. */
    SecretScanner(SecretRegistry.Contents registry) {
        this.codes = Set.copyOf(registry.codes());
        for (String hex : registry.seedsHex()) {
            byte[] secret = HexFormat.of().parseHex(hex);
            String b32 = TestSeeds.base32(secret);
            add(prefix(b32, 16), "seed (base32)");
            add(prefix(b32.toLowerCase(Locale.ROOT), 16), "seed (base32, lower-case)");
            add(prefix(hex.toLowerCase(Locale.ROOT), 20), "seed (hex)");
            add(prefix(hex.toUpperCase(Locale.ROOT), 20), "seed (hex, upper-case)");
            add(prefix(Base64.getEncoder().withoutPadding().encodeToString(secret), 16), "seed (base64)");
            add(prefix(Base64.getUrlEncoder().withoutPadding().encodeToString(secret), 16), "seed (base64url)");
        }
    }

    private void add(String text, String kind) {
        if (text.length() < KEY_LENGTH) {
            throw new IllegalArgumentException("A registered seed is too short to scan for (under " + KEY_LENGTH + " characters)");
        }
        List<Needle> same = needlesByKey.computeIfAbsent(text.substring(0, KEY_LENGTH), k -> new ArrayList<>());
        // Two forms can coincide (hex without letters, base64 without + or /): report such text once, as the first form.
        if (same.stream().noneMatch(n -> n.text().equals(text))) {
            same.add(new Needle(text, kind));
        }
    }

    /** Every registered secret in {@code file}, line by line. */
    List<Finding> scan(Path file) throws IOException {
        List<Finding> out = new ArrayList<>();
        // InputStreamReader replaces malformed input rather than failing: the scan reads whatever was written.
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                for (String kind : kindsIn(line)) {
                    out.add(new Finding(file, n, kind));
                }
            }
        }
        return out;
    }

    /** The kinds of registered secret in one line of text, once each. */
    List<String> kindsIn(String line) {
        List<String> kinds = new ArrayList<>();
        if (!codes.isEmpty()) {
            Matcher m = DIGIT_RUN.matcher(BENIGN_NUMBERS.matcher(line).replaceAll("_"));
            while (m.find()) {
                if (codes.contains(m.group())) {
                    kinds.add("code");
                    break;
                }
            }
        }
        for (int i = 0; i + KEY_LENGTH <= line.length(); i++) {
            List<Needle> candidates = needlesByKey.get(line.substring(i, i + KEY_LENGTH));
            if (candidates == null) {
                continue;
            }
            for (Needle needle : candidates) {
                if (line.startsWith(needle.text(), i) && !kinds.contains(needle.kind())) {
                    kinds.add(needle.kind());
                }
            }
        }
        return kinds;
    }

    private static String prefix(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }
}
