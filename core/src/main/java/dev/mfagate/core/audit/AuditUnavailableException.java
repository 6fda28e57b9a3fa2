package dev.mfagate.core.audit;

/**
 * The audit trail could not record an entry durably, so the request it was for must fail (the
 * gateway answers 503 {@code audit_unavailable} and issues no code). The message says why (never
 * a secret); the cause, when there is one, is the database error.
 */
public final class AuditUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a reason. */
    public AuditUnavailableException(String message) {
        super(message);
    }

    /** With a reason and the underlying failure. */
    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
