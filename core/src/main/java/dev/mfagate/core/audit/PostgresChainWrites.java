package dev.mfagate.core.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The audit writer's statements on PostgreSQL, shaped for few round trips: the chain head is the
 * one row every instance serialises on, so each round trip while it is locked is time no other
 * instance can append.
 *
 * <ul>
 *   <li>{@link #readHead}: one statement reads the head (locking it, {@code FOR UPDATE}, when asked)
 *       and with it the last entry's seq and the MAC of the entry this process committed last,
 *       which the writer's checks need.</li>
 *   <li>{@link #append}: one statement inserts the whole batch (arrays bound once and unnested, so
 *       the statement text, and its server-side plan, is the same for any batch size) and moves the
 *       head, but only when the head, and the last entry, are exactly the ones expected. Run inside
 *       the transaction of a locking {@link #readHead} the guard holds by construction; run alone (autocommit)
 *       it appends and commits in a single round trip when the head is still the one expected, and
 *       changes nothing otherwise: the guard's {@code FOR UPDATE} waits for a concurrent writer and
 *       then sees its new head.</li>
 * </ul>
 * Stateless; the caller owns the connection and its transaction.
 */
final class PostgresChainWrites {

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
            + " UPDATE audit_head SET seq = ?, mac = ?, head_mac = ? FROM head"
            + " WHERE audit_head.id = head.id AND (SELECT COUNT(*) FROM inserted) = ?";

    private PostgresChainWrites() {
    }

    /** The locked head, the last entry's seq, and the MAC stored at the seq asked about (null when none). */
    record LockedHead(ChainHead head, long lastSeq, byte[] macAtAskedSeq) {
    }

    /**
     * Reads the head row with the last entry's seq and the MAC of entry {@code askedSeq}, locking
     * the head until the transaction ends when {@code lock}; empty when the head row is missing.
     */
    static Optional<LockedHead> readHead(Connection c, long askedSeq, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(lock ? READ_HEAD + " FOR UPDATE OF h" : READ_HEAD)) {
            ps.setLong(1, askedSeq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] mac = rs.getBytes(2);
                ChainHead head = new ChainHead(rs.getLong(1), mac == null ? ChainHead.GENESIS_MAC : mac, rs.getBytes(3));
                return Optional.of(new LockedHead(head, rs.getLong(4), rs.getBytes(5)));
            }
        }
    }

    /**
     * Inserts {@code rows} (sealed, contiguous, the first after {@code expected}) and moves the head
     * to the last of them with {@code newHeadMac}, if the stored head is {@code expected} and the
     * last entry is its seq.
     *
     * @return whether the rows were written; false changes nothing
     */
    static boolean append(Connection c, ChainHead expected, List<ChainRow> rows, byte[] newHeadMac) throws SQLException {
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
            ps.setLong(p, n);
            return ps.executeUpdate() == 1;
        }
    }
}
