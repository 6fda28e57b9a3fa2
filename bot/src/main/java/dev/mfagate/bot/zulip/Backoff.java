package dev.mfagate.bot.zulip;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": try {@code n} (from 0) waits a random time between half and
 * all of {@code min(max, base * 2^n)}, so that clients who failed together do not retry together, while
 * every wait keeps a floor. Immutable and thread-safe.
 *
 * @param base the first wait (before jitter)
 * @param max the longest wait
 */
public record Backoff(Duration base, Duration max) {

    /** Checks that both are positive and {@code base <= max}. */
    public Backoff {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff base " + base + " must be positive and at most max " + max);
        }
    }

    /** The upper bound of wait number {@code attempt} (0-based), before jitter. */
    public Duration ceiling(int attempt) {
        int shift = Math.min(Math.max(attempt, 0), 30);
        long ms = base.toMillis() << shift;
        return ms <= 0 || ms > max.toMillis() ? max : Duration.ofMillis(ms);
    }

    /** A jittered wait for try {@code attempt}: uniformly between half the ceiling and the ceiling. */
    public Duration delay(int attempt) {
        long ceiling = Math.max(1, ceiling(attempt).toMillis());
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }
}
