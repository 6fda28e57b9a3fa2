package dev.mfagate.bot.gateway;

import dev.mfagate.api.ErrorCode;

/**
 * Why the gateway gave no code, grouped by what the person should be told. Each wire code of
 * {@link ErrorCode} maps to one refusal (see {@link #of(ErrorCode)}).
 */
public enum Refusal {
    /** {@code unknown_label}: no seed has this label. */
    UNKNOWN_LABEL,
    /** {@code invalid_label}: the gateway rejected the label's form. */
    INVALID_LABEL,
    /** {@code forbidden}: policy does not let this person have this label. */
    FORBIDDEN,
    /** {@code on_behalf_not_permitted}: the bot's own token does not cover this label or this person. */
    BOT_NOT_PERMITTED,
    /** {@code rate_limited}: too many requests for now. */
    RATE_LIMITED,
    /** {@code daily_cap_reached}: today's codes for this label are used up; the cap resets at 00:00 UTC. */
    DAILY_CAP_REACHED,
    /** {@code locked_out}: too many refusals in a row; locked for a while. */
    LOCKED_OUT,
    /** {@code audit_unavailable}: the gateway cannot write its audit trail, so it issues no code. */
    AUDIT_UNAVAILABLE,
    /** {@code tenant_key_revoked}: the client's own key was revoked, so its codes are switched off; retrying does not help. */
    TENANT_KEY_REVOKED,
    /**
     * {@code store_unavailable}, {@code key_unavailable}, {@code tenant_key_unavailable}, {@code internal_error},
     * {@code shutting_down}, {@code request_timeout}: the gateway is up but failing.
     */
    GATEWAY_FAILING,
    /** {@code unauthenticated}, {@code invalid_on_behalf}, {@code address_not_allowed} and other 4xx: the bot is misconfigured. */
    BOT_MISCONFIGURED;

    /** The refusal for a wire error. Exhaustive on purpose: a new error code does not compile until it is placed here. */
    public static Refusal of(ErrorCode code) {
        return switch (code) {
            case UNKNOWN_LABEL -> UNKNOWN_LABEL;
            case INVALID_LABEL -> INVALID_LABEL;
            case FORBIDDEN -> FORBIDDEN;
            case ON_BEHALF_NOT_PERMITTED -> BOT_NOT_PERMITTED;
            case RATE_LIMITED -> RATE_LIMITED;
            case DAILY_CAP_REACHED -> DAILY_CAP_REACHED;
            case LOCKED_OUT -> LOCKED_OUT;
            case AUDIT_UNAVAILABLE -> AUDIT_UNAVAILABLE;
            case TENANT_KEY_REVOKED -> TENANT_KEY_REVOKED;
            case STORE_UNAVAILABLE, KEY_UNAVAILABLE, TENANT_KEY_UNAVAILABLE, INTERNAL_ERROR, SHUTTING_DOWN, REQUEST_TIMEOUT, BUSY ->
                    GATEWAY_FAILING;
            case BAD_REQUEST, INVALID_ON_BEHALF, UNAUTHENTICATED, ADDRESS_NOT_ALLOWED, NOT_FOUND, METHOD_NOT_ALLOWED,
                 REQUEST_TOO_LARGE, URI_TOO_LONG, HEADERS_TOO_LARGE, UNKNOWN_OBJECT, CONFLICT, CSRF_REFUSED,
                 SEED_BATCH_TOO_LARGE, TENANT_SEED_LIMIT -> BOT_MISCONFIGURED;
        };
    }
}
