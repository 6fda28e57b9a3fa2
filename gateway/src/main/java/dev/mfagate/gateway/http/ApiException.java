package dev.mfagate.gateway.http;

import dev.mfagate.core.issue.IssueResult;
import dev.mfagate.core.issue.RefusalReason;
import java.time.Duration;
import java.util.Objects;

/**
 * A refusal on its way to the one error mapper ({@link ErrorMapping} for the wire code and status).
 * Thrown by the guard and the handlers; carries the {@link IssueResult.Refused} value itself, so the
 * reason travels as an enum, never as a string.
 *
 * <p>The message is shown to the caller: it must never contain a code, seed or token.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient IssueResult.Refused refusal;
    private final boolean audited;

    private ApiException(IssueResult.Refused refusal, boolean audited) {
        super(refusal.message(), null, false, false);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
        this.audited = audited;
    }

    /** A refusal the door makes itself; the error mapper audits it. */
    public static ApiException atDoor(RefusalReason reason, String message) {
        return new ApiException(IssueResult.Refused.of(reason, message), false);
    }

    /** A refusal the door makes itself, with a {@code Retry-After} delay; the error mapper audits it. */
    public static ApiException atDoor(RefusalReason reason, String message, Duration retryAfter) {
        return new ApiException(IssueResult.Refused.of(reason, message, retryAfter), false);
    }

    /** A refusal from the code issuer, whose audit entry is committed already. */
    public static ApiException audited(IssueResult.Refused refusal) {
        return new ApiException(refusal, true);
    }

    /** The refusal. */
    public IssueResult.Refused refusal() {
        return refusal;
    }

    /** Whether its audit entry is written already. */
    public boolean isAudited() {
        return audited;
    }
}
