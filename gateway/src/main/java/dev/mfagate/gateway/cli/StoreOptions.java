package dev.mfagate.gateway.cli;

import dev.mfagate.core.store.ReadOnlyStore;
import dev.mfagate.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the store is: a data directory (SQLite + keyset), or a PostgreSQL database shared by
 * several instances, keyed by the data directory's keyset file or {@code MFAGATE_KEYSET}.
 */
public final class StoreOptions {

    private final CliContext cli;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "mfagate-data",
            description = "Data directory with the keyset and the SQLite store (env MFAGATE_DATA_DIR; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_DATA_DIR")
    Path dataDir;

    @Option(names = "--database", paramLabel = "URL",
            description = {"A PostgreSQL database instead of the SQLite file (env MFAGATE_DATABASE_URL), as a URL such as:",
                    "  postgresql://USER[:PASSWORD]@HOST:5432/DATABASE",
                    "The forms postgres://... and jdbc:postgresql://... and the parameters ?user= and &password= work too."
                            + " Every instance on the database needs the same keyset: the keyset file in --data-dir,"
                            + " or MFAGATE_KEYSET."})
    @EnvironmentDefault("MFAGATE_DATABASE_URL")
    String databaseUrl;

    @Option(names = "--database-pool-size", paramLabel = "N", defaultValue = "10",
            description = "Most connections to PostgreSQL per process (env MFAGATE_DATABASE_POOL_SIZE; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_DATABASE_POOL_SIZE")
    int poolSize;

    /** Options read in {@code cli}'s environment (picocli makes them through the command factory). */
    StoreOptions(CliContext cli) {
        this.cli = cli;
    }

    /** The data directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** Whether the store is a database named by URL rather than the data directory's SQLite file. */
    public boolean hasDatabaseUrl() {
        return databaseUrl != null && !databaseUrl.isBlank();
    }

    /** Opens the initialised store, or fails with a one-line reason. */
    public Store open() {
        checkPoolSize();
        if (!hasDatabaseUrl() && !Files.isDirectory(dataDir)) {
            throw UserError.failure("No store at " + dataDir.toAbsolutePath() + "; run 'mfagate init' first (or pass --data-dir)");
        }
        dev.mfagate.core.StartupTrace.mark("store: opening");
        Store opened = StoreOpener.open(dataDir, databaseUrl, poolSize, cli.env());
        dev.mfagate.core.StartupTrace.mark("store: opened");
        return opened;
    }

    /**
     * Opens the store for the audit commands, which only read: as {@link #open()}, except that a
     * SQLite store this user cannot write (a backup or forensic copy) is opened read-only, never
     * migrated and never written ({@link ReadOnlyStore}).
     */
    AuditStore openForAudit() {
        if (hasDatabaseUrl() || !Files.isDirectory(dataDir) || !ReadOnlyStore.isUnwritable(dataDir)) {
            return AuditStore.of(open());
        }
        checkPoolSize();
        try {
            return AuditStore.of(ReadOnlyStore.open(dataDir, cli.env()));
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage());
        }
    }

    /** Creates a new store: SQLite in the data directory, or the schema in the database with the keyset kept here. */
    Store init() {
        return init(dev.mfagate.core.crypto.KeyProviders.FILE);
    }

    /** As {@link #init()}, with the KEK where {@code kek} says ({@code file} or a key provider reference). */
    Store init(String kek) {
        checkPoolSize();
        return StoreOpener.init(dataDir, databaseUrl, poolSize, kek, cli.env());
    }

    /** Where the store is, with any password removed. */
    String describe() {
        return hasDatabaseUrl() ? StoreOpener.redact(databaseUrl) : dataDir.toAbsolutePath().toString();
    }

    private void checkPoolSize() {
        if (poolSize < 2 || poolSize > 200) {
            throw UserError.badInput("Invalid --database-pool-size " + poolSize + "; must be from 2 to 200");
        }
    }
}
