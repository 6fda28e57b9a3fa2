package dev.mfagate.core.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** Whether a principal is locked out: {@link Open} or {@link Locked}. */
public sealed interface LockoutStatus {

    /** Whether requests from the principal must be refused. */
    boolean isLocked();

    /**
     * Not locked out.
     *
     * @param denialsInWindow denials counted in the current window (0 after a success)
     */
    record Open(int denialsInWindow) implements LockoutStatus {
        @Override
        public boolean isLocked() {
            return false;
        }
    }

    /**
     * Locked out until {@code until}.
     *
     * @param until when the lockout ends
     * @param startedNow true when the denial just recorded started this lockout: the gateway
     *     audits that event once
     */
    record Locked(Instant until, boolean startedNow) implements LockoutStatus {
        /** Validates. */
        public Locked {
            Objects.requireNonNull(until, "until");
        }

        /** Time left at {@code now}, never negative. */
        public Duration remainingAt(Instant now) {
            Duration d = Duration.between(now, until);
            return d.isNegative() ? Duration.ZERO : d;
        }

        @Override
        public boolean isLocked() {
            return true;
        }
    }
}
