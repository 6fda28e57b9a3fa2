package dev.mfagate.gateway.cli;

import dev.mfagate.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the store is: a data directory (SQLite + keyset), optionally with a PostgreSQL database. */
public final class StoreOptions {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:MFAGATE_DATA_DIR:-mfagate-data}",
            description = "Data directory with the keyset and the SQLite store (env MFAGATE_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--database", paramLabel = "URL", defaultValue = "${env:MFAGATE_DATABASE_URL}",
            description = "PostgreSQL URL (postgresql://user@host:5432/db) instead of the SQLite file (env MFAGATE_DATABASE_URL).")
    String databaseUrl;

    /** The data directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** Opens the initialised store, or fails with a one-line reason. */
    public Store open() {
        if ((databaseUrl == null || databaseUrl.isBlank()) && !Files.isDirectory(dataDir)) {
            throw UserError.failure("No store at " + dataDir.toAbsolutePath() + "; run 'mfagate init' first (or pass --data-dir)");
        }
        return StoreOpener.open(dataDir, databaseUrl);
    }
}
