package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers of one SQLite file in this process, on virtual threads, wait for each other in Java,
 * where a waiting virtual thread gives its carrier back, and not in SQLite's busy handler, which
 * sleeps in native code and keeps its carrier. Two gateway instances (or a command beside one) are
 * two {@link Database}s on the same file.
 */
class SqliteWriteWaitTest {

    private static final Duration GUARD = Duration.ofSeconds(30);

    /**
     * The holder of the write lock parks inside its transaction (here {@code Thread.sleep}; in
     * {@code serve} a lock, logging or a pool wait) while four writers, two per database, want the
     * lock. With as many native waiters as carriers the holder never got a carrier back: every
     * waiter failed with {@code SQLITE_BUSY} after the busy timeout.
     */
    @Test
    void writers_whileHolderParksInItsTransaction_allSucceed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.db");
        try (Database a = Database.openSqlite(file); Database b = Database.openSqlite(file)) {
            assertTimeoutPreemptively(GUARD, () -> {
                CountDownLatch holding = new CountDownLatch(1);
                AtomicReference<Throwable> holderFailure = new AtomicReference<>();
                Thread holder = Thread.ofVirtual().start(() -> {
                    try {
                        a.jdbi().useTransaction(h -> {
                            insert(h, "holder");
                            holding.countDown();
                            Thread.sleep(100);
                        });
                    } catch (Throwable t) {
                        holderFailure.set(t);
                        holding.countDown();
                    }
                });
                assertThat(holding.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
                List<Writer> writers = startWriters(a, b, false);
                joinAndAssertAllWrote(holder, holderFailure, writers);
            });
            assertThat(count(b)).isEqualTo(5);
        }
    }

    /**
     * The same, without depending on how many carriers the machine has: while the holder keeps its
     * transaction open, every writer (on either database, in a transaction or a single statement)
     * is parked, that is, waiting off its carrier, and all of them write once it commits.
     */
    @Test
    void writers_whileLockHeld_waitParked_thenAllWrite(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.db");
        try (Database a = Database.openSqlite(file); Database b = Database.openSqlite(file)) {
            assertTimeoutPreemptively(GUARD, () -> {
                CountDownLatch holding = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                AtomicReference<Throwable> holderFailure = new AtomicReference<>();
                Thread holder = Thread.ofVirtual().start(() -> {
                    try {
                        a.jdbi().useTransaction(h -> {
                            insert(h, "holder");
                            holding.countDown();
                            release.await();
                        });
                    } catch (Throwable t) {
                        holderFailure.set(t);
                        holding.countDown();
                    }
                });
                assertThat(holding.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
                List<Writer> writers = startWriters(a, b, true);
                boolean allParked = false;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!allParked && System.nanoTime() < deadline) {
                    allParked = writers.stream().allMatch(w -> w.thread.getState() == Thread.State.WAITING
                            || w.thread.getState() == Thread.State.TIMED_WAITING);
                    if (!allParked) {
                        Thread.sleep(5);
                    }
                }
                release.countDown();
                joinAndAssertAllWrote(holder, holderFailure, writers);
                assertThat(allParked).as("every writer waited parked while the lock was held").isTrue();
            });
            assertThat(count(a)).isEqualTo(5);
        }
    }

