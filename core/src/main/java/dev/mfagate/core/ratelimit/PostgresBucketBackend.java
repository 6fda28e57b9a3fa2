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
 * <p>Thread-safe. Each call borrows a connection from {@link Database#relaxedDurabilityDataSource()}.
 */
public final class PostgresBucketBackend implements BucketBackend {

    private final ProxyManager<String> proxyManager;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> cleaner;

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
    }

    @Override
    public long tryConsumeNanosToWait(String key, RateLimit limit) {
        var probe = proxyManager.getProxy(key, limit::toBucketConfiguration).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    }

    @Override
    public void refund(String key, RateLimit limit) {
        proxyManager.getProxy(key, limit::toBucketConfiguration).addTokens(1);
    }

    /** Deletes up to {@code batchSize} expired bucket rows; returns how many went. */
    public int removeExpired(int batchSize) {
        return cleaner.removeExpired(batchSize);
    }
}
