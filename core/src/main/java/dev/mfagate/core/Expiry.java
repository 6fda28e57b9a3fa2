package dev.mfagate.core;

import java.time.Duration;
import java.time.Instant;

/**
 * The bound on when a token or a time-boxed grant may expire, checked wherever one is created (admin
 * API, CLI, policy file). An expiry is stored as epoch milliseconds, and {@code Instant} reaches far
 * beyond what a {@code long} of them holds; the end of year 9999 UTC keeps every expiry
 * representable, and is the bound the audit queries use. Stateless.
 *
 * <p>Out of scope: the lower bound ("after now"), which each caller words for its own input.
 */
public final class Expiry {

    /** The latest expiry accepted (the end of year 9999 UTC). */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Expiry() {
    }

    /**
     * Returns {@code expiresAt} if it is at most {@link #LATEST}.
     *
     * @param what the name of the value in the message, such as {@code expires_at}
     * @throws IllegalArgumentException naming the value and the bound
     */
    public static Instant requireRepresentable(Instant expiresAt, String what) {
        if (expiresAt.isAfter(LATEST)) {
            throw new IllegalArgumentException("Invalid " + what + " " + expiresAt + "; must be at most " + LATEST);
        }
        return expiresAt;
    }

    /**
     * {@code now} plus {@code lifetime}, refused when the lifetime is not positive (an expiry must be
     * after now) or would end after {@link #LATEST} (rather than overflowing, as {@link Instant#plus}
     * does for the longest durations).
     *
     * @param what the name of the value in the message, such as {@code --expires}
     * @throws IllegalArgumentException naming the value and the shortest or longest lifetime allowed
     */
    public static Instant after(Instant now, Duration lifetime, String what) {
        if (lifetime.isZero() || lifetime.isNegative()) {
            throw new IllegalArgumentException("Invalid " + what + " " + lifetime + ": must be longer than 0 (for example 30d)");
        }
        Duration longest = Duration.between(now, LATEST);
        if (lifetime.compareTo(longest) > 0) {
            throw new IllegalArgumentException("Invalid " + what + "; must end by " + LATEST + ", at most "
                    + longest.toDays() + "d from now");
        }
        return now.plus(lifetime);
    }
}
