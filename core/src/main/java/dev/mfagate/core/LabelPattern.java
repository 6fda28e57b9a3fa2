package dev.mfagate.core;

import java.util.Locale;
import java.util.Objects;

/**
 * A glob over {@link Label}s, such as {@code acme-*}, {@code client-demo} or {@code *}: {@code *}
 * matches any run of characters (including none, and including dashes); every other character
 * matches itself. There is no {@code ?}, no character class and no escaping.
 *
 * <p>Case-insensitive like labels: the pattern is kept lower-case. Allowed characters are those of
 * labels plus {@code *}: {@code [a-z0-9_.*-]}, at most {@value #MAX_LENGTH} characters.
 *
 * <p>Immutable and thread-safe; {@link #matches(Label)} runs in time linear in the label for the
 * usual one-star patterns and never backtracks exponentially.
 *
 * @param value the pattern text, lower-case
 */
public record LabelPattern(String value) {

    /** The longest pattern allowed: as long as the longest label. */
    public static final int MAX_LENGTH = 2 * Label.MAX_PART_LENGTH + 1;

    /** The pattern that matches every label. */
    public static final LabelPattern ALL = new LabelPattern("*");

    /** Validates and lower-cases the pattern. */
    public LabelPattern {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Invalid label pattern: empty; use * to match every label");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid label pattern: " + value.length()
                    + " characters; must be at most " + MAX_LENGTH);
        }
        // [A-Za-z0-9_.*-]+ (not empty, checked above); a token's pattern is parsed on every request.
        if (!dev.mfagate.api.LabelGrammar.isAsciiWord(value, "_.*-", false)) {
            throw new IllegalArgumentException("Invalid label pattern " + dev.mfagate.api.LabelGrammar.describe(value)
                    + ": must use only a-z, 0-9, '_', '.', '-' and '*'");
        }
        // Lower-cased only once known to be ASCII: a KELVIN SIGN must be refused, not folded into 'k'.
        value = value.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static LabelPattern parse(String text) {
        return new LabelPattern(text);
    }

    /**
     * Refuses a new pattern that no label can match: every label is {@code <client>-<service>}, so a
     * pattern needs a '-' or a '*'. What is refused is mostly a slip (a client name alone, or a TOTP
     * seed pasted where the pattern belongs), so the message shows the pattern only when it cannot be
     * a secret. Patterns already stored are not checked: they load as they are and match nothing.
     *
     * @throws IllegalArgumentException saying how a pattern is written
     */
    public LabelPattern requireCanMatch() {
        if (value.indexOf('-') < 0 && value.indexOf('*') < 0) {
            throw new IllegalArgumentException("Invalid label pattern " + dev.mfagate.api.LabelGrammar.describe(value)
                    + ": matches no label; a label is <client>-<service>, so a pattern needs a '-' or a '*' (for example acme-* or acme-aws)");
        }
        return this;
    }

    /** Whether {@code label} matches this pattern. */
    public boolean matches(Label label) {
        return glob(value, label.value());
    }

    /**
     * The text every label this pattern matches starts with: what comes before its first {@code *}
     * (the whole pattern when it has none; {@code ""} for {@code *}).
     */
    public String literalPrefix() {
        int star = value.indexOf('*');
        return star < 0 ? value : value.substring(0, star);
    }

    /** Greedy glob match with single-star backtracking: O(pattern × text) at worst. */
    private static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int afterStar = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                afterStar = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++afterStar;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return value;
    }
}
