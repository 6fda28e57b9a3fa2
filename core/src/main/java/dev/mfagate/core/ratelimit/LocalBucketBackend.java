package dev.mfagate.core.ratelimit;

import io.github.bucket4j.Bucket;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets in this process's memory (Bucket4j local buckets). Right for one gateway
 * instance on SQLite; limits are per process and reset on restart.
 *
 * <p>Memory is bounded: above {@code maxBuckets} buckets, buckets that have refilled completely
 * (and so are indistinguishable from new ones) are dropped. Thread-safe.
 */
public final class LocalBucketBackend implements BucketBackend {

    /** Default number of buckets above which full buckets are dropped. */
    public static final int DEFAULT_MAX_BUCKETS = 100_000;

    private final ClockTimeMeter timeMeter;
    private final int maxBuckets;
    private final ConcurrentHashMap<String, Held> buckets = new ConcurrentHashMap<>();

    private record Held(Bucket bucket, long capacity) {
    }

    /** Buckets timed by {@code clock}. */
    public LocalBucketBackend(Clock clock) {
        this(clock, DEFAULT_MAX_BUCKETS);
    }

    /** Buckets timed by {@code clock}, pruned above {@code maxBuckets}. */
    public LocalBucketBackend(Clock clock, int maxBuckets) {
        this.timeMeter = new ClockTimeMeter(Objects.requireNonNull(clock, "clock"));
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("maxBuckets " + maxBuckets + " must be at least 1");
        }
        this.maxBuckets = maxBuckets;
    }

    @Override
    public long tryConsumeNanosToWait(String key, RateLimit limit) {
        if (buckets.size() > maxBuckets) {
            pruneFullBuckets();
        }
        var probe = bucket(key, limit).bucket().tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    }

    @Override
    public void refund(String key, RateLimit limit) {
        bucket(key, limit).bucket().addTokens(1);
    }

    /** How many buckets are held (for tests and metrics). */
    public int size() {
        return buckets.size();
    }

    private Held bucket(String key, RateLimit limit) {
        return buckets.computeIfAbsent(key, k -> new Held(Bucket.builder()
                .addLimit(limit.toBucketConfiguration().getBandwidths()[0])
                .withCustomTimePrecision(timeMeter)
                .build(), limit.capacity()));
    }

    private void pruneFullBuckets() {
        buckets.values().removeIf(h -> h.bucket().getAvailableTokens() >= h.capacity());
    }
}
