package dev.mfagate.core.policy;

/**
 * Why a request was denied. The gateway puts the name in the audit entry; what it tells the
 * caller is its own choice (it may hide the difference between reasons from end users).
 *
 * <p>Lockout and rate limits are not policy outcomes; see {@code dev.mfagate.core.ratelimit}.
 */
public enum DenialReason {
    /** No rule grants this principal this label (deny by default). */
    NO_MATCHING_RULE,
    /** Only expired rules would have granted it. */
    GRANT_EXPIRED,
    /** The label is outside the token's own scope, whatever the rules say. */
    OUTSIDE_TOKEN_SCOPE,
    /** The request names an on-behalf user but the token may not act on behalf of users. */
    ON_BEHALF_NOT_PERMITTED,
    /** Every rule that grants it is capped and today's cap is used up. */
    DAILY_CAP_REACHED
}
