package dev.mfagate.bot;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A seed label as a person typed it in a command, {@code <client>-<service>}, checked against the
 * gateway's label rule before anything goes over the wire.
 *
 * <p>The rule is the project's (see {@code docs/architecture.md}): case-insensitive, kept lower-case;
 * the client part {@code [a-z0-9][a-z0-9_.]*} (no dash), the service part {@code [a-z0-9][a-z0-9_.-]*}
 * without {@code ..}, each at most {@value #MAX_PART_LENGTH} characters; the first dash splits them.
 * The bot keeps its own copy of the rule because it must not depend on {@code mfagate-core}; the
 * gateway stays the judge and answers {@code invalid_label} if the copies ever drift.
 *
 * <p>Immutable and thread-safe.
 *
 * @param client the client part, lower-case
 * @param service the service part, lower-case
 */
public record RequestedLabel(String client, String service) {

    /** The longest a client or service part may be, in characters. */
    public static final int MAX_PART_LENGTH = 64;

    private static final Pattern CLIENT = Pattern.compile("[a-z0-9][a-z0-9_.]*");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

    /** Validates both parts; they must already be lower-case. */
    public RequestedLabel {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(service, "service");
        if (client.length() > MAX_PART_LENGTH || !CLIENT.matcher(client).matches()) {
            throw new IllegalArgumentException("Invalid label client part: must match [a-z0-9][a-z0-9_.]* and be at most "
                    + MAX_PART_LENGTH + " characters");
        }
        if (service.length() > MAX_PART_LENGTH || !SERVICE.matcher(service).matches() || service.contains("..")) {
            throw new IllegalArgumentException("Invalid label service part: must match [a-z0-9][a-z0-9_.-]* without '..' and be at most "
                    + MAX_PART_LENGTH + " characters");
        }
    }

    /** Parses {@code client-service} case-insensitively, or returns empty when the text breaks the rule. */
    public static Optional<RequestedLabel> parse(String text) {
        if (text == null || text.length() > 2 * MAX_PART_LENGTH + 1) {
            return Optional.empty();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        int dash = lower.indexOf('-');
        if (dash <= 0 || dash == lower.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RequestedLabel(lower.substring(0, dash), lower.substring(dash + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The canonical text, {@code client-service}. */
    public String value() {
        return client + "-" + service;
    }

    @Override
    public String toString() {
        return value();
    }
}
