package dev.mfagate.core.issue;

import dev.mfagate.core.Label;
import dev.mfagate.core.totp.TotpWindow;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@link CodeIssuer#issue} decided: {@link Issued} or {@link Refused}. Both are expected
 * outcomes; switch over them. By the time either is returned its audit entry is committed (except
 * {@link RefusalReason#AUDIT_UNAVAILABLE}, which says it could not be).
 */
public sealed interface IssueResult {

    /**
     * A code was issued.
     *
     * @param label the label
     * @param window the code, the seconds it stays valid, and the next code when little time is left
     * @param grant what allowed it, as the audit entry records it: {@code rule:<id>} or {@code token-scope}
     */
    record Issued(Label label, TotpWindow window, String grant) implements IssueResult {
        /** Validates. */
        public Issued {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(grant, "grant");
        }
    }

    /**
     * The request was refused.
     *
     * @param reason why
     * @param message a plain sentence for the caller; never holds a code, seed or token
     * @param retryAfter when a retry can succeed, for limits and passing failures
     * @param dailyCap for {@link RefusalReason#DAILY_CAP_REACHED}, how many codes a day the rules allow
     */
    record Refused(RefusalReason reason, String message, Optional<Duration> retryAfter, OptionalInt dailyCap)
            implements IssueResult, LabelsResult {
        /** Validates. */
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(dailyCap, "dailyCap");
        }

        /** A refusal without retry-after or cap. */
        public static Refused of(RefusalReason reason, String message) {
            return new Refused(reason, message, Optional.empty(), OptionalInt.empty());
        }

        /** A refusal with a retry-after delay. */
        public static Refused of(RefusalReason reason, String message, Duration retryAfter) {
            return new Refused(reason, message, Optional.of(retryAfter), OptionalInt.empty());
        }
    }
}
