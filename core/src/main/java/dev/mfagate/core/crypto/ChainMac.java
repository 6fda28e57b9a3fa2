package dev.mfagate.core.crypto;

/**
 * Keyed MAC for the audit chain; implementations must be thread-safe.
 */
public interface ChainMac {

    /** The MAC of {@code data}. */
    byte[] computeMac(byte[] data);

    /** Whether {@code mac} is the MAC of {@code data}, compared in constant time. */
    boolean verifyMac(byte[] mac, byte[] data);
}
