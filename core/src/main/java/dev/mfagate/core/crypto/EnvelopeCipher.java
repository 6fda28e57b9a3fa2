package dev.mfagate.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import dev.mfagate.core.Label;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Envelope encryption of seeds: each seed version gets its own random AES-256-GCM data key, which
 * encrypts the seed record (secret and parameters); the data key is wrapped by the KEK.
 *
 * <p>Both ciphertexts carry associated data that binds the label and the version
 * ({@code mfagate/seed/v1|<label>|<version>} for the record, {@code mfagate/dek/v1|<label>|<version>}
 * for the wrapped key; labels cannot contain {@code |}), so a ciphertext copied onto another label's
 * or version's row fails to open with {@link SeedDecryptionException.Reason#NOT_THIS_LABEL}.
 *
 * <p>Cost of {@link #open}: two AES-GCM decryptions and no keyset parsing (the KEK primitive is
 * cached in the {@link Kek}; the data key is raw key bytes, not a serialised keyset). The wrapped
 * plaintext is {@code 0x01 || 32 key bytes}, the tag leaving room for other data-key types.
 *
 * <p>Stateless and thread-safe. Out of scope: storage and which KEK is current (the store and the
 * {@link Keyring}).
 */
public final class EnvelopeCipher {

    private static final byte DATA_KEY_AES256_GCM = 1;
    private static final int DATA_KEY_SIZE_BYTES = 32;
    private static final AesGcmParameters DATA_KEY_PARAMETERS;

