package dev.mfagate.core.issue;

import java.util.Objects;

/**
 * What the audit entry says about where a request came from; nothing here decides anything.
 *
 * @param requestId the request id sent back to the caller
 * @param route the route template, such as {@code /totp/{client}/{service}}
 * @param remoteAddress the client address (after trusted-proxy resolution), or null
 */
public record RequestMeta(String requestId, String route, String remoteAddress) {
    /** Validates. */
    public RequestMeta {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(route, "route");
    }
}
