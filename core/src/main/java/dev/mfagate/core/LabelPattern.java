package dev.mfagate.core;

import java.util.Locale;
import java.util.Objects;

/**
 * A glob over {@link Label}s, such as {@code acme-*}, {@code client-demo} or {@code *}.
 *
 * <p>{@code *} is the only wildcard; it matches any run (possibly empty) of label characters,
 * dashes included, so {@code acme-*} matches {@code acme-aws} and {@code acme-aws-prod}, and
 * {@code *-prod} matches {@code acme-aws-prod}. Every other character matches itself. Patterns
 * are case-insensitive and kept lower-case; they may only hold {@code [a-z0-9_.*-]} and are at
 * most {@value #MAX_LENGTH} characters.
 *
 * <p>Immutable and thread-safe. Matching is linear in the label's length times the number of
 * wildcards (no regular expressions, so no pathological backtracking).
 *
 * @param value the pattern text, lower-case
 */
public record LabelPattern(String value) {

    /** The longest pattern, in characters: the longest label. */
    public static final int MAX_LENGTH = 2 * Label.MAX_PART_LENGTH + 1;

    /** The pattern that matches every label. */
    public static final LabelPattern ANY = new LabelPattern("*");

    /** Validates and lower-cases the pattern. */
    public LabelPattern {
        Objects.requireNonNull(value, "value");
        value = value.toLowerCase(Locale.ROOT);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Invalid label pattern: empty; must be a label or a glob such as acme-*");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid label pattern: " + value.length()
                    + " characters; must be at most " + MAX_LENGTH);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '*' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("Invalid label pattern " + Label.describe(value)
                        + ": character at index " + i + " is not one of [a-z0-9_.*-]");
            }
        }
    }

    /**
     * Parses a pattern such as {@code acme-*}.
     *
     * @throws IllegalArgumentException when the text breaks the pattern rule
     */
    public static LabelPattern parse(String text) {
        return new LabelPattern(text);
    }

    /** Whether {@code label} matches this pattern. */
    public boolean matches(Label label) {
        return globMatches(value, label.value());
    }

    /** Whether the pattern has no wildcard, so that it names exactly one label. */
    public boolean isExact() {
        return value.indexOf('*') < 0;
    }

    @Override
    public String toString() {
        return value;
    }

    /** Classic two-pointer glob match with backtracking to the last star only. */
    private static boolean globMatches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
