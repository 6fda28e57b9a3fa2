package dev.mfagate.core.testing;

import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Dialect;
import dev.mfagate.core.store.PostgresUrl;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh, migrated test databases on every backend the store supports, so one parameterised test
 * covers SQLite and PostgreSQL:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
 * void add_newLabel_isFound(Dialect backend, @TempDir Path dir) {
 *     try (TestDatabase db = TestDatabases.open(backend, dir)) { ... db.database() ... }
 * }
 * }</pre>
 *
 * <p>SQLite: a new file in the given directory. PostgreSQL: a new schema {@code mfagate_test_<random>}
 * in the database named by {@value #POSTGRES_URL_ENV} (default {@value #DEFAULT_POSTGRES_URL}),
 * dropped with everything in it on {@link TestDatabase#close()}. If PostgreSQL is unreachable the
 * PostgreSQL cases are skipped with the reason shown, except when {@code CI=true}, where they fail.
 *
 * <p>Thread-safe. Lives in core's test-jar for the gateway's tests too.
 */
public final class TestDatabases {

    /** The environment variable naming the PostgreSQL server tests use (any form {@link PostgresUrl} takes). */
    public static final String POSTGRES_URL_ENV = "MFAGATE_TEST_POSTGRES_URL";
    /** The PostgreSQL server tests use by default: local, trust authentication, in the form the README shows. */
    public static final String DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile String unreachableReason;

    private TestDatabases() {}

    /** Every backend, for {@code @MethodSource}. */
    public static Stream<Dialect> backends() {
        return Stream.of(Dialect.SQLITE, Dialect.POSTGRESQL);
    }

    /** A fresh database on {@code backend}; {@code dir} holds the SQLite file (unused for PostgreSQL). */
    public static TestDatabase open(Dialect backend, Path dir) {
        return switch (backend) {
            case SQLITE -> sqlite(dir);
            case POSTGRESQL -> postgres();
        };
    }

    /** A fresh SQLite database, {@code dir/mfagate-test.db}. */
    public static TestDatabase sqlite(Path dir) {
        Path file = dir.resolve("mfagate-test.db");
        MigratedSchemas.writeSqlite(file);
        return new TestDatabase(Dialect.SQLITE, () -> Database.openSqlite(file), file, null);
    }

    /**
     * A fresh PostgreSQL schema.
     *
     * @throws org.opentest4j.TestAbortedException (a skip) if PostgreSQL is unreachable on a
     *     developer machine; an {@link AssertionError} instead when {@code CI=true}
     */
    public static TestDatabase postgres() {
        String adminUrl = adminUrl();
        if (unreachableReason != null) {
            skipOrFail(unreachableReason, null);
        }
        String schema = "mfagate_test_" + HexFormat.of().formatHex(randomBytes());
        try (Connection c = connect(adminUrl)) {
            MigratedSchemas.createPostgres(c, adminUrl, schema);
        } catch (SQLException e) {
            unreachable(adminUrl, e);
        }
        String url = adminUrl + (adminUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try {
            return new TestDatabase(Dialect.POSTGRESQL, () -> Database.openPostgres(url, 4), null,
                    () -> dropSchema(adminUrl, schema));
        } catch (RuntimeException e) {
            dropSchema(adminUrl, schema);
            throw e;
        }
    }

    private static String adminUrl() {
        return Optional.ofNullable(System.getenv(POSTGRES_URL_ENV)).filter(u -> !u.isBlank()).orElse(DEFAULT_POSTGRES_URL);
    }

    private static Connection connect(String url) throws SQLException {
        return Database.postgresDataSource(PostgresUrl.parse(url)).getConnection();
    }

    private static void unreachable(String url, SQLException e) {
        String reason = "PostgreSQL at " + PostgresUrl.parse(url).redacted() + " is unreachable ("
                + e.getMessage() + ")";
        unreachableReason = reason;
        skipOrFail(reason, e);
    }

    /** Skips on a developer machine; fails when {@code CI=true}, where PostgreSQL must be there. */
    private static void skipOrFail(String reason, Exception e) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(reason + "; CI=true, so the PostgreSQL cases fail instead of being skipped", e);
        }
        Assumptions.abort(reason + "; PostgreSQL cases skipped (set " + POSTGRES_URL_ENV + " to run them)");
    }

    private static void dropSchema(String adminUrl, String schema) {
        try (Connection c = connect(adminUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop test schema " + schema, e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * One test database. {@link #close()} closes it and, for PostgreSQL, drops its schema; closing a
     * {@code Store} that owns {@link #database()} first is fine.
     */
    public static final class TestDatabase implements AutoCloseable {
        private final Dialect dialect;
        private final Supplier<Database> opener;
        private final Database database;
        private final Path sqliteFile;
        private final Runnable drop;
        private final List<Database> others = new CopyOnWriteArrayList<>();

        TestDatabase(Dialect dialect, Supplier<Database> opener, Path sqliteFile, Runnable drop) {
            this.dialect = Objects.requireNonNull(dialect);
            this.opener = opener;
            this.database = opener.get();
            this.sqliteFile = sqliteFile;
            this.drop = drop;
        }

        /**
         * Another connection pool on the same data, as a second process would have; closed with this
         * fixture.
         */
        public Database openAnother() {
            Database other = opener.get();
            others.add(other);
            return other;
        }

        /** The backend. */
        public Dialect dialect() {
            return dialect;
        }

        /** The open, migrated database. */
        public Database database() {
            return database;
        }

        /** The SQLite file, for tests that scan it; empty on PostgreSQL. */
        public Optional<Path> sqliteFile() {
            return Optional.ofNullable(sqliteFile);
        }

        @Override
        public void close() {
            others.forEach(Database::close);
            database.close();
            if (drop != null) {
                drop.run();
            }
        }

        @Override
        public String toString() {
            return dialect.name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
