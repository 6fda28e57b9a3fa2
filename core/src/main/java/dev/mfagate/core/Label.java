package dev.mfagate.core;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of one shared seed: {@code <client>-<service>}, for example {@code acme-aws-prod}.
 *
 * <p>Labels are case-insensitive and kept lower-case. The client part has no dash; the service
 * part may have dashes, so {@code acme-aws-prod} is client {@code acme}, service {@code aws-prod}.
 * Each part matches {@code [a-z0-9][a-z0-9_.-]*} (the client part without {@code -}) and is at
 * most {@value #MAX_PART_LENGTH} characters. {@code /totp/{client}/{service}} and
 * {@code /code?label=} name the same seed.
 *
 * <p>Immutable and thread-safe. Parsing is strict: anything outside the rule is rejected with a
 * message that names the value's problem (the value itself is echoed only when it is short and
 * printable, so a label error never carries arbitrary input into a log).
 *
 * @param client the client part, lower-case, without dashes
 * @param service the service part, lower-case
 */
public record Label(String client, String service) implements Comparable<Label> {

    /** The longest a client or service part may be, in characters. */
    public static final int MAX_PART_LENGTH = 64;

    private static final Pattern CLIENT = Pattern.compile("[a-z0-9][a-z0-9_.]*");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

    /** Validates and lower-cases both parts. */
    public Label {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(service, "service");
        client = client.toLowerCase(Locale.ROOT);
        service = service.toLowerCase(Locale.ROOT);
        checkPart("client", client, CLIENT, "[a-z0-9][a-z0-9_.]* (no dash)");
        checkPart("service", service, SERVICE, "[a-z0-9][a-z0-9_.-]*");
        if (service.contains("..")) {
            throw new IllegalArgumentException("Invalid label service part: must not contain '..'");
        }
    }

    /**
     * Parses {@code client-service}; the first dash separates the parts.
     *
     * @throws IllegalArgumentException when the text is not a valid label
     */
    public static Label parse(String text) {
        Objects.requireNonNull(text, "label");
        if (text.length() > 2 * MAX_PART_LENGTH + 1) {
            throw new IllegalArgumentException("Invalid label: " + text.length()
                    + " characters; must be at most " + (2 * MAX_PART_LENGTH + 1));
        }
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            throw new IllegalArgumentException("Invalid label " + describe(text)
                    + ": must be <client>-<service>, for example acme-aws");
        }
        return new Label(text.substring(0, dash), text.substring(dash + 1));
    }

    /** Whether {@code text} is a valid label. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
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

    private static void checkPart(String what, String part, Pattern rule, String ruleText) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("Invalid label " + what + " part: empty; must match " + ruleText);
        }
        if (part.length() > MAX_PART_LENGTH) {
            throw new IllegalArgumentException("Invalid label " + what + " part: " + part.length()
                    + " characters; must be at most " + MAX_PART_LENGTH);
        }
        if (!rule.matcher(part).matches()) {
            throw new IllegalArgumentException("Invalid label " + what + " part " + describe(part)
                    + ": must match " + ruleText);
        }
    }

    /** Quotes short printable ASCII values; otherwise only says how long the value was. */
    static String describe(String value) {
        if (value.length() <= 40 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return "'" + value + "'";
        }
        return "(" + value.length() + " characters, not shown)";
    }
}
