package dev.mfagate.core.audit;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.store.Database;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * The audit writer's PostgreSQL part ({@link AuditLog} owns the queue, the futures and the checks):
 * writes a batch to the shared chain in few round trips, since the chain head is the one row every
 * instance serialises on and each round trip while it is locked is time no other instance can
 * append.
 *
 * <p>Statements:
 * <ul>
 *   <li>{@link #readHead}: one statement reads the head (locking it, {@code FOR UPDATE}, when asked)
 *       and with it the last entry's seq and the MAC of the entry this process committed last,
 *       which the checks need.</li>
 *   <li>{@link #append}: one statement inserts the whole batch (arrays bound once and unnested, so
 *       the statement text, and its server-side plan, is the same for any batch size) and moves the
 *       head, but only when the head, and the last entry, are exactly the ones expected. Run inside
 *       the transaction of a locking {@link #readHead} the guard holds by construction; run alone
 *       (autocommit) it appends and commits in a single round trip when the head is still the one
 *       expected, and changes nothing otherwise: the guard's {@code FOR UPDATE} waits for a
 *       concurrent writer and then sees its new head. Either way it answers with what
 *       {@link #readHead} reads unlocked, from the statement's snapshot (which the batch's own
 *       writes are not part of), so that a miss needs no read of its own.</li>
 * </ul>
 *
 * <p>{@link #write}: optimistic appends first, each one autocommitted {@link #append}, so the head
 * row is locked only for that statement and its commit. The first attempt assumes the head this
 * process wrote last (none is read; the first batch of a process reads it first); a miss means
 * another instance appended, and the miss's answer is the head to try next, checked exactly as a
 * read one (one snapshot). Only when that answer is no newer than the head that missed (the guard
 * waited for a writer whose commit the snapshot predates) is the head read again. After
 * {@value #OPTIMISTIC_ATTEMPTS} misses, the locked way, which always gets through: lock and read the
 * head, check it, append, commit. A failed statement fails the batch rather than trying again, since
 * a lost answer may hide a commit. Two instances that take turns thus spend two statements on a
 * batch that misses once, not a read and an append for each attempt.
 *
 * <p>Used by the audit writer thread only; not thread-safe.
 */
final class PostgresChainWriter {

    /** Optimistic appends of one batch before it takes the chain head's lock. */
    static final int OPTIMISTIC_ATTEMPTS = 3;

    static final String READ_HEAD = "SELECT h.seq, h.mac, h.head_mac, (SELECT COALESCE(MAX(e.seq), 0) FROM audit_entry e),"
            + " (SELECT e.mac FROM audit_entry e WHERE e.seq = ?) FROM audit_head h WHERE h.id = 1";

    static final String APPEND = "WITH head AS ("
            + "SELECT h.id FROM audit_head h WHERE h.id = 1 AND h.seq = ? AND h.mac = ?::bytea"
            + " AND h.head_mac IS NOT DISTINCT FROM ?::bytea"
            + " AND (SELECT COALESCE(MAX(e.seq), 0) FROM audit_entry e) = ? FOR UPDATE OF h),"
            + " inserted AS (INSERT INTO audit_entry (" + ChainRow.COLUMNS + ")"
            + " SELECT u.* FROM head, unnest(?::int8[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::bytea[]) AS u"
            + " RETURNING 1)"
            + ", moved AS (UPDATE audit_head SET seq = ?, mac = ?, head_mac = ? FROM head"
            + " WHERE audit_head.id = head.id AND (SELECT COUNT(*) FROM inserted) = ? RETURNING 1)"
            // After a miss, what READ_HEAD reads, in the statement's snapshot (without the rows written
            // above); no row of audit_head (a deleted head) still gives the row, with nulls. After a
            // write the last entry's seq and the asked MAC are not looked up (the CASE skips them).
            + " SELECT w.n, h.seq, h.mac, h.head_mac,"
            + " CASE WHEN w.n = 0 THEN (SELECT COALESCE(MAX(e.seq), 0) FROM audit_entry e) END,"
            + " CASE WHEN w.n = 0 THEN (SELECT e.mac FROM audit_entry e WHERE e.seq = ?) END"
            + " FROM (SELECT COUNT(*) AS n FROM moved) AS w LEFT JOIN audit_head h ON h.id = 1";

    /** The log's checks of a head read from the store; each throws {@link AuditUnavailableException} to refuse. */
    @FunctionalInterface
    interface HeadCheck {
        /**
         * @param lastSeqCurrent whether {@code lastSeq} is as current as the head (same snapshot, or
         *     read while the head's lock was held); when not, the append's guard checks it
         * @param macAtCommittedSeq the MAC stored at the seq this process committed last, or null
         */
        void check(ChainHead head, long lastSeq, boolean lastSeqCurrent, byte[] macAtCommittedSeq);
    }

    private final Database db;
    private final ChainMac chainMac;
    /** Test hook run before the locked way's commit, or null; with one, every batch goes the locked way. */
    private final Consumer<Handle> beforeCommit;

    PostgresChainWriter(Database db, ChainMac chainMac, Consumer<Handle> beforeCommit) {
        this.db = db;
        this.chainMac = chainMac;
        this.beforeCommit = beforeCommit;
    }

    /**
     * Writes {@code events} to the chain, after the entry this process committed last
     * ({@code committedSeq}, {@code committedMac}; null when none), and returns the rows written,
     * all committed.
     *
     * @throws AuditUnavailableException when a check refuses or the database fails; nothing is written then
     */
    List<ChainRow> write(List<AuditEvent> events, long committedSeq, byte[] committedMac, HeadCheck check) throws Exception {
        if (beforeCommit == null) {
            ChainHead expected = committedMac != null
                    ? new ChainHead(committedSeq, committedMac, chainMac.computeMac(ChainRow.headBytes(committedSeq, committedMac)))
                    : null;
            try (Handle h = db.jdbi().open()) {
                Connection c = h.getConnection();
                for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
                    if (expected == null) {
                        expected = checkedHead(c, false, committedSeq, check);
                    }
                    List<ChainRow> rows = seal(events, expected.seq(), expected.lastMac());
                    Appended answer = append(c, expected, rows, headMacAfter(rows), committedSeq);
                    if (answer.written()) {
                        return rows;
                    }
                    HeadRead seen = answer.seen().orElseThrow(PostgresChainWriter::missingHead);
                    // Checked as a read head: unlocked, so all of it is of one snapshot.
                    check.check(seen.head(), seen.lastSeq(), true, seen.macAtAskedSeq());
                    expected = seen.head().seq() > expected.seq() ? seen.head() : null;
                }
            } catch (SQLException e) {
                throw new AuditUnavailableException("The audit batch could not be inserted: " + AuditLog.describe(e), e);
            }
        }
        try (Handle h = db.jdbi().open()) {
            h.begin();
            try {
                Connection c = h.getConnection();
                ChainHead head = checkedHead(c, true, committedSeq, check);
                List<ChainRow> rows = seal(events, head.seq(), head.lastMac());
                if (!append(c, head, rows, headMacAfter(rows), committedSeq).written()) {
                    HeadRead again = readHead(c, committedSeq, true).orElseThrow(() ->
                            AuditUnavailableException.aboutChain("The audit chain head vanished during the write"));
                    check.check(again.head(), again.lastSeq(), true, again.macAtAskedSeq());
                    throw AuditUnavailableException.aboutChain("The audit chain head changed during the write; run audit verify");
                }
                if (beforeCommit != null) {
                    beforeCommit.accept(h);
                }
                h.commit();
                return rows;
            } catch (Exception e) {
                try {
                    h.rollback();
                } catch (RuntimeException suppressed) {
                    // A connection whose transaction state is unknown must not go back to the pool.
                    e.addSuppressed(suppressed);
                    db.dataSource().evictConnection(h.getConnection());
                }
                if (e instanceof SQLException sql) {
                    throw new AuditUnavailableException("The audit batch could not be inserted: " + AuditLog.describe(sql), sql);
                }
                throw e;
            }
        }
    }

    /** Reads the head (locked when {@code lock}) and has it checked; missing is refused here. */
    private static ChainHead checkedHead(Connection c, boolean lock, long committedSeq, HeadCheck check) throws SQLException {
        HeadRead read = readHead(c, committedSeq, lock).orElseThrow(PostgresChainWriter::missingHead);
        // A locked head row is the latest one; the last entry's seq beside it is read in the
        // statement's snapshot, which predates a wait for the lock, so a lower one is checked again
        // by the append's guard (a later statement, so a later snapshot). Unlocked, all is one snapshot.
        check.check(read.head(), read.lastSeq(), !lock || read.lastSeq() == read.head().seq(), read.macAtAskedSeq());
        return read.head();
    }

    /** The events as sealed rows, the first after {@code seq} whose MAC is {@code prevMac}. */
    private List<ChainRow> seal(List<AuditEvent> events, long seq, byte[] prevMac) {
        List<ChainRow> rows = new ArrayList<>(events.size());
        byte[] prev = prevMac;
        for (AuditEvent event : events) {
            seq++;
            ChainRow unsealed = ChainRow.unsealed(seq, event, prev);
            ChainRow row = unsealed.withMac(chainMac.computeMac(unsealed.canonicalBytes(seq)));
            rows.add(row);
            prev = row.mac();
        }
        return rows;
    }

    private byte[] headMacAfter(List<ChainRow> rows) {
        ChainRow last = rows.getLast();
        return chainMac.computeMac(ChainRow.headBytes(last.seq(), last.mac()));
    }

    private static AuditUnavailableException missingHead() {
        return AuditUnavailableException.aboutChain("The audit chain head is missing: the tail may have been truncated; run audit verify");
    }

    /** The locked head, the last entry's seq, and the MAC stored at the seq asked about (null when none). */
    record HeadRead(ChainHead head, long lastSeq, byte[] macAtAskedSeq) {
    }

    /**
     * What {@link #append} did: whether it wrote, and the head as its statement's snapshot held it
     * (empty when there was no head row), with the last entry's seq and the MAC at the seq asked about
     * when it did not write (after a write those two are 0 and null: not looked up).
     */
    record Appended(boolean written, Optional<HeadRead> seen) {
    }

    /**
     * Reads the head row with the last entry's seq and the MAC of entry {@code askedSeq}, locking
     * the head until the transaction ends when {@code lock}; empty when the head row is missing.
     */
    static Optional<HeadRead> readHead(Connection c, long askedSeq, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(lock ? READ_HEAD + " FOR UPDATE OF h" : READ_HEAD)) {
            ps.setLong(1, askedSeq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] mac = rs.getBytes(2);
                ChainHead head = new ChainHead(rs.getLong(1), mac == null ? ChainHead.GENESIS_MAC : mac, rs.getBytes(3));
                return Optional.of(new HeadRead(head, rs.getLong(4), rs.getBytes(5)));
            }
        }
    }

    /**
     * Inserts {@code rows} (sealed, contiguous, the first after {@code expected}) and moves the head
     * to the last of them with {@code newHeadMac}, if the stored head is {@code expected} and the
     * last entry is its seq; answers with the head its snapshot saw and the MAC of entry {@code askedSeq}.
     *
     * @return whether the rows were written (not written changes nothing), and the head seen
     */
    static Appended append(Connection c, ChainHead expected, List<ChainRow> rows, byte[] newHeadMac, long askedSeq)
            throws SQLException {
        int n = rows.size();
        Long[] seq = new Long[n];
        Long[] timeUs = new Long[n];
        Long[] zulipUserId = new Long[n];
        String[][] text = new String[11][n];
        byte[][] prevMac = new byte[n][];
        byte[][] mac = new byte[n][];
        for (int i = 0; i < n; i++) {
            ChainRow r = rows.get(i);
            seq[i] = r.seq();
            timeUs[i] = r.timeMicros();
            zulipUserId[i] = r.zulipUserId();
            text[0][i] = r.requestId();
            text[1][i] = r.route();
            text[2][i] = r.tokenId();
            text[3][i] = r.zulipEmail();
            text[4][i] = r.label();
            text[5][i] = r.outcome();
            text[6][i] = r.reason();
            text[7][i] = r.ruleId();
            text[8][i] = r.remoteAddress();
            text[9][i] = r.instanceId();
            text[10][i] = r.detail();
            prevMac[i] = r.prevMac();
            mac[i] = r.mac();
        }
        ChainRow last = rows.getLast();
        try (PreparedStatement ps = c.prepareStatement(APPEND)) {
            int p = 1;
            ps.setLong(p++, expected.seq());
            ps.setBytes(p++, expected.lastMac());
            ps.setBytes(p++, expected.headMac());
            ps.setLong(p++, expected.seq());
            ps.setArray(p++, c.createArrayOf("int8", seq));
            ps.setArray(p++, c.createArrayOf("int8", timeUs));
            // Column order of ChainRow.COLUMNS: request_id, route, token_id, zulip_user_id, zulip_email, label, ...
            ps.setArray(p++, c.createArrayOf("text", text[0]));
            ps.setArray(p++, c.createArrayOf("text", text[1]));
            ps.setArray(p++, c.createArrayOf("text", text[2]));
            ps.setArray(p++, c.createArrayOf("int8", zulipUserId));
            for (int t = 3; t <= 10; t++) {
                ps.setArray(p++, c.createArrayOf("text", text[t]));
            }
            Array prev = c.createArrayOf("bytea", prevMac);
            ps.setArray(p++, prev);
            ps.setArray(p++, c.createArrayOf("bytea", mac));
            ps.setLong(p++, last.seq());
            ps.setBytes(p++, last.mac());
            ps.setBytes(p++, newHeadMac);
            ps.setLong(p++, n);
            ps.setLong(p, askedSeq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("The audit append answered no row");
                }
                boolean written = rs.getLong(1) == 1;
                long headSeq = rs.getLong(2);
                if (rs.wasNull()) {
                    return new Appended(written, Optional.empty());
                }
                byte[] headLastMac = rs.getBytes(3);
                ChainHead head = new ChainHead(headSeq, headLastMac == null ? ChainHead.GENESIS_MAC : headLastMac,
                        rs.getBytes(4));
                return new Appended(written, Optional.of(new HeadRead(head, rs.getLong(5), rs.getBytes(6))));
            }
        }
    }
}
