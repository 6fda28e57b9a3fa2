package dev.mfagate.core.crypto;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keyring whose keyset is kept wrapped under a {@link KeyProvider}'s key in a
 * {@link KeysetStorage} (the store's database). Opening unwraps once; {@link #refresh()} reads the
 * storage's generation (one cheap query) and unwraps again only when it moved. Changes are
 * serialised on this object and written before they are published.
 */
final class ProviderKeyring implements Keyring {

    private static final Logger log = LoggerFactory.getLogger(ProviderKeyring.class);

    private final KeyProvider provider;
    private final KeysetStorage storage;
    private final KeyScope scope;
    private volatile Keyset keyset;
    private volatile byte[] envelope; // guarded by this for writes
    private long generation; // guarded by this

    private ProviderKeyring(KeyProvider provider, KeysetStorage storage, KeyScope scope, KeysetStorage.Stored stored) {
        this.provider = provider;
        this.storage = storage;
        this.scope = scope;
        this.keyset = Keyset.unwrap(stored.wrapped(), provider, scope, storage.description());
        this.envelope = stored.wrapped();
        this.generation = stored.generation();
    }

    static ProviderKeyring open(KeyProvider provider, KeysetStorage storage, KeyScope scope) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(storage, "storage");
        return new ProviderKeyring(provider, storage, Objects.requireNonNull(scope, "scope"), storage.load());
    }

    @Override
    public Kek kek() {
        return keyset.kek();
    }

    @Override
    public ChainMac auditMac() {
        return keyset.auditMac();
    }

    @Override
    public Keyset keyset() {
        return keyset;
    }

    @Override
    public String description() {
        return provider.reference();
    }

    @Override
    public String providerReference() {
        return provider.reference();
    }

    /**
     * Unwraps the stored keyset again when its generation moved. A provider that fails here leaves
     * the keys this process holds in place (it keeps serving with them) and reports no change.
     */
    @Override
    public synchronized boolean refresh() {
        long now = storage.generation();
        if (now == generation) {
            return false;
        }
        try {
            KeysetStorage.Stored stored = storage.load();
            keyset = Keyset.unwrap(stored.wrapped(), provider, scope, storage.description());
            envelope = stored.wrapped();
            generation = stored.generation();
            return true;
        } catch (KeyProviderException e) {
            log.warn("Could not reload the keyset: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public boolean supportsRotation() {
        return true;
    }

    @Override
    public synchronized void addPrimaryKek() {
        refresh();
        save(keyset.withNewPrimaryKek());
    }

    @Override
    public synchronized void retireNonPrimaryKeks() {
        refresh();
        save(keyset.withOnlyPrimaryKek());
    }

    private void save(Keyset next) {
        byte[] wrapped = next.wrap(provider, scope);
        generation = storage.replace(generation, wrapped);
        envelope = wrapped;
        keyset = next;
    }

    /** Unwraps the stored envelope again and throws the result away: proves the provider still answers for this keyset. */
    @Override
    public String checkProvider() {
        try {
            Keyset.unwrap(envelope, provider, scope, storage.description());
            return "ok";
        } catch (KeyProviderException e) {
            return e.failure().description() + ": " + e.getMessage();
        }
    }

    @Override
    public void close() {
        provider.close();
    }

    @Override
    public String toString() {
        return "Keyring[" + description() + "]";
    }
}
