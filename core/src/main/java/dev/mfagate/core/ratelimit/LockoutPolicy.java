package dev.mfagate.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * When denials lock a principal out: {@code maxDenials} denials within {@code window} lock it out
 * for {@code lockoutDuration}. Defaults ({@link #defaults()}): 5 denials in 10 minutes lock out
 * for 15 minutes.
 *
 * @param maxDenials denials that trigger a lockout, at least 1
 * @param window how far back denials count, positive
 * @param lockoutDuration how long a lockout lasts, positive
 */
public record LockoutPolicy(int maxDenials, Duration window, Duration lockoutDuration) {

    /** Validates. */
    public LockoutPolicy {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(lockoutDuration, "lockoutDuration");
        if (maxDenials < 1) {
            throw new IllegalArgumentException("Invalid lockout maxDenials " + maxDenials + ": must be at least 1");
        }
        if (window.toMillis() < 1 || lockoutDuration.toMillis() < 1) {
            throw new IllegalArgumentException("Invalid lockout window " + window + " / duration " + lockoutDuration
                    + ": both must be at least 1 ms");
        }
    }

    /** 5 denials in 10 minutes lock out for 15 minutes. */
    public static LockoutPolicy defaults() {
        return new LockoutPolicy(5, Duration.ofMinutes(10), Duration.ofMinutes(15));
    }
}
