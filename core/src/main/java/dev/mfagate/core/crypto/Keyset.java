package dev.mfagate.core.crypto;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * One installation's keys in memory: the key-encryption key set (KEK) and the audit-chain MAC key
 * set, with their ready primitives. This is what every key provider keeps: the {@code file}
 * provider as the cleartext {@code keyset.json}, the others wrapped under a key that never leaves
 * the HSM or KMS ({@link #wrap}).
 *
 * <p>Immutable and thread-safe; every change makes a new object. {@link #toString()} shows key ids
 * only. Out of scope: where the keyset is kept (the {@link Keyring}) and which KEK the database
 * requires (the store).
 */
public final class Keyset {

    private final KeysetDocument.KeyringState state;

    private Keyset(KeysetDocument.KeyringState state) {
        this.state = state;
    }

    static Keyset of(KeysetDocument document) {
        return new Keyset(document.toState());
    }

    static Keyset of(KeysetDocument.KeyringState state) {
        return new Keyset(state);
    }

    /** A fresh keyset: one AES256_GCM KEK and one HMAC-SHA256 audit key. */
    public static Keyset generate() {
        return of(KeysetDocument.generate());
    }

    /** The KEK snapshot. */
    public Kek kek() {
        return state.kek();
    }

    /** The audit-chain MAC. */
    public ChainMac auditMac() {
        return state.auditMac();
    }

    /** A copy with a fresh KEK as primary; the older KEKs stay for unwrapping. The audit keys are unchanged. */
    public Keyset withNewPrimaryKek() {
        return of(state.document().withNewPrimaryKek());
    }

    /** A copy without any KEK but the primary (they are deleted, not disabled). */
    public Keyset withOnlyPrimaryKek() {
        return of(state.document().withOnlyPrimaryKek());
    }

    /** Whether both keysets hold the same KEK ids with the same primary, and the same audit keys. */
    public boolean sameKeyIdsAs(Keyset other) {
        Objects.requireNonNull(other, "other");
        return kek().primaryKeyId().equals(other.kek().primaryKeyId())
                && kek().keyIds().equals(other.kek().keyIds())
                && state.document().auditKeyIds().equals(other.state.document().auditKeyIds());
    }

    /**
     * Encrypts this keyset for storage under {@code provider}'s key, bound to {@code scope}: one call
     * to the provider (it wraps a fresh 256-bit key; the keyset itself is encrypted here with
     * AES-256-GCM under that key).
     *
     * @throws KeyProviderException if the provider refuses or cannot be reached
     */
    public byte[] wrap(KeyProvider provider, KeyScope scope) {
        byte[] json = state.document().toJsonBytes();
        try {
            return KeysetEnvelope.seal(json, provider, scope);
        } finally {
            Arrays.fill(json, (byte) 0);
        }
    }

    /**
     * Opens what {@link #wrap} produced: one call to the provider.
     *
     * @param source where the bytes came from, for messages
     * @throws KeyProviderException if the provider refuses or cannot be reached, or the key does not
     *     open it in this scope
     * @throws IllegalArgumentException if the bytes are not a wrapped keyset
     */
    public static Keyset unwrap(byte[] wrapped, KeyProvider provider, KeyScope scope, String source) {
        byte[] json = KeysetEnvelope.open(wrapped, provider, scope, source);
        try {
            return of(KeysetDocument.parse(new String(json, java.nio.charset.StandardCharsets.UTF_8), source));
        } finally {
            Arrays.fill(json, (byte) 0);
        }
    }

    /**
     * Writes this keyset as a new {@code keyset.json} (mode 0600, moved into place atomically).
     *
     * @throws IllegalStateException if {@code file} exists; it is never overwritten
     */
    public void writeNewFile(Path file) {
        byte[] json = state.document().toJsonBytes();
        try {
            SecureFiles.writeNew(file, json);
        } finally {
            Arrays.fill(json, (byte) 0);
        }
    }

    KeysetDocument.KeyringState state() {
        return state;
    }

    /** The KEK ids (primary first); never key material. */
    public Set<String> kekIds() {
        return kek().keyIds();
    }

    @Override
    public String toString() {
        return "Keyset[kek primary=" + kek().primaryKeyId() + ", keks=" + kek().keyIds().size() + "]";
    }
}
