package dev.mfagate.gateway.http;

import dev.mfagate.api.ErrorCode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A failure that maps to one JSON error response. Thrown by handlers and guards; turned into
 * {@code {"error":{"code":...,"message":...}}} with the code's HTTP status in one place
 * ({@link ErrorResponses}).
 *
 * <p>The message is shown to the caller: it must never contain a code, seed or token.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Duration retryAfter;
    private final Integer dailyCap;

    /** An error without {@code Retry-After}. */
    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** An error with a {@code Retry-After} delay (for 429 and 503). */
    public ApiException(ErrorCode code, String message, Duration retryAfter) {
        this(code, message, retryAfter, null);
    }

    /** An error with a {@code Retry-After} delay and, for {@link ErrorCode#DAILY_CAP_REACHED}, the cap (may be null). */
    public ApiException(ErrorCode code, String message, Duration retryAfter, Integer dailyCap) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfter = retryAfter;
        this.dailyCap = dailyCap;
    }

    /** The wire error. */
    public ErrorCode code() {
        return code;
    }

    /** The {@code error.daily_cap} to send, or null. */
    public Integer dailyCap() {
        return dailyCap;
    }

    /** The delay to send as {@code Retry-After}, if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
