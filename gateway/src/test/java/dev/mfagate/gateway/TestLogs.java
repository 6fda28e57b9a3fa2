package dev.mfagate.gateway;

import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the tests keep what the gateway wrote, for {@link ZzSecretScanIT}: server processes'
 * output, the in-process log (see {@code logback-test.xml}) and every audit trail, exported at the
 * end of each test that had a store. Thread-safe.
 */
final class TestLogs {

    /** The directory; the build passes {@code mfagate.test-logs}. */
    static final Path DIR = Path.of(System.getProperty("mfagate.test-logs", "target/test-logs"));

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN = Long.toString(ProcessHandle.current().pid(), 36);

    private TestLogs() {
    }

    /** A new file under {@link #DIR} named after {@code what} (letters, digits and dashes kept). */
    static Path newFile(String what, String suffix) {
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String safe = what.replaceAll("[^A-Za-z0-9-]+", "-");
        if (safe.length() > 60) {
            safe = safe.substring(0, 60);
        }
        return DIR.resolve(safe + "-" + RUN + "-" + COUNTER.incrementAndGet() + suffix);
    }

    /** Writes the whole audit trail of {@code db} as JSON lines to a new file named after {@code what}. */
    static Path exportAudit(Database db, String what) {
        Path file = newFile("audit-" + what, ".jsonl");
        try (Writer w = Files.newBufferedWriter(file)) {
            new AuditExporter(db).export(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"), w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** As {@link #exportAudit(Database, String)}, for the SQLite store of the data directory {@code dataDir}. */
    static void exportAudit(Path dataDir, String what) {
        if (!Files.isRegularFile(dataDir.resolve(Store.DATABASE_FILE_NAME))) {
            return;
        }
        try (Database db = Database.openSqlite(dataDir.resolve(Store.DATABASE_FILE_NAME))) {
            exportAudit(db, what);
        }
    }
}
