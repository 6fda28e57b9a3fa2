package dev.mfagate.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/** The outcome of {@link RateLimiter#tryAcquire}: {@link Permitted} or {@link Limited}. */
public sealed interface RateLimitDecision {

    /** Whether the request may go on. */
    boolean isPermitted();

    /** The request may go on; it used one token of each bucket. */
    record Permitted() implements RateLimitDecision {
        @Override
        public boolean isPermitted() {
            return true;
        }
    }

    /**
     * The request is over a limit; it used nothing.
     *
     * @param scope which limit
     * @param retryAfter how long until that limit would let one request through
     */
    record Limited(RateLimitScope scope, Duration retryAfter) implements RateLimitDecision {
        /** Validates. */
        public Limited {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** {@link #retryAfter()} rounded up to whole seconds, at least 1: the HTTP {@code Retry-After} value. */
        public long retryAfterSeconds() {
            long s = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
            return Math.max(1, s);
        }

        @Override
        public boolean isPermitted() {
            return false;
        }
    }
}
