package dev.mfagate.core.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Set;

/**
 * A snapshot of a key-encryption key (KEK) set: wraps data keys under its primary key and unwraps
 * them under any key it holds.
 *
 * <p>A {@link Keyring} hands out a new {@code Kek} whenever its keys change (rotation, reload); one
 * snapshot never changes, so a caller that wraps with it can record {@link #primaryKeyId()} as the
 * id of the key that was actually used. Key ids are opaque strings (for a Tink keyset, the unsigned
 * decimal key id) and are stored beside each wrapped key.
 *
 * <p>Thread-safe and immutable. A final class rather than a record so that the primitive never shows
 * up in a {@code toString}. Out of scope: where the keys live (that is the {@link Keyring}).
 */
public final class Kek {

    private final String primaryKeyId;
    private final Set<String> keyIds;
    private final Aead aead;

    /**
     * @param primaryKeyId the id of the key {@link #wrap} uses; must be in {@code keyIds}
     * @param keyIds the ids of every key {@link #unwrap} can use
     * @param aead the AEAD primitive of the whole set (encrypts with the primary)
     */
    public Kek(String primaryKeyId, Set<String> keyIds, Aead aead) {
        this.primaryKeyId = Objects.requireNonNull(primaryKeyId, "primaryKeyId");
        this.keyIds = Set.copyOf(keyIds);
        this.aead = Objects.requireNonNull(aead, "aead");
        if (!this.keyIds.contains(primaryKeyId)) {
            throw new IllegalArgumentException("Invalid KEK: primary key id " + primaryKeyId
                    + " is not among the key ids " + this.keyIds);
        }
    }

    /** The id of the key that {@link #wrap} encrypts under. */
    public String primaryKeyId() {
        return primaryKeyId;
    }

    /** The ids of all keys this snapshot can unwrap with. */
    public Set<String> keyIds() {
        return keyIds;
    }

    /** Whether this snapshot holds the key with id {@code keyId}. */
    public boolean holds(String keyId) {
        return keyIds.contains(keyId);
    }

    /**
     * Encrypts {@code plaintext} under the primary key, bound to {@code associatedData}.
     *
     * @throws IllegalStateException if the primitive fails, which a local AES-GCM key never does
     */
    public byte[] wrap(byte[] plaintext, byte[] associatedData) {
        try {
            return aead.encrypt(plaintext, associatedData);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("KEK encryption failed with primary key " + primaryKeyId, e);
        }
    }

    /**
     * Decrypts what {@link #wrap} produced under any held key with the same associated data.
     *
     * @throws GeneralSecurityException if no held key opens it with that associated data
     */
    public byte[] unwrap(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return aead.decrypt(ciphertext, associatedData);
    }

    /** Shows the key ids only. */
    @Override
    public String toString() {
        return "Kek[primary=" + primaryKeyId + ", keys=" + keyIds.size() + "]";
    }
}
