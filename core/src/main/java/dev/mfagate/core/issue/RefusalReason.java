package dev.mfagate.core.issue;

import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.policy.DenialReason;
import dev.mfagate.core.ratelimit.RateLimitScope;

/**
 * Every reason the gateway refuses a request, at its doors or in the {@link CodeIssuer}. Each
 * door maps a reason to its own words (the HTTP API to a wire error code and status, the bot to a
 * sentence); the audit outcome and the stable audit reason are fixed here, by one exhaustive
 * switch, so a new reason cannot be added without deciding how it is audited.
 */
public enum RefusalReason {
    // At the door, before a code is asked for.
    /** The gateway is stopping and takes no new requests. */
    SHUTTING_DOWN,
    /** The client address is outside the allow-list. */
    ADDRESS_NOT_ALLOWED,
    /** No bearer token, or an unknown, expired or revoked one. */
    UNAUTHENTICATED,
    /** On-behalf headers break their rules (an id of 0, a control character in the email, ...). */
    INVALID_ON_BEHALF,
    /** A request the door cannot read: a missing or repeated parameter. */
    BAD_REQUEST,
    /** The label breaks the label rule. */
    INVALID_LABEL,
    /** No such route. */
    NO_SUCH_ROUTE,
    /** The route does not answer this method. */
    METHOD_NOT_ALLOWED,
    /** The request body is larger than allowed. */
    REQUEST_TOO_LARGE,
    /** The request target is longer than allowed. */
    URI_TOO_LONG,
    /** The request headers are larger than allowed. */
    HEADERS_TOO_LARGE,
    /** The request did not arrive in time. */
    REQUEST_TIMEOUT,
    /** Too many list requests are being answered at once: retry shortly. */
    BUSY,

    // At the admin door (the admin API).
    /** The caller's role does not allow this administrative act where it may see. */
    ADMIN_FORBIDDEN,
    /** A change sent with a console session cookie lacks the session's CSRF token, or carries another. */
    CSRF_REFUSED,
    /** The tenant is one the caller may not see: answered exactly as {@link #NO_SUCH_OBJECT}. */
    NOT_VISIBLE,
    /** No such tenant or object. */
    NO_SUCH_OBJECT,
    /** The change conflicts with what is stored. */
    CONFLICT,
    /** One request adds more seeds than one request may. */
    SEED_BATCH_TOO_LARGE,
    /** The seeds would take their tenant past the most seeds a tenant may hold. */
    TENANT_SEED_LIMIT,

    // In the issuer: lockout, rate limits, policy.
    /** The principal is locked out after too many denials. */
    LOCKED_OUT,
    /** The limit per (principal, label) is exhausted. */
    RATE_LIMITED_PRINCIPAL_AND_LABEL,
    /** The limit per principal is exhausted. */
    RATE_LIMITED_PRINCIPAL,
    /** The limit per token is exhausted. */
    RATE_LIMITED_TOKEN,
    /** The token may not ask on behalf of users. */
    ON_BEHALF_NOT_PERMITTED,
    /** No rule grants the label (deny by default). */
    NO_MATCHING_RULE,
    /** Only expired rules would have granted it. */
    GRANT_EXPIRED,
    /** The label is outside the token's own scope. */
    OUTSIDE_TOKEN_SCOPE,
    /** Every granting rule is capped and today's caps are used up. */
    DAILY_CAP_REACHED,

    // In the issuer: the seed and the audit trail.
    /** Allowed, but no seed has the label. */
    UNKNOWN_LABEL,
    /** The seed's data key is wrapped under a KEK this instance does not hold (yet): retry. */
    KEY_UNAVAILABLE,
    /** The seed's tenant has a key of its own and it was revoked: its seeds no longer open. */
    TENANT_KEY_REVOKED,
    /** The seed's tenant has a key of its own and its provider refused or could not be reached: retry later. */
    TENANT_KEY_UNAVAILABLE,
    /** The stored seed does not open: moved from another label, altered, or malformed. */
    SEED_UNREADABLE,
    /** The database does not answer. */
    STORE_UNAVAILABLE,
    /** The audit entry cannot be committed, so no code leaves (fail closed). */
    AUDIT_UNAVAILABLE,
    /** Something unexpected failed; the log has it under the request id. */
    INTERNAL_ERROR;

    /** The outcome the audit entry of a request refused for this reason records. */
    public Outcome outcome() {
        return switch (this) {
            case UNAUTHENTICATED -> Outcome.UNAUTHENTICATED;
            case ADDRESS_NOT_ALLOWED, ON_BEHALF_NOT_PERMITTED, NO_MATCHING_RULE, GRANT_EXPIRED, OUTSIDE_TOKEN_SCOPE,
                 UNKNOWN_LABEL, ADMIN_FORBIDDEN, CSRF_REFUSED, NOT_VISIBLE, NO_SUCH_OBJECT -> Outcome.DENIED;
            case RATE_LIMITED_PRINCIPAL_AND_LABEL, RATE_LIMITED_PRINCIPAL, RATE_LIMITED_TOKEN, DAILY_CAP_REACHED ->
                    Outcome.RATE_LIMITED;
            case LOCKED_OUT -> Outcome.LOCKED_OUT;
            case INVALID_ON_BEHALF, BAD_REQUEST, INVALID_LABEL, NO_SUCH_ROUTE, METHOD_NOT_ALLOWED, REQUEST_TOO_LARGE,
                 URI_TOO_LONG, HEADERS_TOO_LARGE, REQUEST_TIMEOUT, CONFLICT, SEED_BATCH_TOO_LARGE, TENANT_SEED_LIMIT ->
                    Outcome.MALFORMED;
            case SHUTTING_DOWN, BUSY, KEY_UNAVAILABLE, TENANT_KEY_REVOKED, TENANT_KEY_UNAVAILABLE, SEED_UNREADABLE, STORE_UNAVAILABLE, AUDIT_UNAVAILABLE,
                 INTERNAL_ERROR -> Outcome.FAILED;
        };
    }

    /**
     * The stable reason the audit entry records, such as {@code no_matching_rule} or
     * {@code rate_limited_principal}; operators search the trail for these, so they never change.
     */
    public String auditReason() {
        return switch (this) {
            case NO_SUCH_ROUTE -> "not_found";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Whether a request refused for this reason was slowed by a limit (lockout, rate limit, daily cap). */
    public boolean isLimit() {
        return switch (this) {
            case LOCKED_OUT, RATE_LIMITED_PRINCIPAL_AND_LABEL, RATE_LIMITED_PRINCIPAL, RATE_LIMITED_TOKEN,
                 DAILY_CAP_REACHED -> true;
            default -> false;
        };
    }

    /** The reason for a policy denial. */
    public static RefusalReason of(DenialReason reason) {
        return switch (reason) {
            case NO_MATCHING_RULE -> NO_MATCHING_RULE;
            case GRANT_EXPIRED -> GRANT_EXPIRED;
            case OUTSIDE_TOKEN_SCOPE -> OUTSIDE_TOKEN_SCOPE;
            case ON_BEHALF_NOT_PERMITTED -> ON_BEHALF_NOT_PERMITTED;
            case DAILY_CAP_REACHED -> DAILY_CAP_REACHED;
        };
    }

    /** The reason for a rate limit that refused. */
    public static RefusalReason of(RateLimitScope scope) {
        return switch (scope) {
            case PRINCIPAL_AND_LABEL -> RATE_LIMITED_PRINCIPAL_AND_LABEL;
            case PRINCIPAL -> RATE_LIMITED_PRINCIPAL;
            case TOKEN -> RATE_LIMITED_TOKEN;
        };
    }
}
