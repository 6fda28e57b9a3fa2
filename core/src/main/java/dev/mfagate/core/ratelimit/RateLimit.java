package dev.mfagate.core.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;
import java.util.Objects;

/**
 * One token bucket: at most {@code capacity} requests in a burst, refilled by
 * {@code refillTokens} every {@code refillPeriod} (greedily, spread over the period).
 *
 * <p>For example {@code new RateLimit(5, 5, Duration.ofMinutes(1))} allows a burst of 5 and then
 * one more every 12 seconds. Immutable.
 *
 * @param capacity the burst size, at least 1
 * @param refillTokens tokens added per period, at least 1
 * @param refillPeriod the period, positive
 */
public record RateLimit(long capacity, long refillTokens, Duration refillPeriod) {

    /** Validates. */
    public RateLimit {
        Objects.requireNonNull(refillPeriod, "refillPeriod");
        if (capacity < 1) {
            throw new IllegalArgumentException("Invalid rate limit capacity " + capacity + ": must be at least 1");
        }
        if (refillTokens < 1) {
            throw new IllegalArgumentException("Invalid rate limit refill " + refillTokens + ": must be at least 1");
        }
        if (refillPeriod.isNegative() || refillPeriod.isZero()) {
            throw new IllegalArgumentException("Invalid rate limit period " + refillPeriod + ": must be positive");
        }
    }

    /**
     * The record's usual form, written out: picocli turns each option's value into text while it
     * parses {@code serve}'s command line, and a record's generated {@code toString} is bootstrapped
     * at its first call by spinning nine classes at run time, which the AOT cache does not keep.
     */
    @Override
    public String toString() {
        return new StringBuilder("RateLimit[capacity=").append(capacity).append(", refillTokens=").append(refillTokens)
                .append(", refillPeriod=").append(refillPeriod).append(']').toString();
    }

    /** {@code n} requests per {@code period}, burst {@code n}. */
    public static RateLimit perPeriod(long n, Duration period) {
        return new RateLimit(n, n, period);
    }

    /** The Bucket4j configuration for this limit. */
    BucketConfiguration toBucketConfiguration() {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(refillTokens, refillPeriod).build())
                .build();
    }

    /** How long an untouched bucket takes to fill up from empty: after that it equals a fresh one. */
    Duration timeToFill() {
        return refillPeriod.multipliedBy((capacity + refillTokens - 1) / refillTokens);
    }
}
