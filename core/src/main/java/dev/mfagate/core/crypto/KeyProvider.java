package dev.mfagate.core.crypto;

/**
 * Where the key-encryption key lives when it is not the {@code keyset.json} file: a PKCS#11 HSM,
 * AWS KMS, or Vault/OpenBao Transit. The provider's key never leaves it; it only wraps and unwraps
 * the 256-bit key under which the installation's {@link Keyset} (KEK and audit MAC key) is
 * encrypted. So a gateway calls its provider once at start (and on a reload or a rotation), never
 * per code.
 *
 * <p>Every call names a {@link KeyScope}, bound as associated data. Implementations are
 * thread-safe; {@link #close()} releases clients and sessions. Failures are
 * {@link KeyProviderException}s whose message names the provider, the key and what failed, never a
 * secret (no PIN, token, credential or key material). Open one with {@link KeyProviders#open}.
 */
public interface KeyProvider extends AutoCloseable {

    /** The provider and key in the form {@code --kek} takes: {@code pkcs11:...}, {@code awskms:...}, {@code transit:...}; no secret. */
    String reference();

    /** The key's name within the provider (an HSM object label, a KMS key id or ARN, a Transit key), for messages. */
    String keyName();

    /**
     * Encrypts {@code key} (at most a few hundred bytes) under the provider's key, bound to {@code scope}.
     *
     * @throws KeyProviderException if the provider refuses or cannot be reached
     */
    byte[] wrapKey(byte[] key, KeyScope scope);

    /**
     * Decrypts what {@link #wrapKey} returned, in the same scope. The caller clears the result.
     *
     * @throws KeyProviderException if the provider refuses, cannot be reached, or the ciphertext does
     *     not open under its key in this scope
     */
    byte[] unwrapKey(byte[] wrapped, KeyScope scope);

    /** Releases the provider's resources; never throws. */
    @Override
    void close();
}
