package dev.mfagate.core.crypto;

import java.util.Objects;

/**
 * A seed as stored: its data key wrapped by a KEK, and the seed record encrypted under that data
 * key. Neither part is secret without the KEK; this is what the database holds.
 *
 * <p>Immutable: the arrays are copied in and out. Equality is by identity of the arrays' owner
 * (records compare arrays by reference), so do not compare sealed seeds with {@code equals}.
 *
 * @param kekId the id of the KEK that wrapped the data key (see {@link Kek#primaryKeyId()})
 * @param wrappedKey the data key, encrypted by the KEK (Tink ciphertext with its 5-byte key prefix)
 * @param ciphertext the seed record, encrypted by the data key (12-byte IV, ciphertext, 16-byte tag)
 */
public record SealedSeed(String kekId, byte[] wrappedKey, byte[] ciphertext) {

    /** Copies the arrays. */
    public SealedSeed {
        Objects.requireNonNull(kekId, "kekId");
        wrappedKey = Objects.requireNonNull(wrappedKey, "wrappedKey").clone();
        ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
    }

    /** A copy of the wrapped data key. */
    @Override
    public byte[] wrappedKey() {
        return wrappedKey.clone();
    }

    /** A copy of the encrypted seed record. */
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** Shows sizes only. */
    @Override
    public String toString() {
        return "SealedSeed[kek=" + kekId + ", wrappedKey=" + wrappedKey.length + " bytes, ciphertext="
                + ciphertext.length + " bytes]";
    }
}
