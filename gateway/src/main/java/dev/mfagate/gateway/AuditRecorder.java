package dev.mfagate.gateway;

/**
 * Writes one audit entry per request, durably, before the response leaves. Implementations are
 * thread-safe and may batch concurrent calls into one commit.
 */
public interface AuditRecorder {

    /**
     * Records the request's outcome and returns once it is committed.
     *
     * @param outcome the outcome name (see {@code dev.mfagate.core.audit.Outcome})
     * @param reason a short machine-readable reason, such as a wire error code; never a secret
     * @throws dev.mfagate.gateway.http.ApiException {@code audit_unavailable} when it cannot be
     *     committed: the caller must then not return a code (fail closed)
     */
    void recordDurably(RequestRecord request, String outcome, String reason);

    /** Records that {@code principalKey} was just locked out until {@code until}, durably. */
    void recordLockout(RequestRecord request, String principalKey, java.time.Instant until);
}
