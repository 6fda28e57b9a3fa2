package dev.mfagate.core.ratelimit;

/** Which of the three limits of {@link RateLimitConfig} a request ran into. */
public enum RateLimitScope {
    /** The limit per (principal, label). */
    PRINCIPAL_AND_LABEL,
    /** The limit per principal. */
    PRINCIPAL,
    /** The limit per API token. */
    TOKEN
}
