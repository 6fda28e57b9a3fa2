package dev.mfagate.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RateLimiterTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Label AWS = Label.parse("acme-aws");
    static final Label DB = Label.parse("acme-db");
    static final RateLimitConfig SMALL = new RateLimitConfig(
            RateLimit.perPeriod(2, Duration.ofMinutes(1)),
            RateLimit.perPeriod(3, Duration.ofMinutes(1)),
            RateLimit.perPeriod(5, Duration.ofMinutes(1)));

    final MutableClock clock = new MutableClock(Instant.parse("2025-11-02T10:00:00Z"));

    RateLimiter limiter(Backend backend) {
        return RateLimiter.forDatabase(DBS.fresh(backend).db(), SMALL, clock);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tryAcquire_overPrincipalAndLabelLimit_limitedWithRetryAfter(Backend backend) {
        RateLimiter limiter = limiter(backend);
        assertThat(limiter.tryAcquire("bot", "user:42", AWS).isPermitted()).isTrue();
        assertThat(limiter.tryAcquire("bot", "user:42", AWS).isPermitted()).isTrue();

        RateLimitDecision third = limiter.tryAcquire("bot", "user:42", AWS);

        assertThat(third).isInstanceOfSatisfying(RateLimitDecision.Limited.class, l -> {
            assertThat(l.scope()).isEqualTo(RateLimitScope.PRINCIPAL_AND_LABEL);
            assertThat(l.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(l.retryAfterSeconds()).isEqualTo(30);
        });
        clock.advance(Duration.ofSeconds(30));
        assertThat(limiter.tryAcquire("bot", "user:42", AWS).isPermitted()).as("refilled one").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tryAcquire_overPrincipalLimitAcrossLabels_limitedByPrincipal(Backend backend) {
        RateLimiter limiter = limiter(backend);
        limiter.tryAcquire("bot", "user:42", AWS);
        limiter.tryAcquire("bot", "user:42", AWS);
        limiter.tryAcquire("bot", "user:42", DB);

        RateLimitDecision d = limiter.tryAcquire("bot", "user:42", DB);

        assertThat(d).isInstanceOfSatisfying(RateLimitDecision.Limited.class,
                l -> assertThat(l.scope()).isEqualTo(RateLimitScope.PRINCIPAL));
        assertThat(limiter.tryAcquire("bot", "user:43", DB).isPermitted()).as("other users unaffected").isTrue();
    }

    @Test
    void tryAcquire_overTokenLimit_limitedByTokenAndRefusedRequestsUseNothing() {
        RateLimiter limiter = limiter(Backend.SQLITE);
        for (int user = 1; user <= 5; user++) {
            assertThat(limiter.tryAcquire("bot", "user:" + user, AWS).isPermitted()).isTrue();
        }
        RateLimitDecision d = limiter.tryAcquire("bot", "user:6", AWS);
        assertThat(d).isInstanceOfSatisfying(RateLimitDecision.Limited.class, l -> assertThat(l.scope()).isEqualTo(RateLimitScope.TOKEN));

        // user:6's per-principal buckets were refunded: after the token bucket refills, it has its full allowance.
        clock.advance(Duration.ofMinutes(1));
        assertThat(limiter.tryAcquire("bot", "user:6", AWS).isPermitted()).isTrue();
        assertThat(limiter.tryAcquire("bot", "user:6", AWS).isPermitted()).isTrue();
    }

    @Test
    void tryAcquire_twoLimitersSharingPostgres_limitHeldAcrossInstances() throws Exception {
        var store = DBS.fresh(Backend.POSTGRESQL);
        RateLimitConfig config = new RateLimitConfig(RateLimit.perPeriod(10, Duration.ofHours(1)),
                RateLimit.perPeriod(100, Duration.ofHours(1)), RateLimit.perPeriod(100, Duration.ofHours(1)));
        RateLimiter first = RateLimiter.forDatabase(store.db(), config, clock);
        RateLimiter second = RateLimiter.forDatabase(store.openAnother(), config, clock);

        int permitted = 0;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RateLimitDecision>> results = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                RateLimiter which = i % 2 == 0 ? first : second;
                results.add(threads.submit(() -> which.tryAcquire("bot", "user:42", AWS)));
            }
            for (Future<RateLimitDecision> f : results) {
                permitted += f.get().isPermitted() ? 1 : 0;
            }
        }
        assertThat(permitted).isEqualTo(10);
    }

    @Test
    void tryAcquire_leasedBucketsOnTwoInstances_neverAdmitMoreThanCapacity() throws Exception {
        var store = DBS.fresh(Backend.POSTGRESQL);
        RateLimit big = RateLimit.perPeriod(640, Duration.ofHours(1));
        assertThat(PostgresBucketBackend.leaseSize(big)).as("leased in batches").isEqualTo(20);
        RateLimitConfig config = new RateLimitConfig(big, big, big);
        RateLimiter first = RateLimiter.forDatabase(store.db(), config, clock);
        RateLimiter second = RateLimiter.forDatabase(store.openAnother(), config, clock);

        int permitted = 0;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RateLimitDecision>> results = new ArrayList<>();
            for (int i = 0; i < 900; i++) {
                RateLimiter which = i % 2 == 0 ? first : second;
                results.add(threads.submit(() -> which.tryAcquire("bot", "user:42", AWS)));
            }
            for (Future<RateLimitDecision> f : results) {
                permitted += f.get().isPermitted() ? 1 : 0;
            }
        }
        assertThat(permitted).as("never beyond the shared capacity").isLessThanOrEqualTo(640)
                .as("at most one lease per instance and bucket left unused").isGreaterThanOrEqualTo(640 - 2 * 3 * 20);

        // Leftovers go back once their lease runs out: after it, the other instance gets them.
        clock.advance(Duration.ofSeconds(1));
        int more = 0;
        for (int i = 0; i < 200; i++) {
            more += first.tryAcquire("bot", "user:42", AWS).isPermitted() ? 1 : 0;
            more += second.tryAcquire("bot", "user:42", AWS).isPermitted() ? 1 : 0;
        }
        assertThat(permitted + more).as("a second's refill (640 an hour) adds under one token").isLessThanOrEqualTo(641);
    }

    @Test
    void leaseSize_smallBuckets_oneTokenAtATime() {
        assertThat(PostgresBucketBackend.leaseSize(RateLimit.perPeriod(63, Duration.ofMinutes(1)))).isEqualTo(1);
        assertThat(PostgresBucketBackend.leaseSize(RateLimit.perPeriod(64, Duration.ofMinutes(1)))).isEqualTo(2);
        assertThat(PostgresBucketBackend.leaseSize(RateLimit.perPeriod(4_096, Duration.ofMinutes(1)))).isEqualTo(128);
        assertThat(PostgresBucketBackend.leaseSize(RateLimit.perPeriod(100_000, Duration.ofMinutes(1)))).isEqualTo(256);
    }

    @Test
    void removeExpired_expiredAndLiveBuckets_removesOnlyExpired() {
        Database pg = DBS.fresh(Backend.POSTGRESQL).db();
        PostgresBucketBackend backend = new PostgresBucketBackend(pg, clock);
        RateLimit limit = RateLimit.perPeriod(1, Duration.ofSeconds(1));
        backend.tryConsumeNanosToWait("old", limit);
        backend.tryConsumeNanosToWait("live", limit);
        assertThat(backend.removeExpired(100)).as("rows live about a minute past their refill").isZero();
        // Bucket4j stamps expiry from the system clock, so age the row directly.
        pg.jdbi().useHandle(h -> h.execute("UPDATE rate_limit_bucket SET expires_at = 0 WHERE id = ?",
                PostgresBucketBackend.rowId("old", limit)));

        assertThat(backend.removeExpired(100)).isEqualTo(1);
        List<String> left = pg.jdbi().withHandle(h -> h.createQuery("SELECT id FROM rate_limit_bucket").mapTo(String.class).list());
        assertThat(left).containsExactly(PostgresBucketBackend.rowId("live", limit));
    }

    @Test
    void postgresBackend_limitChanged_appliesToABucketThatExists() {
        Database pg = DBS.fresh(Backend.POSTGRESQL).db();
        RateLimit generous = RateLimit.perPeriod(50, Duration.ofHours(1));
        PostgresBucketBackend before = new PostgresBucketBackend(pg, clock);
        for (int i = 0; i < 50; i++) {
            assertThat(before.tryConsumeNanosToWait("pl|token:t1|acme-aws", generous)).isZero();
        }
        assertThat(before.tryConsumeNanosToWait("pl|token:t1|acme-aws", generous)).as("used up").isPositive();
        // A restart with the limit raised: before, the row kept 50 an hour (retry in minutes) until it expired.
        PostgresBucketBackend raised = new PostgresBucketBackend(pg, clock);
        assertThat(raised.tryConsumeNanosToWait("pl|token:t1|acme-aws", RateLimit.perPeriod(1_000, Duration.ofMinutes(1)))).isZero();
        // And lowered: a fresh row under the new limit admits no more than it.
        PostgresBucketBackend lowered = new PostgresBucketBackend(pg, clock);
        RateLimit strict = RateLimit.perPeriod(3, Duration.ofMinutes(1));
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += lowered.tryConsumeNanosToWait("pl|token:t2|acme-aws", strict) == 0 ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(3);
    }

    @Test
    void postgresBackend_onSqlite_rejected() {
        Database sqlite = DBS.fresh(Backend.SQLITE).db();
        assertThatThrownBy(() -> new PostgresBucketBackend(sqlite, clock)).hasMessageContaining("needs a PostgreSQL database");
    }

    @Test
    void localBackend_manyKeys_prunesFullBuckets() {
        LocalBucketBackend backend = new LocalBucketBackend(clock, 10);
        RateLimit limit = RateLimit.perPeriod(1, Duration.ofSeconds(1));
        for (int i = 0; i < 20; i++) {
            backend.tryConsumeNanosToWait("k" + i, limit);
        }
        clock.advance(Duration.ofSeconds(2));
        backend.tryConsumeNanosToWait("fresh", limit);
        assertThat(backend.size()).isEqualTo(1);
    }

    @Test
    void rateLimit_invalidValues_rejectedNamingTheRule() {
        assertThatThrownBy(() -> new RateLimit(0, 1, Duration.ofSeconds(1))).hasMessageContaining("capacity 0: must be at least 1");
        assertThatThrownBy(() -> new RateLimit(1, 1, Duration.ZERO)).hasMessageContaining("must be positive");
    }

    @Test
    void defaults_documentedValues() {
        RateLimitConfig d = RateLimitConfig.defaults();
        assertThat(d.perPrincipalAndLabel()).isEqualTo(RateLimit.perPeriod(5, Duration.ofMinutes(1)));
        assertThat(d.perPrincipal()).isEqualTo(RateLimit.perPeriod(20, Duration.ofMinutes(1)));
        assertThat(d.perToken()).isEqualTo(RateLimit.perPeriod(300, Duration.ofMinutes(1)));
    }
}
