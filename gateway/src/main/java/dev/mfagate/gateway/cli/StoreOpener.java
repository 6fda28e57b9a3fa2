package dev.mfagate.gateway.cli;

import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import java.nio.file.Path;
import java.util.Map;

/** Opens the store the flags name: the SQLite file in the data directory, or a PostgreSQL database. */
final class StoreOpener {

    private StoreOpener() {
    }

    /**
     * With no database URL, the data directory's SQLite store and keyset. With one, the PostgreSQL
     * database, keyed by {@code MFAGATE_KEYSET} when set, else by the data directory's keyset file.
     */
    static Store open(Path dataDir, String databaseUrl) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return Store.open(dataDir);
        }
        Map<String, String> env = System.getenv();
        Keyring keyring = env.containsKey("MFAGATE_KEYSET")
                ? Keyring.fromEnvironment(env)
                : Keyring.openFile(dataDir.resolve("keyset.json"));
        Database db = Database.open(databaseUrl);
        try {
            return Store.open(db, keyring);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }
}
