package dev.mfagate.core.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * One {@code audit_entry} row exactly as stored, and its canonical encoding for the chain MAC.
 *
 * <p>Canonical bytes (version 1): the domain string, then seq and time as 8-byte big-endian
 * longs, then every other column in table order, each either {@code 0x00} (NULL) or {@code 0x01}
 * followed by a 4-byte length and the UTF-8 bytes (the user id: {@code 0x01} and 8 bytes), then
 * the previous MAC, length-prefixed. Every variable part is length-prefixed, so no two different
 * rows encode to the same bytes. The outcome is encoded as stored text, so a row with an edited,
 * unknown outcome still encodes (and fails its MAC) instead of failing to parse.
 */
record ChainRow(
        long seq,
        long timeMicros,
        String requestId,
        String route,
        String tokenId,
        Long zulipUserId,
        String zulipEmail,
        String label,
        String outcome,
        String reason,
        String ruleId,
        String remoteAddress,
        String instanceId,
        String detail,
        byte[] prevMac,
        byte[] mac) {

    static final String COLUMNS = "seq, time_us, request_id, route, token_id, zulip_user_id, zulip_email, label, "
            + "outcome, reason, rule_id, remote_address, instance_id, detail, prev_mac, mac";

    private static final byte[] ENTRY_DOMAIN = "mfagate-audit-entry-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_DOMAIN = "mfagate-audit-head-v1".getBytes(StandardCharsets.US_ASCII);

    /** The row for {@code event} at {@code seq} after {@code prevMac}, without its MAC yet. */
    static ChainRow unsealed(long seq, AuditEvent e, byte[] prevMac) {
        return new ChainRow(seq, toMicros(e.time()), e.requestId(), e.route(), e.tokenId(), e.zulipUserId(),
                e.zulipEmail(), e.label(), e.outcome().name(), e.reason(), e.ruleId(), e.remoteAddress(),
                e.instanceId(), e.detail(), prevMac, null);
    }

    ChainRow withMac(byte[] newMac) {
        return new ChainRow(seq, timeMicros, requestId, route, tokenId, zulipUserId, zulipEmail, label, outcome,
                reason, ruleId, remoteAddress, instanceId, detail, prevMac, newMac);
    }

    static ChainRow read(ResultSet rs) throws SQLException {
        long userId = rs.getLong("zulip_user_id");
        Long zulipUserId = rs.wasNull() ? null : userId;
        return new ChainRow(rs.getLong("seq"), rs.getLong("time_us"), rs.getString("request_id"),
                rs.getString("route"), rs.getString("token_id"), zulipUserId, rs.getString("zulip_email"),
                rs.getString("label"), rs.getString("outcome"), rs.getString("reason"), rs.getString("rule_id"),
                rs.getString("remote_address"), rs.getString("instance_id"), rs.getString("detail"),
                bytes(rs.getBytes("prev_mac")), bytes(rs.getBytes("mac")));
    }

    /** The insert of a row, with positional parameters, for the writer's plain-JDBC batch. */
    static final String INSERT_POSITIONAL = "INSERT INTO audit_entry (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Binds this row to {@link #INSERT_POSITIONAL}. The audit writer binds rows with plain JDBC
     * rather than Jdbi's named parameters: it runs once per entry on the hot path, and named
     * binding costs several times more there.
     */
    void bindPositional(java.sql.PreparedStatement ps) throws SQLException {
        ps.setLong(1, seq);
        ps.setLong(2, timeMicros);
        text(ps, 3, requestId);
        text(ps, 4, route);
        text(ps, 5, tokenId);
        if (zulipUserId == null) {
            ps.setNull(6, java.sql.Types.BIGINT);
        } else {
            ps.setLong(6, zulipUserId);
        }
        text(ps, 7, zulipEmail);
        text(ps, 8, label);
        text(ps, 9, outcome);
        text(ps, 10, reason);
        text(ps, 11, ruleId);
        text(ps, 12, remoteAddress);
        text(ps, 13, instanceId);
        text(ps, 14, detail);
        ps.setBytes(15, prevMac);
        ps.setBytes(16, mac);
    }

    private static void text(java.sql.PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, java.sql.Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }


    /** The canonical bytes of this row as if its sequence number were {@code asSeq}. */
    byte[] canonicalBytes(long asSeq) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(buf);
            writeBytes(out, ENTRY_DOMAIN);
            out.writeLong(asSeq);
            out.writeLong(timeMicros);
            for (String s : new String[] {requestId, route, tokenId}) {
                writeString(out, s);
            }
            if (zulipUserId == null) {
                out.writeByte(0);
            } else {
                out.writeByte(1);
                out.writeLong(zulipUserId);
            }
            for (String s : new String[] {zulipEmail, label, outcome, reason, ruleId, remoteAddress, instanceId, detail}) {
                writeString(out, s);
            }
            writeBytes(out, prevMac);
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot happen: writing to memory", e);
        }
    }

    /** The canonical bytes of the chain head (last seq and its MAC). */
    static byte[] headBytes(long seq, byte[] lastMac) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(buf);
            writeBytes(out, HEAD_DOMAIN);
            out.writeLong(seq);
            writeBytes(out, lastMac);
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot happen: writing to memory", e);
        }
    }

    AuditEntry toEntry() {
        return new AuditEntry(seq, new AuditEvent(fromMicros(timeMicros), requestId, route, tokenId, zulipUserId,
                zulipEmail, label, Outcome.valueOf(outcome), reason, ruleId, remoteAddress, instanceId, detail));
    }

    static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    static Instant fromMicros(long us) {
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
    }

    private static byte[] bytes(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }
}
