package dev.mfagate.core.audit;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A point of the audit chain kept outside the database: an entry's sequence number and its MAC,
 * written {@code SEQ:MAC} with the MAC in lower-case hex ({@code 1042:01a2b3...}).
 *
 * <p>The chain proves that nothing was edited, inserted or reordered, and its head row that
 * nothing was cut from the end, but the database alone cannot show that entries were cut and an
 * older, genuine head put back. An anchor held elsewhere can: {@link AuditVerifier#verify(java.util.List)}
 * checks that the chain still holds each anchored entry. Every JSON line of the audit log and of
 * {@code audit export} carries its entry's {@code seq} and {@code mac}, so any line shipped to a
 * SIEM is an anchor; {@code mfagate audit anchor} prints the current head as one.
 *
 * <p>A MAC is not a secret (it cannot be turned into a head that verifies without the audit key).
 *
 * @param seq the entry's sequence number, at least 1
 * @param macHex the entry's MAC, lower-case hex
 */
public record AuditAnchor(long seq, String macHex) {

    private static final int MAX_MAC_HEX = 256;

    /** Validates: seq at least 1, MAC non-empty even-length lower-case hex. */
    public AuditAnchor {
        Objects.requireNonNull(macHex, "macHex");
        if (seq < 1) {
            throw new IllegalArgumentException("Invalid audit anchor seq " + seq + "; must be at least 1");
        }
        if (macHex.isEmpty() || macHex.length() > MAX_MAC_HEX || macHex.length() % 2 != 0
                || !macHex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("Invalid audit anchor MAC for seq " + seq
                    + "; must be the entry's MAC in hex, as audit export and audit anchor print it");
        }
    }

    /** The anchor of an entry with MAC {@code mac}. */
    static AuditAnchor of(long seq, byte[] mac) {
        return new AuditAnchor(seq, HexFormat.of().formatHex(mac));
    }

    /**
     * Parses {@code SEQ:MAC} (hex in either case, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the rule; the message repeats at most the sequence number
     */
    public static AuditAnchor parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon < 1 || colon > 19 || !t.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("Invalid audit anchor; expected SEQ:MAC, such as 1042:01a2b3... (MAC in hex)");
        }
        long seq;
        try {
            seq = Long.parseLong(t.substring(0, colon));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid audit anchor; the sequence number is too large");
        }
        return new AuditAnchor(seq, t.substring(colon + 1).toLowerCase(Locale.ROOT));
    }

    /** The MAC's bytes. */
    byte[] mac() {
        return HexFormat.of().parseHex(macHex);
    }

    /** {@code SEQ:MAC}. */
    @Override
    public String toString() {
        return seq + ":" + macHex;
    }
}
