package dev.mfagate.core.testing;

import dev.mfagate.core.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real databases for policy, audit and rate-limit tests, on both backends with one fixture.
 *
 * <pre>{@code
 * @RegisterExtension static final PolicyTestDatabases DBS = new PolicyTestDatabases();
 *
 * @ParameterizedTest @EnumSource(PolicyTestDatabases.Backend.class)
 * void something(PolicyTestDatabases.Backend backend) {
 *     var store = DBS.fresh(backend);      // a new, migrated, empty database
 *     Database a = store.db();
 *     Database b = store.openAnother();    // a second pool on the same data: "another instance"
 * }
 * }</pre>
 *
 * <p>SQLite: a new file per {@link #fresh} in a temporary directory. PostgreSQL (127.0.0.1:5432,
 * user {@code postgres}, trust auth): one database {@code mfagate_t_<random>} per test class,
 * created on first use and dropped after the class; each {@link #fresh} gets its own schema in it,
 * so tests do not see each other's rows. When PostgreSQL is unreachable its cases are skipped with
 * the reason, unless {@code CI=true}, where they fail. Every database opened is closed after each test.
 */
public final class PolicyTestDatabases implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    /** The backends under test. */
    public enum Backend { SQLITE, POSTGRESQL }

    private static final String PG_HOST = "127.0.0.1:5432";
    private static final String PG_ADMIN_URL = "jdbc:postgresql://" + PG_HOST + "/test";

    private final AtomicInteger counter = new AtomicInteger();
    private final List<Database> opened = new ArrayList<>();
    private Path dir;
    private String pgDatabase;
    private String pgUnavailable;

    /** Both backends, for {@code @MethodSource}. */
    public static Stream<Backend> backends() {
        return Stream.of(Backend.values());
    }

    /** A store on one backend: its first database and a way to open more pools onto it. */
    public final class Store {
        private final Backend backend;
        private final String target;
        private final Database db;

        private Store(Backend backend, String target) {
            this.backend = backend;
            this.target = target;
            this.db = openAnother();
        }

        /** The backend. */
        public Backend backend() {
            return backend;
        }

        /** The database opened first. */
        public Database db() {
            return db;
        }

        /** Another pool on the same data, as a second gateway instance would have. */
        public Database openAnother() {
            Database d = backend == Backend.SQLITE ? Database.openSqlite(Path.of(target)) : Database.openPostgres(target, 4);
            synchronized (opened) {
                opened.add(d);
            }
            return d;
        }

        /** The SQLite file (SQLite only). */
        public Path sqliteFile() {
            if (backend != Backend.SQLITE) {
                throw new IllegalStateException("Not a SQLite store");
            }
            return Path.of(target);
        }
    }

    /** A new, empty, migrated store on {@code backend}. */
    public Store fresh(Backend backend) {
        return new Store(backend, freshTarget(backend, true));
    }

    /**
     * Where a new store on {@code backend} would be, not yet opened or migrated: a SQLite file path
     * (no file yet) or a PostgreSQL JDBC URL of an empty schema (user postgres). For upgrade tests,
     * which lay down an older schema there first; {@link #open} then opens it.
     */
    public String freshTarget(Backend backend) {
        return freshTarget(backend, false);
    }

    /** A new store's place; {@code migrated} lays the current schema there first ({@link MigratedSchemas}). */
    private String freshTarget(Backend backend, boolean migrated) {
        int n = counter.incrementAndGet();
        if (backend == Backend.SQLITE) {
            Path file = dir.resolve("t" + n + ".db");
            if (migrated) {
                MigratedSchemas.writeSqlite(file);
            }
            return file.toString();
        }
        ensurePostgres();
        String schema = "s" + n;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + "/" + pgDatabase, pgProps());
             Statement s = c.createStatement()) {
            if (migrated) {
                MigratedSchemas.createPostgres(c, "postgresql://postgres@" + PG_HOST + "/" + pgDatabase, schema);
            } else {
                s.execute("CREATE SCHEMA " + schema);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create schema " + schema + " in " + pgDatabase, e);
        }
        return "jdbc:postgresql://" + PG_HOST + "/" + pgDatabase + "?user=postgres&currentSchema=" + schema;
    }

    /** Opens (and migrates) the store at {@code target}, from {@link #freshTarget}; closed after the test. */
    public Store open(Backend backend, String target) {
        return new Store(backend, target);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("mfagate-policy-test");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        synchronized (opened) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
            opened.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException, SQLException {
        afterEach(context);
        if (pgDatabase != null) {
            try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, pgProps()); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + pgDatabase + " WITH (FORCE)");
            }
        }
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    private synchronized void ensurePostgres() {
        if (pgDatabase != null) {
            return;
        }
        if (pgUnavailable == null) {
            String name = "mfagate_t_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(5));
            try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, pgProps()); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
                pgDatabase = name;
                return;
            } catch (SQLException e) {
                pgUnavailable = "PostgreSQL at " + PG_HOST + " is unreachable (" + e.getMessage() + ")";
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(pgUnavailable + "; CI=true requires it");
        }
        Assumptions.abort(pgUnavailable + ": PostgreSQL cases skipped (they fail when CI=true)");
    }

    private static Properties pgProps() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "2");
        return p;
    }
}
