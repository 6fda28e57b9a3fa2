package dev.mfagate.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The one definition of a seed label, {@code <client>-<service>}: the gateway's {@code core.Label}, the bot's
 * {@code RequestedLabel} and the OpenAPI document's {@code ClientPart}, {@code ServicePart} and {@code Label}
 * schemas all follow it (the document is pinned to the constants here by a test).
 *
 * <p>The rule: labels are case-insensitive and kept lower-case; the first dash splits client from service;
 * the client part is {@code [a-z0-9][a-z0-9_.]*} (no dash), the service part {@code [a-z0-9][a-z0-9_.-]*}
 * without {@code ..}; each part is 1 to {@value #MAX_PART_LENGTH} characters. Only ASCII: the text is checked
 * before it is lower-cased, and only {@code A-Z} are lower-cased, so a character that a Unicode case mapping
 * would turn into an ASCII letter (KELVIN SIGN U+212A → {@code k}, the dotted capital I U+0130, full-width
 * letters) is refused, never folded into another label.
 *
 * <p>The regular expressions accept the text as a caller may send it (ASCII letters of either case) and use
 * only syntax that Java and ECMA-262 (JSON Schema's dialect) read alike. Error messages name the part and the
 * rule; they echo the value only when it is short printable ASCII, so a label error never carries arbitrary
 * input (a pasted code or secret) into a log.
 *
 * <p>Stateless and thread-safe.
 */
public final class LabelGrammar {

    /** The longest a client or service part may be, in characters. */
    public static final int MAX_PART_LENGTH = 64;
    /** The longest a whole label may be: two parts and the dash. */
    public static final int MAX_LABEL_LENGTH = 2 * MAX_PART_LENGTH + 1;

    /**
     * The end of the text: "no character follows". Not {@code $}, which Java's regex (and so every JDK-based
     * JSON Schema validator, which searches with {@code find()}) also matches before a final line break, so
     * {@code "acme-aws\n"} would pass; ECMA-262 and Java read this form alike.
     */
    private static final String END = "(?![\\s\\S])";

    /** A client part as a caller may send it: ASCII letters (either case), digits, {@code _} and {@code .}; no dash. */
    public static final String CLIENT_PART_REGEX = "^[A-Za-z0-9][A-Za-z0-9_.]{0,63}" + END;
    /** A service part as a caller may send it: ASCII letters (either case), digits, {@code _ . -}; never {@code ..}. */
    public static final String SERVICE_PART_REGEX = "^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,63}" + END;
    /** A whole label as a caller may send it: client part, dash, service part. */
    public static final String LABEL_REGEX = "^[A-Za-z0-9][A-Za-z0-9_.]{0,63}-(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,63}" + END;

    /** The rule of each part as the error messages state it (lower-case: what is kept). */
    static final String CLIENT_RULE = "[a-z0-9][a-z0-9_.]* (no dash)";
    static final String SERVICE_RULE = "[a-z0-9][a-z0-9_.-]*";

    /** Besides ASCII letters and digits, what a client part may hold after its first character. */
    private static final String CLIENT_OTHERS = "_.";
    /** Besides ASCII letters and digits, what a service part may hold after its first character. */
    private static final String SERVICE_OTHERS = "_.-";

    private LabelGrammar() {
    }

    /**
     * A label split into its canonical (lower-case) parts.
     *
     * @param client the client part
     * @param service the service part
     */
    public record Parts(String client, String service) {
        /** Checks and lower-cases both parts, as {@link #client(String)} and {@link #service(String)} do. */
        public Parts {
            client = LabelGrammar.client(client);
            service = LabelGrammar.service(service);
        }

        /** The canonical text, {@code client-service}. */
        public String value() {
            return client + "-" + service;
        }
    }

    /**
     * Parses {@code client-service}; the first dash separates the parts.
     *
     * @throws IllegalArgumentException naming the rule broken when the text is not a label
     */
    public static Parts parse(String text) {
        Objects.requireNonNull(text, "label");
        if (text.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("Invalid label: " + text.length()
                    + " characters; must be at most " + MAX_LABEL_LENGTH);
        }
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            throw new IllegalArgumentException("Invalid label " + describe(text)
                    + ": must be <client>-<service>, for example acme-aws");
        }
        return new Parts(text.substring(0, dash), text.substring(dash + 1));
    }

    /** As {@link #parse}, but empty instead of an exception when the text (or null) breaks the rule. */
    public static Optional<Parts> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code text} is a label. */
    public static boolean isValid(String text) {
        return tryParse(text).isPresent();
    }

    /**
     * Checks a client part and returns it lower-cased.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static String client(String part) {
        return checkPart("client", part, CLIENT_OTHERS, CLIENT_RULE);
    }

    /**
     * Checks a service part and returns it lower-cased.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static String service(String part) {
        String checked = checkPart("service", part, SERVICE_OTHERS, SERVICE_RULE);
        if (checked.contains("..")) {
            throw new IllegalArgumentException("Invalid label service part: must not contain '..'");
        }
        return checked;
    }

    private static String checkPart(String what, String part, String others, String ruleText) {
        Objects.requireNonNull(part, what);
        if (part.isEmpty()) {
            throw new IllegalArgumentException("Invalid label " + what + " part: empty; must match " + ruleText);
        }
        if (part.length() > MAX_PART_LENGTH) {
            throw new IllegalArgumentException("Invalid label " + what + " part: " + part.length()
                    + " characters; must be at most " + MAX_PART_LENGTH);
        }
        // Checked before lower-casing, against ASCII classes only: no Unicode case mapping ever applies.
        if (!isAsciiWord(part, others, true)) {
            throw new IllegalArgumentException("Invalid label " + what + " part " + describe(part)
                    + ": must match " + ruleText);
        }
        return asciiLowerCase(part);
    }

    /**
     * Whether {@code text} is made of ASCII letters (either case), ASCII digits and the characters of
     * {@code others} only, and, when {@code letterOrDigitFirst}, starts with a letter or digit: the
     * character classes of these rules ({@code [A-Za-z0-9][A-Za-z0-9_.]*} and the like), checked
     * without a regular expression since they run several times on every request. True for the
     * empty text; the callers check lengths themselves.
     */
    public static boolean isAsciiWord(String text, String others, boolean letterOrDigitFirst) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!letterOrDigit && (i == 0 && letterOrDigitFirst || others.indexOf(c) < 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Lower-cases {@code A-Z} only and leaves every other character as it is, so that a check after it
     * still sees non-ASCII text (Unicode case mapping would turn a KELVIN SIGN into {@code k}).
     */
    public static String asciiLowerCase(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    /**
     * Quotes short printable ASCII values that cannot be a secret; otherwise only says how long the
     * value was. A TOTP secret typed or pasted where a label belongs (base32 or hex, 16 characters or
     * more, perhaps grouped by spaces, perhaps padded) is never quoted back, nor one inside other text:
     * with a stray comma or quote, or in an {@code otpauth://} link ({@link #holdsSecretRun}).
     */
    public static String describe(String value) {
        if (value.length() <= 40 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && !mayBeSecret(value)
                && !holdsSecretRun(value)) {
            return "'" + value + "'";
        }
        return "(" + value.length() + " characters, not shown)";
    }

    /**
     * Whether {@code value} holds 16 or more letters and digits in a row, as a secret does wherever it
     * is pasted ({@code JBSWY3DPEHPK3PXP,}, {@code otpauth://totp/a?secret=JBSWY3DPEHPK3PXP}). A value
     * of words joined by '-', '_' or '.' (a label, a pattern) has no such run unless a word is that long.
     */
    public static boolean holdsSecretRun(String value) {
        int run = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            run = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ? run + 1 : 0;
            if (run >= 16) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code value} has the shape of a secret: 16 or more letters and digits, with nothing else but spaces and '='. */
    public static boolean mayBeSecret(String value) {
        int alphanumerics = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                alphanumerics++;
            } else if (c != ' ' && c != '=') {
                return false;
            }
        }
        return alphanumerics >= 16;
    }
}
