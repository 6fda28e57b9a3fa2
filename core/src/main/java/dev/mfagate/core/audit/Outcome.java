package dev.mfagate.core.audit;

/** What happened to a request (or that an entry records an operator action). */
public enum Outcome {
    /** A code was issued. */
    ALLOWED,
    /** Policy refused. */
    DENIED,
    /** A rate limit refused. */
    RATE_LIMITED,
    /** The principal is locked out, or this request started a lockout. */
    LOCKED_OUT,
    /** The request was malformed (bad label, bad on-behalf headers, ...). */
    MALFORMED,
    /** No valid token. */
    UNAUTHENTICATED,
    /** Something failed after the decision (for example the seed could not be opened). */
    FAILED,
    /** An operator action: grant, revoke, policy apply, token or seed change. */
    ADMIN
}
