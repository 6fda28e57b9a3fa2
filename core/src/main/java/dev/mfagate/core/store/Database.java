package dev.mfagate.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * An open, migrated database: a HikariCP pool, a {@link Jdbi} on it, and the {@link Dialect}.
 *
 * <p>Opening runs the Flyway migrations of {@code db/migration/<dialect>}. SQLite runs in WAL
 * mode with {@code synchronous=FULL}, so a committed transaction survives a crash or power loss,
 * and {@code secure_delete=ON}, so deleted rows do not linger in free pages;
 * PostgreSQL uses its defaults (synchronous commit). Thread-safe; close it once.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final String description;

    private Database(HikariDataSource dataSource, Dialect dialect, String description) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.description = description;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens (creating if needed) the SQLite file at {@code file} and migrates it. */
    public static Database openSqlite(Path file) {
        Objects.requireNonNull(file, "file");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
        config.setPoolName("mfagate-sqlite");
        // One writer at a time is SQLite's model; a few connections let reads overlap a write in WAL mode.
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "FULL");
        config.addDataSourceProperty("busy_timeout", "5000");
        config.addDataSourceProperty("foreign_keys", "true");
        // Removed rows (seed ciphertexts, token hashes) are overwritten rather than left in free pages.
        config.addDataSourceProperty("secure_delete", "true");
        return migrate(new HikariDataSource(config), Dialect.SQLITE, "sqlite:" + file.toAbsolutePath());
    }

    /**
     * Opens a PostgreSQL database from a {@code postgresql://user@host:port/db} or
     * {@code jdbc:postgresql://...} URL and migrates it.
     */
    public static Database openPostgres(String url, int maxPoolSize) {
        Objects.requireNonNull(url, "url");
        String jdbcUrl = url.startsWith("jdbc:") ? url : "jdbc:" + url.replaceFirst("^postgres(ql)?://", "postgresql://");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("mfagate-postgresql");
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(Math.min(2, maxPoolSize));
        // Fail fast when the database is away, so requests answer 503 instead of hanging.
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return migrate(new HikariDataSource(config), Dialect.POSTGRESQL, redact(jdbcUrl));
    }

    /** Opens {@code url}: {@code sqlite:PATH}, {@code jdbc:sqlite:PATH}, {@code postgresql://...} or {@code jdbc:postgresql://...}. */
    public static Database open(String url) {
        if (url.startsWith("sqlite:")) {
            return openSqlite(Path.of(url.substring("sqlite:".length())));
        }
        if (url.startsWith("jdbc:sqlite:")) {
            return openSqlite(Path.of(url.substring("jdbc:sqlite:".length())));
        }
        if (url.matches("^(jdbc:)?postgres(ql)?://.*")) {
            return openPostgres(url, 10);
        }
        throw new IllegalArgumentException("Unsupported database URL scheme; must be sqlite:PATH or postgresql://HOST/DB");
    }

    private static Database migrate(HikariDataSource ds, Dialect dialect, String description) {
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration/" + dialect.migrationFolder())
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            return new Database(ds, dialect, description);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /** Removes a password from a URL before it is shown anywhere. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
    }

    /** The Jdbi handle factory for this database. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** The SQL dialect. */
    public Dialect dialect() {
        return dialect;
    }

    /** The pooled data source (for health checks and metrics). */
    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** Where this database is, with any password removed. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
