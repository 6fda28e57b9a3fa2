package dev.mfagate.gateway.http;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.issue.RefusalReason;

/**
 * The one map from a {@link RefusalReason} to the wire {@link ErrorCode} (which carries the HTTP
 * status); the audit outcome is {@link RefusalReason#outcome()}. The switch is exhaustive, so a new
 * reason does not compile until it has a wire code. Stateless.
 */
public final class ErrorMapping {

    private ErrorMapping() {
    }

    /** The wire error a refusal for {@code reason} is sent as. */
    public static ErrorCode errorCode(RefusalReason reason) {
        return switch (reason) {
            case SHUTTING_DOWN -> ErrorCode.SHUTTING_DOWN;
            case BUSY -> ErrorCode.BUSY;
            case ADDRESS_NOT_ALLOWED -> ErrorCode.ADDRESS_NOT_ALLOWED;
            case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
            case INVALID_ON_BEHALF -> ErrorCode.INVALID_ON_BEHALF;
            case BAD_REQUEST -> ErrorCode.BAD_REQUEST;
            case INVALID_LABEL -> ErrorCode.INVALID_LABEL;
            case NO_SUCH_ROUTE -> ErrorCode.NOT_FOUND;
            case METHOD_NOT_ALLOWED -> ErrorCode.METHOD_NOT_ALLOWED;
            case REQUEST_TOO_LARGE -> ErrorCode.REQUEST_TOO_LARGE;
            case URI_TOO_LONG -> ErrorCode.URI_TOO_LONG;
            case HEADERS_TOO_LARGE -> ErrorCode.HEADERS_TOO_LARGE;
            case REQUEST_TIMEOUT -> ErrorCode.REQUEST_TIMEOUT;
            case ADMIN_FORBIDDEN -> ErrorCode.FORBIDDEN;
            case CSRF_REFUSED -> ErrorCode.CSRF_REFUSED;
            // Not visible and missing are one answer: a tenant's admin learns nothing of other tenants.
            case NOT_VISIBLE, NO_SUCH_OBJECT -> ErrorCode.UNKNOWN_OBJECT;
            case CONFLICT -> ErrorCode.CONFLICT;
            case SEED_BATCH_TOO_LARGE -> ErrorCode.SEED_BATCH_TOO_LARGE;
            case TENANT_SEED_LIMIT -> ErrorCode.TENANT_SEED_LIMIT;
            case LOCKED_OUT -> ErrorCode.LOCKED_OUT;
            case RATE_LIMITED_PRINCIPAL_AND_LABEL, RATE_LIMITED_PRINCIPAL, RATE_LIMITED_TOKEN -> ErrorCode.RATE_LIMITED;
            case ON_BEHALF_NOT_PERMITTED -> ErrorCode.ON_BEHALF_NOT_PERMITTED;
            // The caller learns that it may not, not which rule is missing: the audit entry has the reason.
            case NO_MATCHING_RULE, GRANT_EXPIRED, OUTSIDE_TOKEN_SCOPE -> ErrorCode.FORBIDDEN;
            case DAILY_CAP_REACHED -> ErrorCode.DAILY_CAP_REACHED;
            case UNKNOWN_LABEL -> ErrorCode.UNKNOWN_LABEL;
            case KEY_UNAVAILABLE -> ErrorCode.KEY_UNAVAILABLE;
            case TENANT_KEY_REVOKED -> ErrorCode.TENANT_KEY_REVOKED;
            case TENANT_KEY_UNAVAILABLE -> ErrorCode.TENANT_KEY_UNAVAILABLE;
            case SEED_UNREADABLE, INTERNAL_ERROR -> ErrorCode.INTERNAL_ERROR;
            case STORE_UNAVAILABLE -> ErrorCode.STORE_UNAVAILABLE;
            case AUDIT_UNAVAILABLE -> ErrorCode.AUDIT_UNAVAILABLE;
        };
    }

    /** The reason behind a bare HTTP status produced outside our handlers (by Jetty or the router). */
    public static RefusalReason forStatus(int status) {
        return switch (status) {
            case 401 -> RefusalReason.UNAUTHENTICATED;
            case 404 -> RefusalReason.NO_SUCH_ROUTE;
            case 405 -> RefusalReason.METHOD_NOT_ALLOWED;
            case 408 -> RefusalReason.REQUEST_TIMEOUT;
            case 413 -> RefusalReason.REQUEST_TOO_LARGE;
            case 414 -> RefusalReason.URI_TOO_LONG;
            case 431 -> RefusalReason.HEADERS_TOO_LARGE;
            case 503 -> RefusalReason.STORE_UNAVAILABLE;
            // An HTTP version the server does not speak (HTTP/0.9, say) is the client's mistake, not an internal error.
            case 505 -> RefusalReason.BAD_REQUEST;
            default -> status >= 500 ? RefusalReason.INTERNAL_ERROR : RefusalReason.BAD_REQUEST;
        };
    }
}
