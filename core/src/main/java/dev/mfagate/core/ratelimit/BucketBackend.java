package dev.mfagate.core.ratelimit;

/**
 * Where token buckets live: in this process ({@link LocalBucketBackend}, for a single SQLite
 * instance) or in PostgreSQL ({@link PostgresBucketBackend}, so limits hold across instances).
 *
 * <p>Implementations must be thread-safe. Bucket keys are opaque strings chosen by
 * {@link RateLimiter}; a key is always used with the same {@link RateLimit}.
 */
public interface BucketBackend {

    /**
     * Takes one token from bucket {@code key} (created full on first use).
     *
     * @return 0 when a token was taken, else the nanoseconds until one will be available (nothing
     *     was taken)
     */
    long tryConsumeNanosToWait(String key, RateLimit limit);

    /** Gives back one token taken by {@link #tryConsumeNanosToWait}, never beyond capacity. */
    void refund(String key, RateLimit limit);
}
