package dev.mfagate.core.audit;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Dialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail writer: appends entries to a keyed hash chain in the database, durably, with
 * group commit, failing closed.
 *
 * <p><b>Use.</b> Build one per process and close it on shutdown:
 * <pre>{@code
 * AuditLog audit = AuditLog.builder(db, chainMac).listener(metrics).build();
 * long seq = audit.appendDurably(event);   // throws AuditUnavailableException: answer 503, no code
 * // ... only now compute and return the code
 * audit.close();
 * }</pre>
 *
 * <p><b>Group commit.</b> {@link #append} puts the event on a bounded queue and returns a future.
 * One writer thread takes everything queued (up to {@code maxBatch}), writes it in ONE
 * transaction — reading the chain head, chaining each entry's MAC to the previous one, updating
 * the head — commits, and only then completes the futures with their sequence numbers. So many
 * concurrent requests share one fsync.
 *
 * <p><b>Fail closed.</b> A batch is refused without touching the database while a SQLite store's
 * file system has less than {@link Database#MIN_FREE_BYTES} free ({@link Database#requireFreeSpace()}).
 * If the transaction fails (read-only file, disk full, database down, a
 * head that is missing, fails its MAC, or disagrees with the entries) the whole batch is rolled
 * back and every future in it fails with {@link AuditUnavailableException}; nothing of it counts
 * as written. The next batch starts again from the head as stored, so the writer recovers as soon
 * as the database does. A full queue, a closed log, or a write slower than {@code appendTimeout}
 * also fail with {@link AuditUnavailableException}: a second thread fails every entry still waiting
 * at its deadline, queued or in a commit that has not returned, so the waits themselves need no timer. A head that is missing or inconsistent is
 * never repaired automatically: that is evidence, and appends stay refused until an operator
 * has run {@code audit verify} and dealt with it.
 *
 * <p><b>Several instances.</b> On PostgreSQL a batch is one statement that inserts its entries
 * and moves the head only if the head is still the one the batch was sealed after (the statement
 * locks the head row, {@code FOR UPDATE}, for itself and its commit); when another instance moved
 * it, the head is read and checked again and the batch sealed again, and after a few such misses
 * the batch locks the head before reading it. So any number of instances append to one contiguous
 * chain, and one instance alone appends a batch in one round trip. On SQLite the batch starts with
 * {@code BEGIN IMMEDIATE}, which takes the database's write lock before the head is read, with the
 * same effect.
 *
 * <p><b>Log.</b> After commit each entry is also logged as one JSON line at INFO on logger
 * {@code dev.mfagate.audit} (see {@link AuditExporter} for the format): one logging event per
 * committed batch, whose message holds the batch's lines in order, separated by {@code \n}. The
 * batch's futures complete before it is logged: the committed row is the audit record, the line a
 * copy of it, so a response may leave before its line is written (and a process killed in between
 * loses the lines, never the rows: {@code audit export} writes them again).
 *
 * <p>Thread-safe. Never sees a code or seed: {@link AuditEvent} has no field for one.
 */
public final class AuditLog implements AutoCloseable {

    /** Default most entries per transaction. */
    public static final int DEFAULT_MAX_BATCH = 500;
    /** Default queue capacity; beyond it appends fail rather than wait. */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    /** Default longest {@link #appendDurably} waits for the commit. */
    public static final Duration DEFAULT_APPEND_TIMEOUT = Duration.ofSeconds(10);

    private static final Consumer<Handle> NO_HOOK = h -> { };
    private static final Logger AUDIT_LOG = LoggerFactory.getLogger("dev.mfagate.audit");
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final Database db;
    private final ChainMac chainMac;
    private final int maxBatch;
    private final Duration appendTimeout;
    private final AuditLogListener listener;
    private final Consumer<Handle> beforeHeadUpdate;
    private final BlockingQueue<Pending> queue;
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final Thread writer;
    /** Fails the entries still waiting at their deadline; see {@link #runDeadlines()}. */
    private final Thread deadlines;
    private volatile boolean closed;
    /** The batch the writer is writing now (a copy), for the deadline thread; empty between batches. */
    private volatile List<Pending> writing = List.of();
    /** The last entry this process committed (or the head found at start): owned by the writer thread. */
    private long committedSeq;
    private byte[] committedMac;
    private boolean rollbackReported;
    /** The SQLite writer's connection and statements, while it has one; owned by the writer thread. */
    private SqliteSession sqliteSession;
    /** Writes the batches on PostgreSQL; null on SQLite. */
    private final PostgresChainWriter postgresWriter;

    /** An entry waiting for its commit; {@code deadline} is the {@link System#nanoTime()} it fails at if still waiting. */
    private record Pending(AuditEvent event, CompletableFuture<Long> future, long deadline) {
    }

    private AuditLog(Builder b) {
        this.db = b.db;
        this.chainMac = b.chainMac;
        this.maxBatch = b.maxBatch;
        this.appendTimeout = b.appendTimeout;
        this.listener = b.listener;
        this.beforeHeadUpdate = b.beforeHeadUpdate;
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.postgresWriter = db.dialect() == Dialect.POSTGRESQL
                ? new PostgresChainWriter(db, chainMac, beforeHeadUpdate == NO_HOOK ? null : beforeHeadUpdate)
                : null;
        rememberHeadAtStart();
        this.writer = Thread.ofPlatform().name("mfagate-audit-writer").daemon(true).unstarted(this::runWriter);
        writer.start();
        this.deadlines = Thread.ofPlatform().name("mfagate-audit-deadlines").daemon(true).unstarted(this::runDeadlines);
        deadlines.start();
    }

    /**
     * Takes the stored head as the last committed entry, so a rollback before the first batch is seen
     * too. A head that fails its MAC is reported to the listener at once (readiness then says so before
     * any request has been refused for it), and logged.
     */
    private void rememberHeadAtStart() {
        try {
            db.jdbi().useHandle(h -> ChainHead.read(h, false).ifPresent(head -> {
                if (!head.isGenesis() && head.isAuthentic(chainMac)) {
                    committedSeq = head.seq();
                    committedMac = head.lastMac();
                } else if (!head.isGenesis()) {
                    AuditUnavailableException e = AuditUnavailableException.aboutChain("The audit chain head fails its check"
                            + " (head seq " + head.seq() + "); run audit verify");
                    LOG.error("At start: {}. Every request that needs an audit entry is refused until it is resolved", e.getMessage());
                    listener.batchFailed(0, e);
                }
            }));
        } catch (RuntimeException e) {
            // The database is away: the first committed batch sets it.
            LOG.debug("Audit chain head not read at start: {}", describe(e));
        }
    }

    /** A builder for a log on {@code db} whose chain is keyed by {@code chainMac}. */
    public static Builder builder(Database db, ChainMac chainMac) {
        return new Builder(db, chainMac);
    }

    /**
     * Queues {@code event}; the future completes with its sequence number once it is committed,
     * or fails with {@link AuditUnavailableException}. Never blocks.
     */
    public CompletableFuture<Long> append(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        CompletableFuture<Long> future = new CompletableFuture<>();
        closeLock.readLock().lock();
        try {
            if (closed) {
                future.completeExceptionally(new AuditUnavailableException("The audit log is closed"));
            } else if (!queue.offer(new Pending(event, future, System.nanoTime() + appendTimeout.toNanos()))) {
                future.completeExceptionally(new AuditUnavailableException(
                        "The audit queue is full (" + queue.size() + " entries waiting); the database is too slow or down"));
            }
        } finally {
            closeLock.readLock().unlock();
        }
        return future;
    }

    /**
     * Appends {@code event} and waits until it is committed.
     *
     * <p>The wait itself has no timer: an entry still waiting {@code appendTimeout} after it was
     * queued is failed by the log's deadline thread (within a tenth of the timeout, at most 100 ms,
     * after its deadline), whether it is still queued or in a commit that does not return. A timed
     * wait would cost every request a timer task, which on a virtual thread means waking the JDK's
     * scheduler thread for it (docs/benchmarks.md).
     *
     * @return its sequence number
     * @throws AuditUnavailableException when it was not (or not in time) written; the caller must
     *     not issue a code
     */
    public long appendDurably(AuditEvent event) {
        return await(append(event));
    }

    /**
     * Waits for an entry {@link #append queued} earlier to be committed, as {@link #appendDurably} does.
     *
     * @return its sequence number
     * @throws AuditUnavailableException when it was not (or not in time) written
     */
    public static long await(CompletableFuture<Long> future) {
        try {
            return future.get();
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof AuditUnavailableException u) {
                throw new AuditUnavailableException(u.getMessage(), u);
            }
            throw new AuditUnavailableException("The audit entry could not be written", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("Interrupted while waiting for the audit commit");
        }
    }

    /**
     * Checks that the audit table can be written now, without writing anything: inserts a probe row
     * in a transaction that is rolled back. Catches a store that reads but cannot be written (a
     * read-only file, a full disk, a revoked grant), also while no request has tried.
     *
     * @throws RuntimeException when the insert fails
     */
    public void probeWritable() {
        db.jdbi().useHandle(h -> {
            h.begin();
            try {
                h.createUpdate("INSERT INTO audit_entry (seq, time_us, outcome, prev_mac, mac) "
                                + "VALUES (-1, 0, 'PROBE', :empty, :empty)")
                        .bind("empty", new byte[0]).execute();
            } finally {
                h.rollback();
            }
        });
    }

    /**
     * Stops accepting entries, writes everything already queued, and stops the writer (and with it
     * the deadline thread). Idempotent.
     */
    @Override
    public void close() {
        closeLock.writeLock().lock();
        try {
            closed = true;
        } finally {
            closeLock.writeLock().unlock();
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LockSupport.unpark(deadlines);
    }

    /**
     * Fails every entry still waiting past its deadline, queued or in the batch being written, with
     * {@link AuditUnavailableException}; ends with the writer. Looks every tenth of the timeout (at
     * least 1 ms apart, at most 100 ms). An entry failed here may still be committed afterwards
     * (its batch's commit was only slow): its request has been refused, so the trail then holds an
     * entry for a request that got no code, never the reverse.
     */
    private void runDeadlines() {
        long tick = Math.clamp(appendTimeout.toNanos() / 10, 1_000_000L, 100_000_000L);
        while (writer.isAlive()) {
            LockSupport.parkNanos(tick);
            long now = System.nanoTime();
            for (Pending p : writing) {
                expire(p, now);
            }
            // Queued in the order of their deadlines (all have the same timeout), give or take the
            // few microseconds between reading the clock and queueing; a late one waits a tick more.
            for (Pending p : queue) {
                if (now - p.deadline() < 0) {
                    break;
                }
                expire(p, now);
            }
        }
    }

    private void expire(Pending p, long now) {
        if (now - p.deadline() >= 0 && !p.future().isDone()) {
            p.future().completeExceptionally(new AuditUnavailableException("The audit entry was not committed within " + appendTimeout));
        }
    }

    private void runWriter() {
        if (postgresWriter == null) {
            openSqliteSessionAhead();
        }
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            Pending first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first == null) {
                if (closed && queue.isEmpty()) {
                    closeSqliteSession();
                    return;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            writing = List.copyOf(batch);
            try {
                writeBatch(batch);
            } catch (RuntimeException | Error e) {
                // writeBatch completes every future itself; this only guards the loop.
                LOG.error("Audit writer failed unexpectedly; entries refused", e);
                batch.forEach(p -> p.future().completeExceptionally(new AuditUnavailableException("Audit writer failed", e)));
            }
            writing = List.of();
            batch.clear();
        }
    }

    private void writeBatch(List<Pending> batch) {
        long start = System.nanoTime();
        List<ChainRow> rows;
        try {
            rows = writeTransaction(batch);
        } catch (Exception e) {
            listener.batchFailed(batch.size(), e);
            AuditUnavailableException failure = e instanceof AuditUnavailableException u ? u
                    : new AuditUnavailableException("The audit trail cannot be written: " + describe(e), e);
            LOG.warn("Audit batch of {} entries not written (requests fail closed): {}", batch.size(), failure.getMessage());
            batch.forEach(p -> p.future().completeExceptionally(failure));
            return;
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        ChainRow last = rows.getLast();
        committedSeq = last.seq();
        committedMac = last.mac();
        // The commit is the record; the log lines are an export of it. The waiting requests go on
        // first, while this thread formats the lines.
        for (int i = 0; i < rows.size(); i++) {
            batch.get(i).future().complete(rows.get(i).seq());
        }
        if (AUDIT_LOG.isInfoEnabled()) {
            // One event for the batch, one line per entry: the same text as an event per entry, at one
            // hand-off to the appender and one write instead of one per entry.
            List<AuditEntry> entries = new ArrayList<>(rows.size());
            List<byte[]> macs = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                entries.add(new AuditEntry(rows.get(i).seq(), batch.get(i).event()));
                macs.add(rows.get(i).mac());
            }
            StringBuilder lines = new StringBuilder(rows.size() * 384);
            AuditJson.appendLines(lines, entries, macs);
            AUDIT_LOG.info(lines.toString());
        }
        listener.batchCommitted(batch.size(), latency);
    }

    /** Writes the batch in one transaction and returns the rows written (after commit). */
    private List<ChainRow> writeTransaction(List<Pending> batch) throws Exception {
        if (db.dialect() != Dialect.SQLITE) {
            return postgresWriter.write(batch.stream().map(Pending::event).toList(), committedSeq, committedMac, this::checkHead);
        }
        // Refused before SQLite is asked to write: on a full disk its memory-mapped WAL index can
        // crash the process instead of failing the write.
        db.requireFreeSpace();
        if (db.dataSource().isClosed()) {
            // The writer's connection is its own, outside the pool: a closed database ends it too.
            closeSqliteSession();
            throw new AuditUnavailableException("The audit trail cannot be written: the database is closed");
        }
        if (sqliteSession == null) {
            sqliteSession = SqliteSession.open(db);
        }
        SqliteSession s = sqliteSession;
        try {
            // Take the write lock before reading the head, so no other writer can move it.
            s.begin.execute();
            List<ChainRow> rows = appendRows(s, batch);
            s.commit.execute();
            return rows;
        } catch (Exception e) {
            try {
                s.rollback.execute();
            } catch (java.sql.SQLException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            // A failed batch costs its connection: the next one starts on a fresh one, whatever
            // state (read-only, a broken file handle, a transaction left open) this one was in.
            closeSqliteSession();
            throw e;
        }
    }

    /**
     * Opens the SQLite writer's connection and prepares its statements as the writer starts, while the
     * server is still being set up, instead of in the first batch: that is about 20 ms of CPU (a
     * connection, a Jdbi handle, seven statements, in code not yet compiled) that the first code
     * request would otherwise wait for. Nothing is read or written here. Should it fail, the first
     * batch opens the session itself, as before, and fails closed there if it still cannot.
     */
    private void openSqliteSessionAhead() {
        try {
            if (!db.dataSource().isClosed()) {
                sqliteSession = SqliteSession.open(db);
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.debug("Audit writer's connection not opened ahead; the first batch opens it: {}", describe(e));
        }
    }

    private void closeSqliteSession() {
        if (sqliteSession != null) {
            sqliteSession.close();
            sqliteSession = null;
        }
    }

    /**
     * The SQLite writer's own connection, outside the pool (which keeps all its connections for
     * readers), with its statements prepared once: a batch then costs the steps of six prepared
     * statements instead of preparing them again. Owned by the writer thread; dropped after any
     * failed batch and when the log closes.
     */
    private static final class SqliteSession implements AutoCloseable {
        final java.sql.Connection connection;
        final Handle handle;
        final java.sql.PreparedStatement begin;
        final java.sql.PreparedStatement headAndLastSeq;
        final java.sql.PreparedStatement macAt;
        final java.sql.PreparedStatement insert;
        final java.sql.PreparedStatement updateHead;
        final java.sql.PreparedStatement commit;
        final java.sql.PreparedStatement rollback;

        private SqliteSession(java.sql.Connection c) throws java.sql.SQLException {
            connection = c;
            handle = org.jdbi.v3.core.Jdbi.open(c);
            begin = c.prepareStatement("BEGIN IMMEDIATE");
            headAndLastSeq = c.prepareStatement("SELECT seq, mac, head_mac, (SELECT COALESCE(MAX(seq), 0) FROM audit_entry)"
                    + " FROM audit_head WHERE id = 1");
            macAt = c.prepareStatement("SELECT mac FROM audit_entry WHERE seq = ?");
            insert = c.prepareStatement(ChainRow.INSERT_POSITIONAL);
            updateHead = c.prepareStatement("UPDATE audit_head SET seq = ?, mac = ?, head_mac = ? WHERE id = 1");
            commit = c.prepareStatement("COMMIT");
            rollback = c.prepareStatement("ROLLBACK");
        }

        static SqliteSession open(Database db) throws java.sql.SQLException {
            // The pool's own data source: the same file and pragmas (WAL, synchronous FULL, busy timeout).
            java.sql.Connection c = db.dataSource().getDataSource().getConnection();
            try {
                return new SqliteSession(c);
            } catch (java.sql.SQLException | RuntimeException e) {
                try {
                    c.close();
                } catch (java.sql.SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                handle.close();
            } catch (RuntimeException e) {
                LOG.debug("Audit writer's handle not closed cleanly: {}", describe(e));
            }
            try {
                connection.close();
            } catch (java.sql.SQLException e) {
                LOG.debug("Audit writer's connection not closed cleanly: {}", describe(e));
            }
        }
    }

    /**
     * The checks every head the PostgreSQL writer reads must pass (see {@link PostgresChainWriter}):
     * its MAC, the last entry's seq (when read after the head's lock was taken or in the same
     * snapshot), and that the chain still holds this process's last entry.
     */
    private void checkHead(ChainHead head, long lastSeq, boolean lastSeqCurrent, byte[] macAtCommittedSeq) {
        requireConsistent(head, lastSeq, lastSeqCurrent);
        requireNotRolledBack(head, () -> Optional.ofNullable(macAtCommittedSeq));
    }

    /**
     * Refuses a head that fails its MAC, or (when {@code lastSeqCurrent}) that disagrees with the
     * last stored entry.
     */
    private void requireConsistent(ChainHead head, long lastSeq, boolean lastSeqCurrent) {
        if (head.isGenesis() ? lastSeqCurrent && lastSeq != 0 : !head.isAuthentic(chainMac)) {
            throw AuditUnavailableException.aboutChain("The audit chain head fails its check (head seq " + head.seq()
                    + ", last entry " + lastSeq + "); run audit verify");
        }
        if (lastSeqCurrent && lastSeq != head.seq()) {
            throw AuditUnavailableException.aboutChain("The audit chain head (seq " + head.seq()
                    + ") disagrees with the last entry (seq " + lastSeq + "); run audit verify");
        }
    }

    private List<ChainRow> appendRows(SqliteSession s, List<Pending> batch) throws java.sql.SQLException {
        ChainHead head;
        long lastSeq;
        try (java.sql.ResultSet rs = s.headAndLastSeq.executeQuery()) {
            if (!rs.next()) {
                throw AuditUnavailableException.aboutChain(
                        "The audit chain head is missing: the tail may have been truncated; run audit verify");
            }
            byte[] mac = rs.getBytes(2);
            head = new ChainHead(rs.getLong(1), mac == null ? ChainHead.GENESIS_MAC : mac, rs.getBytes(3));
            lastSeq = rs.getLong(4);
        }
        requireConsistent(head, lastSeq, true);
        requireNotRolledBack(head, () -> macAt(s, committedSeq));
        List<ChainRow> rows = new ArrayList<>(batch.size());
        byte[] prev = head.lastMac();
        long seq = head.seq();
        try {
            for (Pending p : batch) {
                seq++;
                ChainRow unsealed = ChainRow.unsealed(seq, p.event(), prev);
                ChainRow row = unsealed.withMac(chainMac.computeMac(unsealed.canonicalBytes(seq)));
                row.bindPositional(s.insert);
                s.insert.addBatch();
                rows.add(row);
                prev = row.mac();
            }
            s.insert.executeBatch();
        } catch (java.sql.SQLException e) {
            s.insert.clearBatch();
            throw new AuditUnavailableException("The audit batch could not be inserted: " + describe(e), e);
        }
        beforeHeadUpdate.accept(s.handle);
        s.updateHead.setLong(1, seq);
        s.updateHead.setBytes(2, prev);
        s.updateHead.setBytes(3, chainMac.computeMac(ChainRow.headBytes(seq, prev)));
        if (s.updateHead.executeUpdate() != 1) {
            throw AuditUnavailableException.aboutChain("The audit chain head vanished during the write");
        }
        return rows;
    }

    private static Optional<byte[]> macAt(SqliteSession s, long seq) {
        try {
            s.macAt.setLong(1, seq);
            try (java.sql.ResultSet rs = s.macAt.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
            }
        } catch (java.sql.SQLException e) {
            throw AuditUnavailableException.aboutChain("The audit chain could not be read: " + describe(e), e);
        }
    }

    /**
     * Refuses to append when the stored chain no longer holds the last entry this process
     * committed: the head is older than it, or another entry sits at its seq. That is what someone
     * who once read the head row leaves after cutting the entries since and putting that head back;
     * the head verifies, so only this process's memory (or an anchor kept elsewhere, see
     * {@link AuditVerifier#verify(List)}) shows it. Appending would bury the evidence.
     */
    private void requireNotRolledBack(ChainHead head, java.util.function.Supplier<Optional<byte[]>> macAtCommittedSeq) {
        if (committedMac == null) {
            return;
        }
        boolean holdsOurs;
        if (head.seq() < committedSeq) {
            holdsOurs = false;
        } else if (head.seq() == committedSeq) {
            holdsOurs = java.util.Arrays.equals(head.lastMac(), committedMac);
        } else {
            // Other writers (instances, the CLI) appended since: our entry must still be where we left it.
            holdsOurs = macAtCommittedSeq.get().map(mac -> java.util.Arrays.equals(mac, committedMac)).orElse(false);
        }
        if (holdsOurs) {
            return;
        }
        AuditAnchor ours = AuditAnchor.of(committedSeq, committedMac);
        if (!rollbackReported) {
            rollbackReported = true;
            LOG.error("AUDIT CHAIN ROLLED BACK: the stored head is entry {} but this process committed entry {}, which the"
                    + " chain no longer holds: entries were removed and an older head put back, or an older copy of the"
                    + " database restored. Refusing every audit write (so every code) until this is resolved; keep the"
                    + " database as evidence and run: mfagate audit verify --anchor {}", head.seq(), committedSeq, ours);
        }
        throw AuditUnavailableException.tampered("The audit chain was rolled back: its head is entry " + head.seq()
                + " but this process committed entry " + committedSeq + ", which the chain no longer holds; run"
                + " audit verify --anchor " + ours);
    }

    /**
     * The failure in a few words for the log and readiness: the exception type, and the database's
     * own code (SQLite's result code such as {@code SQLITE_FULL}, or PostgreSQL's SQL state), never
     * the driver's message, which may quote a statement's parameters.
     */
    static String describe(Throwable e) {
        if (e instanceof dev.mfagate.core.store.DiskFullException full) {
            return full.shortReason();
        }
        Throwable t = e;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException s) {
                return e.getClass().getSimpleName() + " (" + s.getResultCode().name() + ")";
            }
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null) {
                return e.getClass().getSimpleName() + " (SQL state " + s.getSQLState() + ")";
            }
        }
        return e.getClass().getSimpleName();
    }

    /**
     * Builds an {@link AuditLog}; {@link #build()} starts its writer and deadline threads. Not thread-safe.
     */
    public static final class Builder {
        private final Database db;
        private final ChainMac chainMac;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Duration appendTimeout = DEFAULT_APPEND_TIMEOUT;
        private AuditLogListener listener = AuditLogListener.NONE;
        private Consumer<Handle> beforeHeadUpdate = NO_HOOK;

        private Builder(Database db, ChainMac chainMac) {
            this.db = Objects.requireNonNull(db, "db");
            this.chainMac = Objects.requireNonNull(chainMac, "chainMac");
        }

        /** Most entries per transaction (default {@value AuditLog#DEFAULT_MAX_BATCH}). */
        public Builder maxBatch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxBatch " + n + " must be at least 1");
            }
            maxBatch = n;
            return this;
        }

        /** Entries that may wait for the writer (default {@value AuditLog#DEFAULT_QUEUE_CAPACITY}). */
        public Builder queueCapacity(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("queueCapacity " + n + " must be at least 1");
            }
            queueCapacity = n;
            return this;
        }

        /** Longest {@link AuditLog#appendDurably} waits (default 10 s). */
        public Builder appendTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("appendTimeout " + d + " must be positive");
            }
            appendTimeout = d;
            return this;
        }

        /** Metrics listener (default none). */
        public Builder listener(AuditLogListener l) {
            listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * Test hook: runs inside each batch's transaction after the entries are inserted, before the
         * head update (SQLite) or the commit (PostgreSQL, whose one statement does both).
         */
        Builder beforeHeadUpdate(Consumer<Handle> hook) {
            beforeHeadUpdate = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** The log, with its writer and deadline threads running. */
        public AuditLog build() {
            return new AuditLog(this);
        }
    }
}
