package dev.mfagate.core.store;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.crypto.Keyring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A SQLite store opened only to read its audit trail, for a copy this process may not write (a
 * backup, a forensic copy): its database, opened read-only ({@link Database#openSqliteReadOnly}),
 * and the audit MAC key of its keyset. Unlike {@link Store#open(Path, Map)} it writes nothing: it
 * neither migrates the schema nor claims the database for the keyset ({@code kek_state},
 * {@code key_provider}); it only checks that the keyset holds the KEK the database names.
 *
 * <p>Keys come from {@value Keyring#ENVIRONMENT_VARIABLE} when set, else from the keyset file
 * beside the database. Out of scope: stores whose keys live with a key provider (an HSM, AWS KMS,
 * Vault Transit), which are refused; seeds and tokens, which need the whole {@link Store}.
 *
 * <p>Thread-safe. Open, use, {@link #close()} once.
 */
public final class ReadOnlyStore implements AutoCloseable {

    private final Database database;
    private final Keyring keyring;

    private ReadOnlyStore(Database database, Keyring keyring) {
        this.database = database;
        this.keyring = keyring;
    }

    /**
     * Whether this process cannot write the SQLite store in {@code dataDir}: its database file, the
     * {@code -wal} or {@code -shm} beside it, or the directory (what {@link Store#open(Path, Map)}
     * refuses).
     */
    public static boolean isUnwritable(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve(Store.DATABASE_FILE_NAME);
        return Files.exists(file) && SqliteFileAccess.refusal(file, Files::isWritable, "").isPresent();
    }

    /**
     * Opens the store in {@code dataDir} read-only.
     *
     * @param environment where {@value Keyring#ENVIRONMENT_VARIABLE} may be set
     * @throws IllegalStateException in one line: no store or only half of one, a schema older or
     *     newer than this build's, keys that live with a provider, or a keyset that is not this
     *     store's
     */
    public static ReadOnlyStore open(Path dataDir, Map<String, String> environment) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(environment, "environment");
        Path dir = dataDir.toAbsolutePath();
        Path databaseFile = dir.resolve(Store.DATABASE_FILE_NAME);
        Path keysetFile = dir.resolve(Store.KEYSET_FILE_NAME);
        if (!Files.isRegularFile(databaseFile)) {
            throw new IllegalStateException("No mfagate store in " + dir + "; run mfagate init");
        }
        if (sizeOf(databaseFile) == 0) {
            throw new IllegalStateException("The store in " + dir + " has an empty " + Store.DATABASE_FILE_NAME
                    + "; restore the database from a backup");
        }
        Database database = Database.openSqliteReadOnly(databaseFile);
        Keyring keyring = null;
        try {
            Optional<String> keysLiveIn = Store.keyProviderReference(database);
            if (keysLiveIn.isPresent() && !KeyProviders.isFile(keysLiveIn.get())) {
                throw new IllegalStateException("The keys of " + database.description() + " live in " + keysLiveIn.get()
                        + ", and a store that cannot be written is opened only with a keyset file or "
                        + Keyring.ENVIRONMENT_VARIABLE + ", not a key provider; make the copy writable by this user");
            }
            String fromEnvironment = environment.get(Keyring.ENVIRONMENT_VARIABLE);
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                keyring = Keyring.fromEnvironment(environment);
            } else if (Files.exists(keysetFile)) {
                keyring = Keyring.openFile(keysetFile);
            } else {
                throw new IllegalStateException("The store in " + dir + " has " + Store.DATABASE_FILE_NAME + " but no "
                        + Store.KEYSET_FILE_NAME + "; copy the keyset beside it, or set " + Keyring.ENVIRONMENT_VARIABLE);
            }
            Keyring keys = keyring;
            Optional<String> required = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT primary_kek_id FROM kek_state WHERE id = 1").mapTo(String.class).findOne());
            if (required.isPresent() && !keys.kek().holds(required.get())) {
                throw new IllegalStateException("The keyset from " + keys.description() + " does not hold KEK "
                        + required.get() + ", under which the data keys of " + database.description()
                        + " are wrapped; it is not this store's keyset");
            }
            return new ReadOnlyStore(database, keyring);
        } catch (RuntimeException e) {
            if (keyring != null) {
                keyring.close();
            }
            database.close();
            throw e;
        }
    }

    /** The database, opened read-only. */
    public Database database() {
        return database;
    }

    /** The key the audit chain's MACs are checked with. */
    public ChainMac auditMac() {
        return keyring.auditMac();
    }

    /** Closes the database and the keyring. */
    @Override
    public void close() {
        try {
            database.close();
        } finally {
            keyring.close();
        }
    }

    @Override
    public String toString() {
        return "ReadOnlyStore[" + database.description() + ", keys from " + keyring.description() + "]";
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1; // Opening it says what is wrong.
        }
    }
}
