package dev.mfagate.gateway;

import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.MigratedSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gateway stores on both backends, so one parameterised test class covers SQLite and PostgreSQL:
 *
 * <pre>{@code
 * @ParameterizedClass(name = "{0}") @EnumSource(TestStores.Backend.class)
 * class SomeHttpTest {
 *     @RegisterExtension static final TestStores STORES = new TestStores();
 *     @Parameter(0) TestStores.Backend backend;
 *     @TempDir Path dir;
 *
 *     @BeforeEach void start() { Store store = STORES.fresh(backend, dir).init(); ... }
 * }
 * }</pre>
 *
 * <p>SQLite: the data directory {@code dir/data}, as {@code mfagate init} makes it. PostgreSQL
 * (127.0.0.1:5432, user {@code postgres}, trust authentication): one database
 * {@code mfagate_t_<random>} per test class, created on first use and dropped (with force) after
 * the class; every {@link #fresh} location gets its own schema in it, and its keyset file in
 * {@code dir/data}, as {@code mfagate init --database} makes them. When PostgreSQL is unreachable
 * its cases are skipped with the reason, except under {@code CI=true}, where they fail (the rule of
 * core's {@code TestDatabases}). Stores and pools opened through a location are closed after each
 * test (closing them again is harmless).
 */
public final class TestStores implements AfterEachCallback, AfterAllCallback {

    /** The backends under test. */
    public enum Backend { SQLITE, POSTGRESQL }

    static final String PG_HOST = "127.0.0.1:5432";
    private static final String PG_ADMIN_URL = "jdbc:postgresql://" + PG_HOST + "/test";

    /** Where schemas are made ahead: one daemon thread, so a JVM never waits for it to exit. */
    private static final java.util.concurrent.Executor AHEAD = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-schema-ahead");
        t.setDaemon(true);
        return t;
    });

    private final AtomicInteger counter = new AtomicInteger();
    private CompletableFuture<String> ahead;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private String pgDatabase;
    private String pgUnavailable;

    /** A new, empty store location on {@code backend}, with its data directory under {@code dir}. */
    public Location fresh(Backend backend, Path dir) {
        Path dataDir = dir.resolve("data");
        if (backend == Backend.SQLITE) {
            return new Location(backend, dataDir, null);
        }
        String database = ensureDatabase();
        String schema = takeSchema(database);
        return new Location(backend, dataDir,
                "postgresql://postgres@" + PG_HOST + "/" + database + "?currentSchema=" + schema);
    }

    /**
     * A new migrated schema in {@code database}: the one made ahead, and the next one started in the
     * background, so that a test's set-up rarely waits for the replay of the migrations (about 0.1 to
     * 0.3 s a schema) and the class's next test finds its schema ready.
     */
    private String takeSchema(String database) {
        CompletableFuture<String> ready;
        synchronized (this) {
            ready = ahead != null ? ahead : CompletableFuture.completedFuture(makeSchema(database));
            ahead = CompletableFuture.supplyAsync(() -> makeSchema(database), AHEAD);
        }
        try {
            return ready.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private String makeSchema(String database) {
        String schema = "s" + counter.incrementAndGet();
        try (Connection c = connect("jdbc:postgresql://" + PG_HOST + "/" + database)) {
            MigratedSchemas.createPostgres(c, "postgresql://postgres@" + PG_HOST + "/" + database, schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create schema " + schema + " in " + database, e);
        }
        return schema;
    }

    /** Where one store lives: a data directory, and for PostgreSQL a database URL. */
    public final class Location {
        private final Backend backend;
        private final Path dataDir;
        private final String databaseUrl;

        private Location(Backend backend, Path dataDir, String databaseUrl) {
            this.backend = backend;
            this.dataDir = dataDir;
            this.databaseUrl = databaseUrl;
        }

        /** The backend. */
        public Backend backend() {
            return backend;
        }

        /** The data directory (the keyset, and for SQLite the database). */
        public Path dataDir() {
            return dataDir;
        }

        /** The PostgreSQL URL ({@code postgresql://...}); only for {@link Backend#POSTGRESQL}. */
        public String databaseUrl() {
            if (databaseUrl == null) {
                throw new IllegalStateException("A SQLite store has no database URL");
            }
            return databaseUrl;
        }

        /** The CLI flags that name this store besides {@code --data-dir}: {@code --database URL} on PostgreSQL. */
        public List<String> databaseArgs() {
            return databaseUrl == null ? List.of() : List.of("--database", databaseUrl);
        }

        /** Creates the store: a new keyset and an empty, migrated database. */
        public Store init() {
            try {
                Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new IllegalStateException("Cannot create " + dataDir, e);
            }
            if (backend == Backend.SQLITE) {
                // What Store.init(dataDir) makes, with the schema copied rather than migrated again.
                Path file = dataDir.resolve(Store.DATABASE_FILE_NAME);
                if (Files.exists(file) || Files.exists(dataDir.resolve(Store.KEYSET_FILE_NAME))) {
                    throw new IllegalStateException("A store exists in " + dataDir + " already");
                }
                MigratedSchemas.writeSqlite(file);
                Keyring keyring = Keyring.createFile(dataDir.resolve(Store.KEYSET_FILE_NAME));
                Database db = Database.openSqlite(file);
                try {
                    return track(Store.open(db, keyring));
                } catch (RuntimeException e) {
                    db.close();
                    throw e;
                }
            }
            return openWith(Keyring.createFile(dataDir.resolve(Store.KEYSET_FILE_NAME)));
        }

        /** Opens the store {@link #init()} created, as another process (or a restart) would. */
        public Store open() {
            if (backend == Backend.SQLITE) {
                return track(Store.open(dataDir));
            }
            return openWith(Keyring.openFile(dataDir.resolve(Store.KEYSET_FILE_NAME)));
        }

        /** Another pool on the store's database, for looking at rows directly. */
        public Database openDatabase() {
            return track(backend == Backend.SQLITE
                    ? Database.openSqlite(dataDir.resolve(Store.DATABASE_FILE_NAME))
                    : Database.openPostgres(databaseUrl, 4));
        }

        private Store openWith(Keyring keyring) {
            Database db = Database.openPostgres(databaseUrl, 4);
            try {
                return track(Store.open(db, keyring));
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        }

        @Override
        public String toString() {
            return backend.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        synchronized (opened) {
            opened.add(Objects.requireNonNull(resource));
        }
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        synchronized (opened) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
            opened.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        afterEach(context);
        CompletableFuture<String> unused;
        synchronized (this) {
            unused = ahead;
            ahead = null;
        }
        if (unused != null) {
            // Finished before its database is dropped; a schema made ahead and never taken goes with the database.
            unused.exceptionally(e -> null).join();
        }
        if (pgDatabase != null) {
            try (Connection c = connect(PG_ADMIN_URL); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + pgDatabase + " WITH (FORCE)");
            }
            pgDatabase = null;
        }
    }

    private synchronized String ensureDatabase() {
        if (pgDatabase != null) {
            return pgDatabase;
        }
        if (pgUnavailable == null) {
            String name = "mfagate_t_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(5));
            try (Connection c = connect(PG_ADMIN_URL); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
                pgDatabase = name;
                return name;
            } catch (SQLException e) {
                pgUnavailable = "PostgreSQL at " + PG_HOST + " is unreachable (" + e.getMessage() + ")";
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(pgUnavailable + "; CI=true requires it");
        }
        Assumptions.abort(pgUnavailable + ": PostgreSQL cases skipped (they fail when CI=true)");
        throw new AssertionError("unreachable");
    }

    private static Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(url, p);
    }
}
