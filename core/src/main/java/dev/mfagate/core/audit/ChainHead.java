package dev.mfagate.core.audit;

import dev.mfagate.core.crypto.ChainMac;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code audit_head} row: the last committed seq, its MAC, and a MAC over both.
 * {@code seq == 0} with no {@code headMac} is the empty chain the migration creates.
 */
record ChainHead(long seq, byte[] lastMac, byte[] headMac) {

    static final byte[] GENESIS_MAC = new byte[0];

    boolean isGenesis() {
        return seq == 0 && headMac == null;
    }

    boolean isAuthentic(ChainMac chainMac) {
        return headMac != null && chainMac.verifyMac(headMac, ChainRow.headBytes(seq, lastMac));
    }

    /** Reads the head; {@code forUpdate} locks the row until the transaction ends (PostgreSQL). */
    static Optional<ChainHead> read(Handle h, boolean forUpdate) {
        return h.createQuery("SELECT seq, mac, head_mac FROM audit_head WHERE id = 1" + (forUpdate ? " FOR UPDATE" : ""))
                .map((rs, ctx) -> {
                    byte[] mac = rs.getBytes("mac");
                    return new ChainHead(rs.getLong("seq"), mac == null ? GENESIS_MAC : mac, rs.getBytes("head_mac"));
                })
                .findOne();
    }
}
