package dev.mfagate.core.crypto;

/**
 * The keyed MAC that links audit entries into a chain, so that editing, deleting or reordering an
 * entry is detected.
 *
 * <p>Backed by the installation's audit-MAC keyset (Tink HMAC-SHA256 with a 256-bit tag and Tink's
 * output prefix): {@link #computeMac} uses the primary key and its 5-byte key-id prefix is part of
 * the returned tag, so {@link #verifyMac} keeps accepting tags of older keys for as long as the
 * keyset holds them, which is what lets the audit key rotate without breaking old entries.
 *
 * <p>Implementations are thread-safe. Out of scope: the chain itself (what is hashed, in which
 * order); that belongs to the audit trail.
 */
public interface ChainMac {

    /**
     * The MAC of {@code data} under the primary key, prefixed with that key's id.
     *
     * @param data the bytes to authenticate; not modified
     * @return a fresh array the caller owns
     */
    byte[] computeMac(byte[] data);

    /**
     * Whether {@code mac} is a valid MAC of {@code data} under any key of the keyset. Never throws
     * for a wrong or malformed tag; returns {@code false}.
     */
    boolean verifyMac(byte[] mac, byte[] data);
}
