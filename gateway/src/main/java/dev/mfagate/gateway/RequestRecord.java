package dev.mfagate.gateway;

import dev.mfagate.core.policy.Subject;
import java.time.Instant;

/**
 * What one request was, as the audit trail records it. Mutable while the request runs, on that
 * request's thread only; never holds a code, seed or token.
 */
public final class RequestRecord {
    final String requestId;
    String route;
    final String remoteAddress;
    final Instant receivedAt;
    final long startNanos = System.nanoTime();
    String tokenId;
    Subject.OnBehalf onBehalf;
    String label;
    /** Why the request was refused, when a deeper layer knows better than the wire code. */
    String reason;
    /** What allowed it: {@code rule:<id>} or {@code token-scope}. */
    String grant;
    boolean audited;

    RequestRecord(String requestId, String route, String remoteAddress, Instant receivedAt) {
        this.requestId = requestId;
        this.route = route;
        this.remoteAddress = remoteAddress;
        this.receivedAt = receivedAt;
    }

    /** The request id (also sent back as {@code X-Request-Id}). */
    public String requestId() {
        return requestId;
    }

    /** The route template, such as {@code /totp/{client}/{service}}. */
    public String route() {
        return route;
    }

    /** The client address the gateway saw (after trusted-proxy resolution). */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** When the request arrived. */
    public Instant receivedAt() {
        return receivedAt;
    }

    /** The authenticated token id, or null. */
    public String tokenId() {
        return tokenId;
    }

    /** The on-behalf user, or null. */
    public Subject.OnBehalf onBehalf() {
        return onBehalf;
    }

    /** The label asked for (canonical when valid), or null. */
    public String label() {
        return label;
    }
}