    static {
        try {
            DATA_KEY_PARAMETERS = AesGcmParameters.builder()
                    .setKeySizeBytes(DATA_KEY_SIZE_BYTES)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private EnvelopeCipher() {}

    /**
     * Encrypts {@code seed} for {@code label} at {@code version} under a fresh data key wrapped by
     * {@code kek}'s primary key.
     */
    public static SealedSeed seal(Kek kek, Label label, int version, TotpSeed seed) {
        Objects.requireNonNull(kek, "kek");
        Objects.requireNonNull(seed, "seed");
        checkVersion(version);
        AesGcmKey dataKey = generateDataKey();
        byte[] keyBytes = dataKey.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get());
        byte[] wrappedPlaintext = new byte[1 + DATA_KEY_SIZE_BYTES];
        byte[] record = SeedRecordCodec.encode(seed);
        try {
            wrappedPlaintext[0] = DATA_KEY_AES256_GCM;
            System.arraycopy(keyBytes, 0, wrappedPlaintext, 1, DATA_KEY_SIZE_BYTES);
            byte[] ciphertext = AesGcmJce.create(dataKey).encrypt(record, seedAssociatedData(label, version));
            byte[] wrapped = kek.wrap(wrappedPlaintext, keyAssociatedData(label, version));
            return new SealedSeed(kek.primaryKeyId(), wrapped, ciphertext);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("AES-256-GCM encryption with a fresh key cannot fail", e);
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
            Arrays.fill(wrappedPlaintext, (byte) 0);
            Arrays.fill(record, (byte) 0);
        }
    }

    /**
     * Decrypts the seed of {@code label} at {@code version}.
     *
     * @throws SeedDecryptionException if the ciphertexts were not made for this label and version,
     *     were altered, or are wrapped under a KEK that {@code kek} does not hold
     */
    public static TotpSeed open(Kek kek, Label label, int version, SealedSeed sealed) {
        Objects.requireNonNull(sealed, "sealed");
        byte[] dataKey = unwrap(kek, label, version, sealed);
        byte[] record = null;
        try {
            Aead aead = AesGcmJce.create(dataKeyOf(dataKey, label, version));
            record = aead.decrypt(sealed.ciphertext(), seedAssociatedData(label, version));
            return SeedRecordCodec.decode(record);
        } catch (GeneralSecurityException e) {
            throw SeedDecryptionException.notThisLabel(label, version);
        } catch (IllegalArgumentException e) {
            throw SeedDecryptionException.malformed(label, version, e.getMessage());
        } finally {
            Arrays.fill(dataKey, (byte) 0);
            if (record != null) {
                Arrays.fill(record, (byte) 0);
            }
        }
    }

    /**
     * Re-wraps the data key of {@code sealed} under {@code kek}'s primary key; the seed ciphertext is
     * unchanged. Used by KEK rotation.
     *
     * @throws SeedDecryptionException as {@link #open} does
     */
    public static SealedSeed rewrap(Kek kek, Label label, int version, SealedSeed sealed) {
        Objects.requireNonNull(sealed, "sealed");
        byte[] dataKey = unwrap(kek, label, version, sealed);
        try {
            byte[] wrapped = kek.wrap(dataKey, keyAssociatedData(label, version));
            return new SealedSeed(kek.primaryKeyId(), wrapped, sealed.ciphertext());
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * Re-wraps the data key of {@code sealed}, opened with {@code from}, under {@code to}'s primary
     * key; the seed ciphertext is unchanged. Used when a tenant gets its own KEK, or gives it up.
     *
     * @throws SeedDecryptionException as {@link #open} does, for {@code from}
     */
    public static SealedSeed rewrap(Kek from, Kek to, Label label, int version, SealedSeed sealed) {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(to, "to");
        byte[] dataKey = unwrap(from, label, version, sealed);
        try {
            byte[] wrapped = to.wrap(dataKey, keyAssociatedData(label, version));
            return new SealedSeed(to.primaryKeyId(), wrapped, sealed.ciphertext());
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** Opens the wrapped data key ({@code 0x01 || key}); the caller clears the result. */
    private static byte[] unwrap(Kek kek, Label label, int version, SealedSeed sealed) {
        Objects.requireNonNull(kek, "kek");
        Objects.requireNonNull(label, "label");
        checkVersion(version);
        if (!kek.holds(sealed.kekId())) {
            throw SeedDecryptionException.kekNotHeld(label, version, sealed.kekId());
        }
        byte[] plaintext;
        try {
            plaintext = kek.unwrap(sealed.wrappedKey(), keyAssociatedData(label, version));
        } catch (GeneralSecurityException e) {
            throw SeedDecryptionException.notThisLabel(label, version);
        }
        if (plaintext.length != 1 + DATA_KEY_SIZE_BYTES || plaintext[0] != DATA_KEY_AES256_GCM) {
            Arrays.fill(plaintext, (byte) 0);
            throw SeedDecryptionException.malformed(label, version, "unknown data key type");
        }
        return plaintext;
    }

    private static AesGcmKey dataKeyOf(byte[] wrappedPlaintext, Label label, int version) {
        byte[] keyBytes = Arrays.copyOfRange(wrappedPlaintext, 1, wrappedPlaintext.length);
        try {
            return AesGcmKey.builder()
                    .setParameters(DATA_KEY_PARAMETERS)
                    .setKeyBytes(SecretBytes.copyFrom(keyBytes, InsecureSecretKeyAccess.get()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw SeedDecryptionException.malformed(label, version, "invalid data key");
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
    }

    private static AesGcmKey generateDataKey() {
        try {
            return AesGcmKey.builder()
                    .setParameters(DATA_KEY_PARAMETERS)
                    .setKeyBytes(SecretBytes.randomBytes(DATA_KEY_SIZE_BYTES))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new AssertionError("An AES-256-GCM key of 32 random bytes is always valid", e);
        }
    }

    private static void checkVersion(int version) {
        if (version < 1) {
            throw new IllegalArgumentException("Invalid seed version " + version + "; must be at least 1");
        }
    }

    static byte[] seedAssociatedData(Label label, int version) {
        return ("mfagate/seed/v1|" + label.value() + "|" + version).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] keyAssociatedData(Label label, int version) {
        return ("mfagate/dek/v1|" + label.value() + "|" + version).getBytes(StandardCharsets.UTF_8);
    }
}
