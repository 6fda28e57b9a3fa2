package dev.mfagate.core;

import dev.mfagate.api.LabelGrammar;

/**
 * The name of one shared seed: {@code <client>-<service>}, for example {@code acme-aws-prod}.
 *
 * <p>Labels are case-insensitive and kept lower-case. The client part has no dash; the service
 * part may have dashes, so {@code acme-aws-prod} is client {@code acme}, service {@code aws-prod}.
 * Each part matches {@code [a-z0-9][a-z0-9_.-]*} (the client part without {@code -}) and is at
 * most {@value #MAX_PART_LENGTH} characters. {@code /totp/{client}/{service}} and
 * {@code /code?label=} name the same seed.
 *
 * <p>The rule itself lives in {@link LabelGrammar} (module {@code api}), which the bot and the
 * OpenAPI document share; only ASCII is accepted, so no Unicode case mapping folds another
 * character into a label. Immutable and thread-safe. Parsing is strict: anything outside the rule
 * is rejected with a message that names the value's problem (the value itself is echoed only when
 * it is short and printable, so a label error never carries arbitrary input into a log).
 *
 * @param client the client part, lower-case, without dashes
 * @param service the service part, lower-case
 */
public record Label(String client, String service) implements Comparable<Label> {

    /** The longest a client or service part may be, in characters. */
    public static final int MAX_PART_LENGTH = LabelGrammar.MAX_PART_LENGTH;

    /** Validates and lower-cases both parts ({@link LabelGrammar#client}, {@link LabelGrammar#service}). */
    public Label {
        client = LabelGrammar.client(client);
        service = LabelGrammar.service(service);
    }

    /**
     * Parses {@code client-service}; the first dash separates the parts.
     *
     * @throws IllegalArgumentException when the text is not a valid label
     */
    public static Label parse(String text) {
        LabelGrammar.Parts parts = LabelGrammar.parse(text);
        return new Label(parts.client(), parts.service());
    }

    /**
     * {@code label}, unless it holds what looks like a pasted secret: 16 or more letters and digits in
     * a row, digits among them (a base32 or hex secret almost always has both; a run of letters alone,
     * such as {@code awsrootaccount}, is a word). Checked where a seed is given a label: every listing,
     * page, log line and audit entry shows a label, so a secret typed as one would be everywhere.
     *
     * @throws IllegalArgumentException saying so, without quoting the label
     */
    public static Label requireNotSecretShaped(Label label) {
        String v = label.value();
        int run = 0;
        boolean digit = false;
        for (int i = 0; i <= v.length(); i++) {
            char c = i < v.length() ? v.charAt(i) : '-';
            boolean d = c >= '0' && c <= '9';
            if (d || c >= 'a' && c <= 'z') {
                run++;
                digit |= d;
            } else {
                if (run >= 16 && digit) {
                    throw new IllegalArgumentException("Invalid label (" + v.length() + " characters, not shown): 16 or more"
                            + " letters and digits in a row look like a pasted secret; separate a label's words with '-'");
                }
                run = 0;
                digit = false;
            }
        }
        return label;
    }

    /** Whether {@code text} is a valid label. */
    public static boolean isValid(String text) {
        return LabelGrammar.isValid(text);
    }

    /** The canonical text form, {@code client-service}. */
    public String value() {
        return client + "-" + service;
    }

    @Override
    public String toString() {
        return value();
    }

    @Override
    public int compareTo(Label other) {
        return value().compareTo(other.value());
    }
}