    /** A read transaction never waits for a writer: WAL readers see the last commit. */
    @Test
    void readTransaction_whileLockHeld_doesNotWait(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.db");
        try (Database a = Database.openSqlite(file); Database b = Database.openSqlite(file)) {
            a.jdbi().useHandle(h -> insert(h, "before"));
            assertTimeoutPreemptively(GUARD, () -> {
                CountDownLatch holding = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                Thread holder = Thread.ofVirtual().start(() -> a.jdbi().useTransaction(h -> {
                    insert(h, "uncommitted");
                    holding.countDown();
                    awaitQuietly(release);
                }));
                assertThat(holding.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
                try {
                    assertThat(b.readTransaction(SqliteWriteWaitTest::countIn)).isEqualTo(1);
                    assertThat(a.readTransaction(SqliteWriteWaitTest::countIn)).isEqualTo(1);
                } finally {
                    release.countDown();
                    holder.join();
                }
            });
            assertThat(count(b)).isEqualTo(2);
        }
    }

    /** Nested transactions and statements of one thread take the lock once, and leave it free. */
    @Test
    void nestedWrites_onOneThread_doNotWaitForThemselves(@TempDir Path dir) {
        Path file = dir.resolve("n.db");
        try (Database a = Database.openSqlite(file); Database b = Database.openSqlite(file)) {
            assertTimeoutPreemptively(GUARD, () -> {
                a.jdbi().useTransaction(h -> {
                    insert(h, "outer");
                    a.jdbi().useTransaction(inner -> insert(inner, "inner"));
                    a.jdbi().useHandle(same -> insert(same, "statement"));
                });
                a.jdbi().useHandle(h -> {
                    h.begin();
                    insert(h, "rolled-back");
                    h.rollback();
                });
                // A handle closed with its transaction open rolls back; the lock goes with it.
                try {
                    a.jdbi().useHandle(h -> {
                        h.begin();
                        insert(h, "abandoned");
                    });
                } catch (RuntimeException expected) {
                    // Jdbi reports the open transaction it rolled back.
                }
                Thread other = Thread.ofVirtual().start(() -> b.jdbi().useHandle(h -> insert(h, "other")));
                other.join();
            });
            assertThat(count(b)).isEqualTo(4);
        }
    }

    /** Which single statements take the lock: all but a SELECT, whatever blanks and comments precede it. */
    @Test
    void mayWrite_onlySelectIsARead() {
        assertThat(SqliteWriteLock.mayWrite("SELECT 1")).isFalse();
        assertThat(SqliteWriteLock.mayWrite("\n    select uses FROM policy_daily_usage")).isFalse();
        assertThat(SqliteWriteLock.mayWrite("-- why\n/* how */ SELECT 1")).isFalse();
        assertThat(SqliteWriteLock.mayWrite("\n  INSERT INTO t VALUES (1) RETURNING x")).isTrue();
        assertThat(SqliteWriteLock.mayWrite("UPDATE t SET x = 1")).isTrue();
        assertThat(SqliteWriteLock.mayWrite("WITH d AS (SELECT 1) DELETE FROM t")).as("WITH may write").isTrue();
        assertThat(SqliteWriteLock.mayWrite("PRAGMA journal_mode = WAL")).isTrue();
        assertThat(SqliteWriteLock.mayWrite("-- only a comment")).isTrue();
    }

    /**
     * Four writers, alternately on {@code a} and {@code b}; with {@code lastTwoSingleStatements} the
     * last two write with a single statement outside a transaction, the others in one.
     */
    private static List<Writer> startWriters(Database a, Database b, boolean lastTwoSingleStatements) {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            writers.add(Writer.start(i % 2 == 0 ? a : b, "writer-" + i, lastTwoSingleStatements && i >= 2));
        }
        return writers;
    }

    /** Waits for the holder and every writer, then checks that none of them failed. */
    private static void joinAndAssertAllWrote(Thread holder, AtomicReference<Throwable> holderFailure, List<Writer> writers)
            throws InterruptedException {
        holder.join();
        for (Writer w : writers) {
            w.thread.join();
        }
        assertThat(holderFailure.get()).as("holder").isNull();
        for (Writer w : writers) {
            assertThat(w.failure.get()).as(w.key).isNull();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int count(Database db) {
        return db.jdbi().withHandle(SqliteWriteWaitTest::countIn);
    }

    private static int countIn(org.jdbi.v3.core.Handle h) {
        return h.createQuery("SELECT count(*) FROM lockout_state").mapTo(Integer.class).one();
    }

    private static void insert(org.jdbi.v3.core.Handle h, String key) {
        h.createUpdate("INSERT INTO lockout_state (principal_key, window_start_ms, denials) VALUES (:k, 0, 1)")
                .bind("k", key).execute();
    }

    private record Writer(String key, Thread thread, AtomicReference<Throwable> failure) {
        /** Writes one row, in a transaction or ({@code autocommit}) as a single statement. */
        static Writer start(Database db, String key, boolean autocommit) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    if (autocommit) {
                        db.jdbi().useHandle(h -> insert(h, key));
                    } else {
                        db.jdbi().useTransaction(h -> insert(h, key));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            return new Writer(key, t, failure);
        }
    }
}
