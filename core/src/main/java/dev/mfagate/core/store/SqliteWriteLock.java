package dev.mfagate.core.store;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleListener;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.jdbi.v3.core.transaction.DelegatingTransactionHandler;
import org.jdbi.v3.core.transaction.LocalTransactionHandler;
import org.jdbi.v3.core.transaction.TransactionException;
import org.jdbi.v3.core.transaction.TransactionHandler;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The write lock of one SQLite file, held in Java: the pooled connections of every {@link Database}
 * this process has open on the file take it before they write, so that they wait for each other
 * here and not in SQLite's busy handler.
 *
 * <p><b>Why.</b> SQLite lets one connection write at a time; another that wants to write waits in
 * its busy handler ({@code busy_timeout}), which sleeps in native code. A virtual thread in native
 * code keeps its carrier (it is pinned). Request handlers run on virtual threads, and there are as
 * many carriers as cores: when as many of them wait there as there are carriers, while the thread
 * that holds SQLite's lock has parked inside its transaction (a lock, logging, a pool wait), the
 * holder gets no carrier back until the busy timeout has expired: every waiter fails with
 * {@code SQLITE_BUSY} and the holder stalls. Waiting on a {@link ReentrantLock} parks the virtual
 * thread and frees its carrier, so the holder runs on and commits.
 *
 * <p><b>What takes it.</b>
 * <ul>
 *   <li>A transaction (Jdbi's {@code inTransaction}, {@code useTransaction}, {@code begin}), from its
 *       begin to its commit or rollback, or the close of its handle; nested transactions and
 *       statements of the thread that holds it do not wait for themselves (it is re-entrant).
 *       Taking it at the begin, not at the first write, also spares a transaction that reads before
 *       it writes the {@code SQLITE_BUSY} SQLite answers at once (without a busy wait) when another
 *       connection wrote in between.</li>
 *   <li>A statement outside a transaction that does not start with {@code SELECT}, for that
 *       statement alone.</li>
 * </ul>
 * Not a read: a read outside a transaction, nor a read-only transaction ({@link #inReadTransaction}):
 * WAL readers never wait for the writer. A connection goes back to the pool only once its handle
 * is closed, and closing the handle releases the lock, so a pooled connection never keeps it.
 *
 * <p><b>Not covered, and why that is fine.</b> Other processes (a command beside {@code serve}) and
 * the audit writer's own connection (a platform thread, which a native wait does not pin) do not
 * take it; the one thread that holds it still waits for them in SQLite's busy handler, bounded by
 * {@code busy_timeout}. At most that one thread per file is pinned, and only while another process
 * writes. The wait here is bounded by the same timeout: past it the writer fails with
 * {@code SQLITE_BUSY}, as it would have in SQLite.
 *
 * <p>Chosen over a busy timeout near zero with whole transactions retried on {@code SQLITE_BUSY}:
 * a retry would run again work with effects outside the database (key rotations, listeners), and
 * polling is slower and less fair than queueing on a lock. Thread-safe.
 */
final class SqliteWriteLock {

    /** The lock of each open file, by real path, with the number of databases open on it. */
    private static final Map<Path, SqliteWriteLock> OPEN = new HashMap<>();

    /** The handle whose next transaction the current thread opens read-only, if any. */
    private static final ThreadLocal<Handle> READ_ONLY = new ThreadLocal<>();

    private final Path file;
    private final long timeoutMillis;
    // Fair: writers are served in turn, so none waits out the timeout behind later arrivals.
    private final ReentrantLock lock = new ReentrantLock(true);
    private int users;

    private SqliteWriteLock(Path file, long timeoutMillis) {
        this.file = file;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * The lock of {@code file} (its real path, so that every name of one file shares one lock),
     * shared with every other database open on it; {@link #close} once per call.
     */
    static SqliteWriteLock open(Path file, long timeoutMillis) {
        synchronized (OPEN) {
            SqliteWriteLock l = OPEN.computeIfAbsent(file, f -> new SqliteWriteLock(f, timeoutMillis));
            l.users++;
            return l;
        }
    }

    /** One database on the file is closed; the last one forgets the lock. */
    void close() {
        synchronized (OPEN) {
            if (--users == 0) {
                OPEN.remove(file, this);
            }
        }
    }

    /** Makes {@code jdbi}'s transactions and single write statements take this lock. */
    void install(Jdbi jdbi) {
        jdbi.setTransactionHandler(new Transactions(LocalTransactionHandler.binding()));
        jdbi.getConfig(SqlStatements.class).addCustomizer(new SingleStatements());
    }

    /**
     * Runs {@code callback} in a transaction of {@code h} at {@code level} that does not take the
     * lock: for reads only (a write in it waits in SQLite, as before).
     */
    <R, X extends Exception> R inReadTransaction(Handle h, TransactionIsolationLevel level, HandleCallback<R, X> callback)
            throws X {
        Handle outer = READ_ONLY.get();
        READ_ONLY.set(h);
        try {
            return h.inTransaction(level, callback);
        } finally {
            if (outer == null) {
                READ_ONLY.remove();
            } else {
                READ_ONLY.set(outer);
            }
        }
    }

    private void acquire() throws SQLException {
        boolean acquired;
        try {
            acquired = lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLiteException("Interrupted while waiting for the database's write lock", SQLiteErrorCode.SQLITE_INTERRUPT);
        }
        if (!acquired) {
            throw new SQLiteException("Another writer of this process held the database's write lock for more than "
                    + timeoutMillis + " ms", SQLiteErrorCode.SQLITE_BUSY);
        }
    }

    /** Whether {@code sql} may write: anything but a {@code SELECT} (after blanks and comments). */
    static boolean mayWrite(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return !sql.regionMatches(true, i, "SELECT", 0, 6);
    }

    /**
     * The transaction handler of the Jdbi: one {@link Bound} per handle. A handle only ever calls
     * the handler {@link #specialize} gave it.
     */
    private final class Transactions extends DelegatingTransactionHandler {
        private final TransactionHandler local;

        Transactions(TransactionHandler local) {
            super(local);
            this.local = local;
        }

        @Override
        public TransactionHandler specialize(Handle handle) throws SQLException {
            Bound bound = new Bound(local.specialize(handle));
            handle.addHandleListener(bound);
            return bound;
        }
    }

    /**
     * Jdbi's local transactions of one handle, taking the lock at the begin of a transaction and
     * releasing it at its end: commit, rollback, or the close of the handle (which Jdbi rolls back).
     * Jdbi's {@code inTransaction} begins, commits and rolls back through the handle, so through here;
     * everything else goes to Jdbi's own handler unchanged.
     */
    private final class Bound extends DelegatingTransactionHandler implements HandleListener {
        private boolean held;

        Bound(TransactionHandler local) {
            super(local);
        }

        @Override
        public void begin(Handle handle) {
            if (!held && READ_ONLY.get() != handle) {
                try {
                    acquire();
                } catch (SQLException e) {
                    throw new TransactionException("Failed to start transaction", e);
                }
                held = true;
            }
            try {
                super.begin(handle);
            } catch (RuntimeException | Error e) {
                release();
                throw e;
            }
        }

        @Override
        public void commit(Handle handle) {
            try {
                super.commit(handle);
            } finally {
                release();
            }
        }

        @Override
        public void rollback(Handle handle) {
            try {
                super.rollback(handle);
            } finally {
                release();
            }
        }

        @Override
        public void handleClosed(Handle handle) {
            release();
        }

        private void release() {
            if (held) {
                held = false;
                lock.unlock();
            }
        }
    }

    /** Takes the lock around a statement that may write outside a transaction (SQLite's autocommit). */
    private final class SingleStatements implements StatementCustomizer {
        @Override
        public void beforeExecution(PreparedStatement stmt, StatementContext ctx) throws SQLException {
            if (!mayWrite(ctx.getRenderedSql()) || !ctx.getConnection().getAutoCommit()) {
                // A read, or a statement of a transaction, which took the lock when it began.
                return;
            }
            acquire();
            // Released when the statement is closed: after its update count, or its last row of a RETURNING.
            ctx.addCleanable(lock::unlock);
        }
    }
}
