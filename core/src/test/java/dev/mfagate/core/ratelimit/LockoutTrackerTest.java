package dev.mfagate.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mfagate.core.store.Database;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LockoutTrackerTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant T0 = Instant.parse("2025-11-02T10:00:00Z");
    static final LockoutPolicy POLICY = LockoutPolicy.defaults();
    static final String ANN = "user:42";

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordDenial_fifthInWindow_locksOutOnceFor15Minutes(Backend backend) {
        LockoutTracker tracker = new LockoutTracker(DBS.fresh(backend).db(), POLICY);
        for (int i = 1; i <= 4; i++) {
            assertThat(tracker.recordDenial(ANN, T0.plusSeconds(i))).isEqualTo(new LockoutStatus.Open(i));
        }
        Instant fifth = T0.plusSeconds(5);
        Instant until = fifth.plus(Duration.ofMinutes(15));

        assertThat(tracker.recordDenial(ANN, fifth)).isEqualTo(new LockoutStatus.Locked(until, true));
        assertThat(tracker.recordDenial(ANN, fifth.plusSeconds(1))).as("no extension, not started again")
                .isEqualTo(new LockoutStatus.Locked(until, false));
        assertThat(tracker.check(ANN, until.minusMillis(1))).isEqualTo(new LockoutStatus.Locked(until, false));
        assertThat(tracker.check(ANN, until)).isEqualTo(new LockoutStatus.Open(0));
        assertThat(tracker.recordDenial(ANN, until.plusSeconds(1))).as("a fresh window after the lockout").isEqualTo(new LockoutStatus.Open(1));
        assertThat(tracker.check("user:43", T0)).isEqualTo(new LockoutStatus.Open(0));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordDenial_spreadBeyondWindow_neverLocks(Backend backend) {
        LockoutTracker tracker = new LockoutTracker(DBS.fresh(backend).db(), POLICY);
        for (int i = 0; i < 12; i++) {
            assertThat(tracker.recordDenial(ANN, T0.plus(Duration.ofMinutes(3L * i))).isLocked()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordDenial_fiveWithinAnyWindow_locksEvenAcrossTheFirstDenialsWindow(Backend backend) {
        // Denials at 0, 3, 6, 9, 12 and 12.5 minutes: no ten minutes hold five until 12.5 min (3, 6, 9, 12, 12.5).
        // A window fixed at the first denial would have restarted at 12 min and never locked.
        LockoutTracker tracker = new LockoutTracker(DBS.fresh(backend).db(), POLICY);
        for (int minute : new int[] {0, 3, 6, 9}) {
            assertThat(tracker.recordDenial(ANN, T0.plus(Duration.ofMinutes(minute))).isLocked()).isFalse();
        }
        Instant twelve = T0.plus(Duration.ofMinutes(12));
        assertThat(tracker.recordDenial(ANN, twelve)).as("the denial at 0 min has aged out").isEqualTo(new LockoutStatus.Open(4));
        assertThat(tracker.check(ANN, twelve)).isEqualTo(new LockoutStatus.Open(4));
        Instant later = twelve.plusSeconds(30);
        assertThat(tracker.recordDenial(ANN, later)).isEqualTo(new LockoutStatus.Locked(later.plus(Duration.ofMinutes(15)), true));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void check_denialsOlderThanWindow_ageOut(Backend backend) {
        LockoutTracker tracker = new LockoutTracker(DBS.fresh(backend).db(), POLICY);
        tracker.recordDenial(ANN, T0);
        tracker.recordDenial(ANN, T0.plus(Duration.ofMinutes(5)));
        assertThat(tracker.check(ANN, T0.plus(Duration.ofMinutes(10)).minusMillis(1))).isEqualTo(new LockoutStatus.Open(2));
        assertThat(tracker.check(ANN, T0.plus(Duration.ofMinutes(10)))).isEqualTo(new LockoutStatus.Open(1));
        assertThat(tracker.check(ANN, T0.plus(Duration.ofMinutes(15)))).isEqualTo(new LockoutStatus.Open(0));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordDenial_concurrentOnTwoInstances_allCountedOneLockoutStart(Backend backend) throws Exception {
        var store = DBS.fresh(backend);
        LockoutTracker first = new LockoutTracker(store.db(), POLICY);
        LockoutTracker second = new LockoutTracker(store.openAnother(), POLICY);
        int started = 0;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LockoutStatus>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                LockoutTracker which = i % 2 == 0 ? first : second;
                Instant at = T0.plusMillis(i);
                results.add(threads.submit(() -> which.recordDenial(ANN, at)));
            }
            for (Future<LockoutStatus> f : results) {
                if (f.get() instanceof LockoutStatus.Locked l && l.startedNow()) {
                    started++;
                }
            }
        }
        assertThat(started).isEqualTo(1);
        assertThat(second.check(ANN, T0.plusSeconds(1)).isLocked()).isTrue();
        assertThat(first.check(ANN, T0.plusSeconds(1)).isLocked()).isTrue();
    }

    /**
     * More concurrent denials than the machine has carriers for virtual threads, on two instances
     * over one SQLite file, while another writer of the file parks inside its transaction (a
     * console write that logs, say). Each denial waits for the write lock in Java, off its carrier,
     * so the parked writer gets a carrier back and commits, and every denial is counted; waiting in
     * SQLite's busy handler instead kept every carrier, and the denials failed with SQLITE_BUSY.
     */
    @Test
    void recordDenial_concurrentWhileAnotherWriterParks_sqlite_allCountedOneLockoutStart() {
        var store = DBS.fresh(Backend.SQLITE);
        Database first = store.db();
        Database second = store.openAnother();
        int denials = 6;
        List<LockoutStatus> statuses = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            CountDownLatch holding = new CountDownLatch(1);
            Thread parker = Thread.ofVirtual().start(() -> first.jdbi().useTransaction(h -> {
                h.createUpdate("INSERT INTO lockout_state (principal_key, window_start_ms, denials) VALUES ('user:other', 0, 1)")
                        .execute();
                holding.countDown();
                parkFor(Duration.ofMillis(200));
            }));
            holding.await();
            List<LockoutStatus> out = new ArrayList<>();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<LockoutStatus>> results = new ArrayList<>();
                for (int i = 0; i < denials; i++) {
                    LockoutTracker which = new LockoutTracker(i % 2 == 0 ? first : second, POLICY);
                    Instant at = T0.plusMillis(i);
                    results.add(threads.submit(() -> which.recordDenial(ANN, at)));
                }
                for (Future<LockoutStatus> f : results) {
                    out.add(f.get());
                }
            }
            parker.join();
            return out;
        });
        assertThat(statuses).filteredOn(s -> s instanceof LockoutStatus.Locked l && l.startedNow()).hasSize(1);
        assertThat(statuses).filteredOn(s -> s instanceof LockoutStatus.Open).hasSize(POLICY.maxDenials() - 1);
        assertThat(statuses).filteredOn(s -> s instanceof LockoutStatus.Locked l && !l.startedNow())
                .hasSize(denials - POLICY.maxDenials());
        Integer parkersRows = second.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM lockout_state WHERE principal_key = 'user:other'").mapTo(Integer.class).one());
        assertThat(parkersRows).as("the parked writer committed").isEqualTo(1);
        assertThat(new LockoutTracker(first, POLICY).check(ANN, T0.plusSeconds(1)).isLocked()).isTrue();
    }

    private static void parkFor(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void locked_remainingAt_neverNegative() {
        LockoutStatus.Locked l = new LockoutStatus.Locked(T0, false);
        assertThat(l.remainingAt(T0.minusSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(l.remainingAt(T0.plusSeconds(5))).isEqualTo(Duration.ZERO);
    }
}
