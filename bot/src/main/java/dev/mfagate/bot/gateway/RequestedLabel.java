package dev.mfagate.bot.gateway;

import dev.mfagate.api.LabelGrammar;
import java.util.Optional;

/**
 * A seed label as a person typed it in a command, {@code <client>-<service>}, checked against the
 * gateway's label rule before anything goes over the wire.
 *
 * <p>The rule is {@link LabelGrammar} (module {@code api}), the same the gateway applies: the bot must
 * not depend on {@code mfagate-core}, and the grammar lives where both can reach it, so the two cannot
 * drift. Case-insensitive and kept lower-case, ASCII only (a look-alike such as the KELVIN SIGN is
 * refused, never folded into {@code k}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param client the client part, lower-case
 * @param service the service part, lower-case
 */
public record RequestedLabel(String client, String service) {

    /** The longest a client or service part may be, in characters. */
    public static final int MAX_PART_LENGTH = LabelGrammar.MAX_PART_LENGTH;

    /** Validates both parts; they must already be lower-case. */
    public RequestedLabel {
        if (!LabelGrammar.client(client).equals(client) || !LabelGrammar.service(service).equals(service)) {
            throw new IllegalArgumentException("Invalid label: the parts must be lower-case");
        }
    }

    /** Parses {@code client-service} case-insensitively, or returns empty when the text breaks the rule. */
    public static Optional<RequestedLabel> parse(String text) {
        return LabelGrammar.tryParse(text).map(p -> new RequestedLabel(p.client(), p.service()));
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
