package dev.mfagate.core.audit;

/**
 * The audit trail could not record an entry durably, so the request it was for must fail (the
 * gateway answers 503 {@code audit_unavailable} and issues no code). The message says why (never
 * a secret); the cause, when there is one, is the database error.
 */
public final class AuditUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean chainTampered;
    private final boolean aboutChain;

    /** With a reason. */
    public AuditUnavailableException(String message) {
        this(message, false, false);
    }

    private AuditUnavailableException(String message, boolean chainTampered, boolean aboutChain) {
        super(message);
        this.chainTampered = chainTampered;
        this.aboutChain = aboutChain;
    }

    /**
     * Appends are refused because the stored chain is not the one this process wrote (its head is
     * older than the last entry committed here): evidence, which no retry or outage ending clears.
     */
    static AuditUnavailableException tampered(String message) {
        return new AuditUnavailableException(message, true, false);
    }

    /**
     * Appends are refused because of the stored chain itself: its head is missing, fails its check or
     * disagrees with the last entry, or it could not be read. {@code message} is a sentence about the
     * chain holding sequence numbers and error codes, no data, so readiness shows it as it is.
     */
    static AuditUnavailableException aboutChain(String message) {
        return new AuditUnavailableException(message, false, true);
    }

    /** {@link #aboutChain(String)}, with the database error underneath. */
    static AuditUnavailableException aboutChain(String message, Throwable cause) {
        AuditUnavailableException e = aboutChain(message);
        e.initCause(cause);
        return e;
    }

    /** Whether the stored chain was found rolled back or replaced; see {@link #tampered}. */
    public boolean chainTampered() {
        return chainTampered;
    }

    /** Whether the message is a sentence about the stored chain, to show as it is; see {@link #aboutChain(String)}. */
    public boolean aboutChain() {
        return aboutChain;
    }

    /** With a reason and the underlying failure. */
    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
        this.chainTampered = cause instanceof AuditUnavailableException u && u.chainTampered;
        this.aboutChain = cause instanceof AuditUnavailableException u && u.aboutChain;
    }
}
