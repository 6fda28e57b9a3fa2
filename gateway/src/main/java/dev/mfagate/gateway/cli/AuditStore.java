package dev.mfagate.gateway.cli;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.ReadOnlyStore;
import dev.mfagate.core.store.Store;

/**
 * What the audit commands read: the store's database and its audit MAC key, from the whole
 * {@link Store} or, for a SQLite copy this user cannot write, a {@link ReadOnlyStore}. Closing it
 * closes what it came from.
 */
record AuditStore(Database database, ChainMac auditMac, AutoCloseable owner) implements AutoCloseable {

    static AuditStore of(Store store) {
        return new AuditStore(store.database(), store.keyring().auditMac(), store);
    }

    static AuditStore of(ReadOnlyStore store) {
        return new AuditStore(store.database(), store.auditMac(), store);
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Closing the store failed", e);
        }
    }
}
