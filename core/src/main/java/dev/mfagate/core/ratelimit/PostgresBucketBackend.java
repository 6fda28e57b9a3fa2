package dev.mfagate.core.ratelimit;

import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Dialect;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Token buckets in PostgreSQL table {@code rate_limit_bucket} (created by the V2 migration), so
 * every gateway instance sharing the database draws from the same buckets.
 *
 * <p>Uses Bucket4j's {@code PostgreSQLSelectForUpdateBasedProxyManager}: each consumption is one
 * short transaction that locks the bucket's row ({@code SELECT ... FOR UPDATE}), so concurrent
 * instances serialise per bucket and never over-admit. Bucket state is computed from the
 * instances' own clocks, which therefore must be NTP-synchronised (skew shifts refill by the skew).
 * Rows carry an expiry (the time the bucket needs to refill, plus a minute, stamped by Bucket4j
 * from the system clock); {@link #removeExpired} deletes expired rows and should run periodically
 * (the gateway schedules it).
 *
 * <p><b>Leases.</b> A bucket whose capacity is at least {@value #LEASE_MIN_CAPACITY} is not taken
 * from one token at a time: the instance takes a small batch ({@code capacity / 32}, at most
 * {@value #MAX_LEASE}) in one transaction and hands those tokens out from memory for at most
 * {@link #LEASE_TTL}, then gives back what it did not use. Every token handed out was first taken
 * from the shared row, so the instances together never admit more than the bucket allows; the cost
 * is that an instance can hold up to {@code capacity / 32} tokens of a bucket for a moment while
 * another is refused. Small buckets (the defaults, and every limit under
 * {@value #LEASE_MIN_CAPACITY}) are taken one token per request as before. Leftovers of leases
 * that ran out are given back on the next request the instance serves; an instance that stops
 * serving keeps at most one lease per bucket, which the bucket's own refill then makes up.
 * Without leases a busy caller's every request locked the same rows three times (see
 * docs/multi-instance.md); Bucket4j has no batching of its own for this, hence the code here.
 *
 * <p>Thread-safe. Each round trip borrows a connection from
 * {@link Database#relaxedDurabilityDataSource()}.
 */
public final class PostgresBucketBackend implements BucketBackend {

    /** Buckets smaller than this are taken one token per request. */
    static final long LEASE_MIN_CAPACITY = 64;
    /**
     * The most tokens one lease holds: with {@code capacity / 32} the bound on what an instance may
     * hold back stays a thirty-second of the bucket; this cap only keeps huge buckets' leases sane.
     */
    static final long MAX_LEASE = 256;
    /** How long an instance may keep tokens it has taken but not yet handed out. */
    static final Duration LEASE_TTL = Duration.ofMillis(250);

    private final ProxyManager<String> proxyManager;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> cleaner;
    private final Clock clock;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private volatile long nextLeaseSweepMillis;

    /** Tokens of one bucket taken from the shared row and not yet handed out. */
    private static final class Lease {
        final ReentrantLock lock = new ReentrantLock();
        final RateLimit limit;
        long tokens;
        long expiresAtMillis;

        Lease(RateLimit limit) {
            this.limit = limit;
        }
    }

    /**
     * Buckets in {@code db}, timed by {@code clock}.
     *
     * @throws IllegalArgumentException when {@code db} is not PostgreSQL
     */
    public PostgresBucketBackend(Database db, Clock clock) {
        Objects.requireNonNull(db, "db");
        if (db.dialect() != Dialect.POSTGRESQL) {
            throw new IllegalArgumentException("PostgresBucketBackend needs a PostgreSQL database, not " + db.dialect());
        }
        // Bucket rows go through the relaxed-durability pool: their commits need not wait for the
        // WAL flush (a database crash can only hand back a fraction of a second of tokens), which
        // shortens the time each hot row stays locked. The audit trail never uses that pool.
        this.cleaner = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(db.relaxedDurabilityDataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_bucket")
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .clientClock(new ClockTimeMeter(Objects.requireNonNull(clock, "clock")))
                .build();
        this.proxyManager = cleaner;
        this.clock = clock;
    }

    /** How many tokens one lease of a bucket with {@code limit} takes: 1 for small buckets. */
    static long leaseSize(RateLimit limit) {
        return limit.capacity() < LEASE_MIN_CAPACITY ? 1 : Math.min(MAX_LEASE, limit.capacity() / 32);
    }

    /**
     * The row of {@code key} under {@code limit}: the limit is part of the id. Bucket4j applies a
     * bucket's configuration only when it creates its row, so with the key alone a limit changed and
     * restarted with kept the old one until the row expired (about an hour for a bucket being abused,
     * which never refills), and instances started with different limits used whichever came first.
     * A changed limit therefore starts its buckets anew; the old rows expire and are swept.
     */
    static String rowId(String key, RateLimit limit) {
        return key + "|" + limit.capacity() + "/" + limit.refillTokens() + "/" + limit.refillPeriod().toMillis();
    }

    @Override
    public long tryConsumeNanosToWait(String bucketKey, RateLimit limit) {
        String key = rowId(bucketKey, limit);
        long size = leaseSize(limit);
        if (size == 1) {
            return takeOne(key, limit);
        }
        long now = clock.millis();
        if (now >= nextLeaseSweepMillis) {
            nextLeaseSweepMillis = now + LEASE_TTL.toMillis();
            returnExpiredLeases(now);
        }
        Lease lease = leases.computeIfAbsent(key, k -> new Lease(limit));
        lease.lock.lock();
        try {
            if (lease.tokens > 0 && now < lease.expiresAtMillis) {
                lease.tokens--;
                return 0;
            }
            giveBack(key, lease);
            long taken = proxyManager.getProxy(key, limit::toBucketConfiguration).tryConsumeAsMuchAsPossible(size);
            if (taken > 0) {
                lease.tokens = taken - 1;
                lease.expiresAtMillis = now + LEASE_TTL.toMillis();
                return 0;
            }
        } finally {
            lease.lock.unlock();
        }
        // The shared bucket is empty: one more round trip learns how long until it is not (and
        // takes a token if one came back in the meantime).
        return takeOne(key, limit);
    }

    @Override
    public void refund(String bucketKey, RateLimit limit) {
        String key = rowId(bucketKey, limit);
        Lease lease = leaseSize(limit) == 1 ? null : leases.get(key);
        if (lease != null) {
            lease.lock.lock();
            try {
                if (clock.millis() < lease.expiresAtMillis) {
                    lease.tokens++;
                    return;
                }
            } finally {
                lease.lock.unlock();
            }
        }
        proxyManager.getProxy(key, limit::toBucketConfiguration).addTokens(1);
    }

    /** Gives every lease that has run out back to its shared bucket and forgets it. */
    private void returnExpiredLeases(long now) {
        for (var e : leases.entrySet()) {
            Lease lease = e.getValue();
            if (now >= lease.expiresAtMillis && lease.lock.tryLock()) {
                try {
                    giveBack(e.getKey(), lease);
                    leases.remove(e.getKey(), lease);
                } finally {
                    lease.lock.unlock();
                }
            }
        }
    }

    /** Returns a held lease's unused tokens to the shared bucket (never beyond its capacity). */
    private void giveBack(String key, Lease lease) {
        if (lease.tokens > 0) {
            long left = lease.tokens;
            lease.tokens = 0;
            proxyManager.getProxy(key, lease.limit::toBucketConfiguration).addTokens(left);
        }
    }

    private long takeOne(String key, RateLimit limit) {
        var probe = proxyManager.getProxy(key, limit::toBucketConfiguration).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    }

    /** Deletes up to {@code batchSize} expired bucket rows; returns how many went. */
    public int removeExpired(int batchSize) {
        return cleaner.removeExpired(batchSize);
    }
}
