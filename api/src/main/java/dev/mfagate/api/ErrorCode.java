package dev.mfagate.api;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every error the gateway's HTTP API returns: one stable wire code and its HTTP status.
 *
 * <p>The wire code appears as {@code error.code} in the JSON body
 * {@code {"error":{"code":"unknown_label","message":"..."}}}. Codes never change meaning once
 * published; clients (such as the bot) switch on them.
 */
public enum ErrorCode {
    /** The request is malformed in a way no more specific code covers. */
    BAD_REQUEST("bad_request", 400),
    /** A label (or client/service part) breaks the label rule. */
    INVALID_LABEL("invalid_label", 400),
    /** On-behalf-of headers are malformed. */
    INVALID_ON_BEHALF("invalid_on_behalf", 400),
    /** No bearer token, or one the gateway does not know, or one that has expired or been revoked. */
    UNAUTHENTICATED("unauthenticated", 401),
    /** The caller is known but policy does not allow this label. */
    FORBIDDEN("forbidden", 403),
    /**
     * Admin API with a console session cookie: a change (POST, PUT, PATCH, DELETE) without the
     * session's CSRF token in {@code X-CSRF-Token}, or with another; nothing was done.
     */
    CSRF_REFUSED("csrf_refused", 403),
    /** The token may not act on behalf of users, or the on-behalf user is outside the token's scope. */
    ON_BEHALF_NOT_PERMITTED("on_behalf_not_permitted", 403),
    /** The client address is outside the configured allow-list. */
    ADDRESS_NOT_ALLOWED("address_not_allowed", 403),
    /** No seed has this label. */
    UNKNOWN_LABEL("unknown_label", 404),
    /** No such route. */
    NOT_FOUND("not_found", 404),
    /**
     * Admin API: no such tenant or object, or one in a tenant the caller may not see; the two get
     * the same answer, so a tenant's admin learns nothing of other tenants.
     */
    UNKNOWN_OBJECT("unknown_object", 404),
    /** Admin API: the change conflicts with what is stored (a name or id taken, a label with a seed). */
    CONFLICT("conflict", 409),
    /** Admin API: one request adds more seeds than one request may (100); nothing was stored. */
    SEED_BATCH_TOO_LARGE("seed_batch_too_large", 400),
    /** Admin API: the seeds would take the tenant past the most seeds a tenant may hold (1,000); nothing was stored. */
    TENANT_SEED_LIMIT("tenant_seed_limit", 409),
    /** The route exists but not with this method. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** The request body is larger than allowed. */
    REQUEST_TOO_LARGE("request_too_large", 413),
    /** The request target (path and query string) is longer than allowed. */
    URI_TOO_LONG("uri_too_long", 414),
    /** The request headers are larger than allowed. */
    HEADERS_TOO_LARGE("headers_too_large", 431),
    /** The client took too long to send its request. */
    REQUEST_TIMEOUT("request_timeout", 408),
    /** A rate limit is exhausted; see {@code Retry-After}. */
    RATE_LIMITED("rate_limited", 429),
    /**
     * Every rule that grants this label to this person is capped, and today's caps (UTC day) are used up;
     * {@code Retry-After} runs to 00:00 UTC, and {@code error.daily_cap} says how many codes a day they allow.
     */
    DAILY_CAP_REACHED("daily_cap_reached", 429),
    /** Too many denials in a row; the principal is locked out for a while; see {@code Retry-After}. */
    LOCKED_OUT("locked_out", 429),
    /** Something unexpected failed; the log has the details under the request id. */
    INTERNAL_ERROR("internal_error", 500),
    /** The audit trail cannot be written, so no code is issued (fail closed). */
    AUDIT_UNAVAILABLE("audit_unavailable", 503),
    /** The store (database or key) is unavailable. */
    STORE_UNAVAILABLE("store_unavailable", 503),
    /**
     * The seed's data key is wrapped under a key-encryption key this instance does not hold (a
     * rotation or key migration made elsewhere that it has not loaded yet); it reloads its keys, and a
     * retry, here or on another instance, can succeed. No code is issued.
     */
    KEY_UNAVAILABLE("key_unavailable", 503),
    /**
     * The seed's tenant has a key-encryption key of its own and it was revoked: its seeds no longer
     * open anywhere; other tenants are served. No code is issued; a retry does not help.
     */
    TENANT_KEY_REVOKED("tenant_key_revoked", 503),
    /**
     * The seed's tenant has a key-encryption key of its own and its key provider refused or could not
     * be reached; other tenants are served. No code is issued; the gateway tries the provider again.
     */
    TENANT_KEY_UNAVAILABLE("tenant_key_unavailable", 503),
    /**
     * Too many list requests ({@code GET /labels}, a tenant's seeds) are being answered at once;
     * see {@code Retry-After}. Code requests are not held by this.
     */
    BUSY("busy", 503),
    /** The gateway is shutting down and takes no new requests; another instance, or a retry, will. */
    SHUTTING_DOWN("shutting_down", 503);

    private final String wireCode;
    private final int httpStatus;

    ErrorCode(String wireCode, int httpStatus) {
        this.wireCode = wireCode;
        this.httpStatus = httpStatus;
    }

    /** The stable code in {@code error.code}. */
    public String wireCode() {
        return wireCode;
    }

    /** The HTTP status this error is sent with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The error with this wire code, if any. */
    public static Optional<ErrorCode> fromWireCode(String wireCode) {
        return Arrays.stream(values()).filter(c -> c.wireCode.equals(wireCode)).findFirst();
    }
}
