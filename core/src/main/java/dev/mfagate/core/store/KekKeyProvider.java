package dev.mfagate.core.store;

import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.KeyProvider;
import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.crypto.KeyScope;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * The {@code keyset} provider of a tenant key: the tenant's keyset is wrapped under the
 * installation's KEK (held wherever {@code init --kek} put it), in the tenant's scope. No remote
 * call; revoking such a tenant key erases its wrapped keyset. Immutable: it wraps with the snapshot
 * it was given, so the caller records that snapshot's primary id beside the wrap.
 */
final class KekKeyProvider implements KeyProvider {

    /** The reference of this provider in {@code keys tenant set --provider}. */
    static final String REFERENCE = "keyset";

    private final Kek kek;

    KekKeyProvider(Kek kek) {
        this.kek = Objects.requireNonNull(kek, "kek");
    }

    /** The installation KEK this provider wraps under. */
    String primaryKeyId() {
        return kek.primaryKeyId();
    }

    @Override
    public String reference() {
        return REFERENCE;
    }

    @Override
    public String keyName() {
        return "installation KEK " + kek.primaryKeyId();
    }

    @Override
    public byte[] wrapKey(byte[] key, KeyScope scope) {
        return kek.wrap(key, scope.associatedData());
    }

    @Override
    public byte[] unwrapKey(byte[] wrapped, KeyScope scope) {
        try {
            return kek.unwrap(wrapped, scope.associatedData());
        } catch (GeneralSecurityException e) {
            throw new KeyProviderException(REFERENCE, keyName(), "unwrapping the tenant keyset",
                    KeyProviderException.Failure.BAD_CIPHERTEXT, "not wrapped under a KEK the installation keyset holds");
        }
    }

    @Override
    public void close() {
    }
}
