package dev.mfagate.core.audit;

/**
 * The audit trail could not record an entry durably, so the request it was for must fail (the
 * gateway answers 503 {@code audit_unavailable} and issues no code). The message says why (never
 * a secret); the cause, when there is one, is the database error.
 */
public final class AuditUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean chainTampered;

    /** With a reason. */
    public AuditUnavailableException(String message) {
        super(message);
        this.chainTampered = false;
    }

    private AuditUnavailableException(String message, boolean chainTampered) {
        super(message);
        this.chainTampered = chainTampered;
    }

    /**
     * Appends are refused because the stored chain is not the one this process wrote (its head is
     * older than the last entry committed here): evidence, which no retry or outage ending clears.
     */
    static AuditUnavailableException tampered(String message) {
        return new AuditUnavailableException(message, true);
    }

    /** Whether the stored chain was found rolled back or replaced; see {@link #tampered}. */
    public boolean chainTampered() {
        return chainTampered;
    }

    /** With a reason and the underlying failure. */
    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
        this.chainTampered = cause instanceof AuditUnavailableException u && u.chainTampered;
    }
}
