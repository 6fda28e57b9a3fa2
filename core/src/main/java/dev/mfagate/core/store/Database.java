package dev.mfagate.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * An open, migrated database: a HikariCP pool, a {@link Jdbi} on it, and the {@link Dialect}.
 *
 * <p>Opening runs the Flyway migrations of {@code db/migration/<dialect>} when the store lacks one
 * of them (a query of Flyway's history table tells, see {@link SchemaVersions}). SQLite runs in WAL
 * mode with {@code synchronous=FULL}, so a committed transaction survives a crash or power loss,
 * and {@code secure_delete=ON}, so deleted rows do not linger in free pages; the pool takes only
 * connections that can write, and drops one that turns read-only (see {@link SqliteDataSource}),
 * so a short spell of unwritable files heals by itself. PostgreSQL uses its defaults (synchronous
 * commit); the pool drops connections the server closed. Thread-safe; close it once.
 *
 * <p><b>SQLite writers.</b> Transactions and write statements of every database this process has
 * open on one file first take that file's write lock in Java ({@link SqliteWriteLock}), where a
 * waiting virtual thread frees its carrier; only the holder then meets SQLite's lock, and waits in
 * SQLite's busy handler ({@link #BUSY_TIMEOUT_MILLIS}) only for a writer of another process or the
 * audit writer's own connection. Both waits end with {@code SQLITE_BUSY} after that timeout. Reads,
 * and snapshots through {@link #readTransaction}, never wait for a writer (WAL).
 */
public final class Database implements AutoCloseable {

    /**
     * The least free space, in bytes, on the file system of a SQLite store for it to open and for
     * the audit log to write (see {@link DiskFullException}): several times the WAL's size at its
     * automatic checkpoint (1000 pages, 4 MiB), so that the store's own writes never fill the disk.
     */
    public static final long MIN_FREE_BYTES = 16L << 20;

    /**
     * How long a SQLite writer waits for the write lock before it fails with {@code SQLITE_BUSY}:
     * in Java for a writer of this process ({@link SqliteWriteLock}), in SQLite's busy handler
     * for one of another process.
     */
    static final int BUSY_TIMEOUT_MILLIS = 5_000;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final String description;
    private final PostgresUrl postgresUrl;
    private final Path sqliteDirectory;
    /** SQLite: the file's write lock, shared with every other database of this process on the file. */
    private final SqliteWriteLock writeLock;

    private Database(HikariDataSource dataSource, Dialect dialect, String description, PostgresUrl postgresUrl,
                     Path sqliteDirectory, SqliteWriteLock writeLock) {
        this.dataSource = dataSource;
        this.postgresUrl = postgresUrl;
        this.dialect = dialect;
        this.description = description;
        this.sqliteDirectory = sqliteDirectory;
        this.writeLock = writeLock;
        this.jdbi = Jdbi.create(dataSource);
        // Jdbi's template engine and parser, each with a shortcut for plain statements: both lex every
        // new statement with an ANTLR lexer, in code not yet compiled at start (see PositionalSqlParser).
        jdbi.setTemplateEngine(new PlainTemplateEngine());
        jdbi.setSqlParser(new PositionalSqlParser());
        if (writeLock != null) {
            writeLock.install(jdbi);
        }
    }

    /**
     * Opens (creating if needed) the SQLite file at {@code file} and migrates it.
     *
     * @throws DiskFullException if its file system has less than {@link #MIN_FREE_BYTES} free
     * @throws IllegalStateException naming the files and the {@code chmod} when this process cannot
     *     write the file, its {@code -wal} or {@code -shm}, or their directory (nothing is created then)
     */
    public static Database openSqlite(Path file) {
        Objects.requireNonNull(file, "file");
        Path directory = file.toAbsolutePath().getParent();
        requireFreeSpace(directory);
        SqliteFileAccess.requireWritable(file);
        java.util.Properties pragmas = new java.util.Properties();
        pragmas.setProperty("journal_mode", "WAL");
        pragmas.setProperty("synchronous", "FULL");
        pragmas.setProperty("busy_timeout", String.valueOf(BUSY_TIMEOUT_MILLIS));
        pragmas.setProperty("foreign_keys", "true");
        // Removed rows (seed ciphertexts, token hashes) are overwritten rather than left in free pages.
        pragmas.setProperty("secure_delete", "true");
        // No memory-mapped reads of the database file: with mmap, an I/O error or a full disk is a
        // SIGBUS that kills the JVM instead of an error code (the WAL index is mapped regardless).
        pragmas.setProperty("mmap_size", "0");
        // A page cache of 512 KiB per connection instead of SQLite's 2 MiB: the audit writer's
        // connection appends, and kept the pages it had written until its cache was full; the seed
        // and token tables the others read are a few pages.
        pragmas.setProperty("cache_size", "-512");
        SqliteDataSource sqlite = new SqliteDataSource(new org.sqlite.SQLiteConfig(pragmas));
        sqlite.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        HikariConfig config = new HikariConfig();
        // The driver's own DataSource, not a JDBC URL: a URL makes the pool go through DriverManager,
        // which loads every driver on the class path (PostgreSQL's costs about 0.3 s of start-up).
        config.setDataSource(sqlite);
        config.setExceptionOverride(SqliteDataSource.EVICT_READ_ONLY);
        config.setPoolName("mfagate-sqlite");
        // One writer at a time is SQLite's model; a few connections let reads overlap a write in WAL mode.
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        // Migrated before the pool exists: a pool fills itself on a thread of its own, and a connection
        // it opens while Flyway holds the write lock fails at once with SQLITE_BUSY (switching a new
        // file to WAL needs that lock, and the connection's busy timeout is not set yet at that point).
        migrateSchema(sqlite, Dialect.SQLITE, "sqlite:" + file.toAbsolutePath());
        SqliteWriteLock writeLock = SqliteWriteLock.open(realPath(file), BUSY_TIMEOUT_MILLIS);
        HikariDataSource pool = null;
        try {
            pool = new HikariDataSource(config);
            // Migrated just above: not asked again through the pool (one query less of every start).
            return new Database(pool, Dialect.SQLITE, "sqlite:" + file.toAbsolutePath(), null, directory, writeLock);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            writeLock.close();
            throw e;
        }
    }

    /**
     * Opens the SQLite store at {@code file} read-only, for reading the audit trail of a copy this
     * process may not write (a backup, a forensic copy): SQLite's {@code mode=ro}, no migration and
     * no write of any kind. When the file or its directory cannot be written and there is no
     * {@code -wal} or {@code -shm} beside it, also {@code immutable=1}: SQLite then makes no
     * {@code -shm} and takes no lock, which a read-only directory would refuse; never so for a store
     * another process may be writing, whose changes an immutable reader would not see.
     *
     * @throws NoStoreException if the file is not an mfagate store
     * @throws IllegalStateException if its schema is older or newer than this build's (it is not
     *     migrated), or it cannot be read
     */
    public static Database openSqliteReadOnly(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        String description = "sqlite:" + absolute;
        boolean companions = java.nio.file.Files.exists(Path.of(absolute + "-wal"))
                || java.nio.file.Files.exists(Path.of(absolute + "-shm"));
        boolean immutable = !companions && SqliteFileAccess.refusal(absolute, java.nio.file.Files::isWritable, "").isPresent();
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setPragma(org.sqlite.SQLiteConfig.Pragma.MMAP_SIZE, "0");
        org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:file:" + absolute.toUri().getRawPath() + "?mode=ro" + (immutable ? "&immutable=1" : ""));
        try (java.sql.Connection probe = sqlite.getConnection();
             java.sql.Statement s = probe.createStatement()) {
            s.executeQuery("SELECT count(*) FROM sqlite_schema").close();
        } catch (java.sql.SQLException e) {
            String reason = String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " ");
            throw new IllegalStateException("Cannot read the store " + description + " read-only: " + reason
                    + (companions ? " (a copy with its -wal needs a writable -shm, or checkpoint it before copying)" : ""), e);
        }
        String folder = "db/migration/" + Dialect.SQLITE.migrationFolder();
        SchemaVersions.Standing standing = SchemaVersions.standing(sqlite, folder, JAVA_MIGRATIONS);
        switch (standing) {
            case CURRENT -> { }
            case OLDER -> throw new IllegalStateException("The store " + description + " has an older schema than this"
                    + " mfagate's, and a read-only store is never migrated; read it with the mfagate version that wrote it,"
                    + " or run 'mfagate migrate' on a writable copy");
            case NEWER -> throw new IllegalStateException("The store " + description + " has a newer schema than this"
                    + " mfagate's (a later version wrote it); read it with that version or a later one");
            case UNKNOWN -> throw new NoStoreException(description + " holds no complete mfagate schema (not a store, a"
                    + " failed migration, or damaged); restore the store from a backup, or give the right --data-dir");
        }
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(sqlite);
        pool.setPoolName("mfagate-sqlite-read-only");
        pool.setMaximumPoolSize(2);
        pool.setMinimumIdle(0);
        pool.setConnectionTimeout(5_000);
        // Said to the pool too: else it sets every connection back to read-write, which the driver refuses.
        pool.setReadOnly(true);
        return new Database(new HikariDataSource(pool), Dialect.SQLITE, description + " (read-only)", null, null, null);
    }

    /** The file's real path (links resolved), so that every name of one file shares its write lock. */
    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (java.io.IOException e) {
            // It exists once migrated; a path that cannot be resolved still names it for this process.
            return file.toAbsolutePath().normalize();
        }
    }

    /**
     * Opens a PostgreSQL database from a URL in any form {@link PostgresUrl} accepts
     * ({@code postgresql://user@host:5432/db}, {@code ?user=}, {@code jdbc:postgresql://...}) and migrates it.
     *
     * @throws IllegalArgumentException when the URL is malformed (the message never quotes it)
     */
    public static Database openPostgres(String url, int maxPoolSize) {
        return openPostgres(PostgresUrl.parse(Objects.requireNonNull(url, "url")), maxPoolSize);
    }

    /** Opens the PostgreSQL database {@code url} names and migrates it, making the schema if it has none. */
    public static Database openPostgres(PostgresUrl url, int maxPoolSize) {
        return openPostgres(url, maxPoolSize, true);
    }

    /**
     * Opens the PostgreSQL database {@code url} names and migrates it. With {@code createSchema}
     * false, a database (or {@code currentSchema}) without mfagate's schema is refused before
     * anything is written to it: only {@code init} and {@code migrate} make a store; every other
     * command on a wrong or empty database would otherwise leave mfagate's tables there.
     *
     * @throws NoStoreException when {@code createSchema} is false and there is no mfagate schema
     */
    public static Database openPostgres(PostgresUrl url, int maxPoolSize, boolean createSchema) {
        // The driver's DataSource with each part set as a property: the driver's own URL parser takes
        // no user or password before the host, and a DataSource skips the DriverManager scan.
        org.postgresql.ds.PGSimpleDataSource driver = postgresDataSource(url);
        // One connection straight from the driver first: a server that is away, an unknown database or
        // a refused login fails at once with the driver's reason, where the pool would wait out its
        // connection timeout (twice: for the schema check, then again for Flyway).
        boolean hasSchema;
        try (java.sql.Connection probe = driver.getConnection()) {
            hasSchema = createSchema || hasSchemaHistory(probe);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot connect to " + url.redacted(), e);
        }
        if (!hasSchema) {
            throw new NoStoreException("No mfagate store in the PostgreSQL database " + url.database() + " ("
                    + url.redacted() + "): it has no mfagate schema, and nothing was written to it; run 'mfagate init"
                    + " --database URL' to make a store there, or fix the database in the URL");
        }
        awaitLoggingSetUp();
        HikariConfig config = new HikariConfig();
        config.setDataSource(driver);
        config.setPoolName("mfagate-postgresql");
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(Math.min(2, maxPoolSize));
        // Fail fast when the database is away, so requests answer 503 instead of hanging.
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        return migrate(new HikariDataSource(config), Dialect.POSTGRESQL, url.redacted(), url);
    }

    /** Whether the connection's current schema holds Flyway's history table, which every mfagate store has. */
    private static boolean hasSchemaHistory(java.sql.Connection c) throws java.sql.SQLException {
        try (java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables"
                     + " WHERE schemaname = current_schema() AND tablename = 'flyway_schema_history')")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * A driver DataSource (unpooled) for {@code url}, also for tools and tests: short connect and socket timeouts and TCP keep-alive
     * unless the URL sets them, then every parameter of the URL.
     *
     * @throws IllegalArgumentException naming a parameter the driver does not know
     */
    public static org.postgresql.ds.PGSimpleDataSource postgresDataSource(PostgresUrl url) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        // The driver joins these into its own URL, where an IPv6 address needs its brackets.
        ds.setServerNames(url.hosts().stream().map(h -> h.host().contains(":") ? "[" + h.host() + "]" : h.host())
                .toArray(String[]::new));
        ds.setPortNumbers(url.hosts().stream().mapToInt(PostgresUrl.HostPort::port).toArray());
        ds.setDatabaseName(url.database());
        url.user().ifPresent(ds::setUser);
        url.password().ifPresent(ds::setPassword);
        ds.setConnectTimeout(2);
        ds.setSocketTimeout(10);
        ds.setTcpKeepAlive(true);
        for (var p : url.parameters().entrySet()) {
            try {
                ds.setProperty(p.getKey(), p.getValue());
            } catch (java.sql.SQLException | RuntimeException e) {
                throw new IllegalArgumentException("Invalid PostgreSQL URL: unknown or malformed parameter '" + p.getKey()
                        + "' (parameters are the JDBC driver's, such as sslmode, sslrootcert, currentSchema, connectTimeout)");
            }
        }
        return ds;
    }

    /** Opens {@code url}: {@code sqlite:PATH}, {@code jdbc:sqlite:PATH}, {@code postgresql://...} or {@code jdbc:postgresql://...}. */
    public static Database open(String url) {
        if (url.startsWith("sqlite:")) {
            return openSqlite(Path.of(url.substring("sqlite:".length())));
        }
        if (url.startsWith("jdbc:sqlite:")) {
            return openSqlite(Path.of(url.substring("jdbc:sqlite:".length())));
        }
        if (PostgresUrl.isPostgres(url)) {
            return openPostgres(url, 10);
        }
        throw new IllegalArgumentException("Unsupported database URL scheme; must be sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
    }

    /**
     * Loads, without opening any database, what opening one of {@code dialect} needs first: the list
     * of its migrations (a walk of the class path's jar, done once a process) and, for SQLite, the
     * driver's native library. For a start-up thread that runs while the command line is parsed.
     * Idempotent and thread-safe; a failure here shows again, and is reported, when a database opens.
     */
    public static void preload(Dialect dialect) {
        java.util.concurrent.CountDownLatch logging = loggingSetUp;
        if (logging != null) {
            try {
                org.slf4j.LoggerFactory.getILoggerFactory();
            } finally {
                logging.countDown();
            }
        }
        SchemaVersions.available("db/migration/" + dialect.migrationFolder(), JAVA_MIGRATIONS);
        if (dialect == Dialect.SQLITE) {
            NATIVE_PRELOAD.run(() -> {
                try {
                    org.sqlite.SQLiteJDBCLoader.initialize();
                } catch (Exception e) {
                    // Opening the database loads it again and says what went wrong.
                }
            });
        }
    }

    /**
     * Counted down once {@link #preload} has set logging up, when {@link #beforePreload} announced a
     * preload on PostgreSQL; else null. {@link #openPostgres} waits for it before the connection pool,
     * whose first logging calls would otherwise arrive while the other thread sets logging up: SLF4J
     * holds such calls back, replays them and prints three lines about having done so. (On SQLite
     * the preload unpacks the native library first, and the pool is not met so early.) Setting
     * logging up on the opening thread instead cost PostgreSQL's start about 0.1 s.
     */
    private static volatile java.util.concurrent.CountDownLatch loggingSetUp;

    /**
     * Called, before a start-up thread is started to run {@link #preload}, by the thread that will
     * open the database; on PostgreSQL that thread then leaves setting logging up to the preload.
     */
    public static void beforePreload(Dialect dialect) {
        if (dialect == Dialect.POSTGRESQL) {
            loggingSetUp = new java.util.concurrent.CountDownLatch(1);
        }
    }

    private static void awaitLoggingSetUp() {
        java.util.concurrent.CountDownLatch logging = loggingSetUp;
        if (logging == null) {
            return;
        }
        try {
            // Bounded: a preload that never ran (or failed before) costs at most this, and then the
            // pool sets logging up itself.
            logging.await(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The preload's load of SQLite's native library, which the driver may unpack into a temporary file. */
    private static final PreloadGate NATIVE_PRELOAD = new PreloadGate();

    /**
     * Before the process exits: waits, at most {@code max}, for a {@link #preload} that is unpacking
     * SQLite's native library, and keeps a later one from starting. An exit in the middle of the
     * copy would leave the partial library and its lock file in the temporary directory for good.
     * Returns whether no preload was still loading when it returned.
     */
    public static boolean endPreload(Duration max) {
        return NATIVE_PRELOAD.end(max);
    }

    /** The Java migrations given to Flyway, by class: their versions count in {@link SchemaVersions}. */
    private static final java.util.List<Class<?>> JAVA_MIGRATIONS = java.util.List.of(V4_1__AssignTenants.class);

    private static Database migrate(HikariDataSource ds, Dialect dialect, String description, PostgresUrl postgresUrl) {
        try {
            migrateSchema(ds, dialect, description);
            return new Database(ds, dialect, description, postgresUrl, null, null);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static void migrateSchema(javax.sql.DataSource ds, Dialect dialect, String description) {
        String folder = "db/migration/" + dialect.migrationFolder();
        // One query of the history table answers for an up-to-date store; Flyway (half a second
        // of class loading) runs only when there is something to migrate (see SchemaVersions).
        if (SchemaVersions.isBehind(ds, folder, JAVA_MIGRATIONS)) {
            try {
                Flyway.configure()
                        .dataSource(ds)
                        .locations("classpath:" + folder)
                        .failOnMissingLocations(true)
                        .javaMigrations(new V4_1__AssignTenants())
                        .load()
                        .migrate();
            } catch (org.flywaydb.core.api.FlywayException e) {
                throw notAStore(e, dialect, description);
            }
        }
    }

    /**
     * What a failed migration means to the operator, in a sentence (the CLI prints it as it is): a
     * database of other tables, a file that is not SQLite's, or else a migration that failed.
     * Flyway's own message stays in the cause, for the debug output.
     */
    private static IllegalStateException notAStore(org.flywaydb.core.api.FlywayException e, Dialect dialect, String description) {
        String message = String.valueOf(e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && dialect == Dialect.SQLITE
                    && String.valueOf(sql.getMessage()).contains("SQLITE_NOTADB")) {
                return new IllegalStateException(description + " is not an SQLite database (or it is damaged); restore the"
                        + " store from a backup, or give the right --data-dir", e);
            }
        }
        if (message.contains("non-empty schema") && message.contains("no schema history table")) {
            return new IllegalStateException(description + " holds tables but no mfagate schema; give an empty database"
                    + " or an mfagate store", e);
        }
        String first = message.lines().findFirst().orElse("");
        return new IllegalStateException("The store's schema in " + description + " could not be brought up to date: "
                + (first.length() > 200 ? first.substring(0, 200) + "..." : first), e);
    }

    /**
     * On SQLite, checks that the store's file system has at least {@link #MIN_FREE_BYTES} free (one
     * {@code statvfs} call); on PostgreSQL, whose disk is the server's business, does nothing. The
     * audit log calls it before each batch, readiness on each check.
     *
     * @throws DiskFullException if there is less
     */
    public void requireFreeSpace() {
        if (sqliteDirectory != null) {
            requireFreeSpace(sqliteDirectory);
        }
    }

    private static void requireFreeSpace(Path directory) {
        // File.getUsableSpace is one statvfs; it answers 0 for a path that does not exist, which
        // opening would then report better.
        long usable = directory.toFile().getUsableSpace();
        if (usable < MIN_FREE_BYTES && java.nio.file.Files.isDirectory(directory)) {
            throw new DiskFullException(directory, usable, MIN_FREE_BYTES);
        }
    }

    /**
     * Whether the database answers a trivial query ({@code SELECT 1}) through the pool; readiness
     * asks this, so it answers within the pool's connection timeout when the database is down.
     *
     * @throws RuntimeException (with the driver's {@code SQLException} as a cause) when it does not answer
     */
    public boolean ping() {
        Integer one = jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
        return one != null && one == 1;
    }

    /** The Jdbi handle factory for this database. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Runs {@code callback} in a read-only transaction: one consistent snapshot (SQLite's
     * serializable transaction, PostgreSQL's {@code REPEATABLE READ}) that never waits for a writer.
     * On SQLite it does not take the write lock (see {@link SqliteWriteLock}), which every other
     * transaction takes; so write nothing in it.
     */
    public <R, X extends Exception> R readTransaction(org.jdbi.v3.core.HandleCallback<R, X> callback) throws X {
        if (dialect == Dialect.SQLITE && writeLock == null) {
            // A read-only store (openSqliteReadOnly): no writer of this process to stay clear of.
            return jdbi.inTransaction(org.jdbi.v3.core.transaction.TransactionIsolationLevel.SERIALIZABLE, callback);
        }
        if (writeLock == null) {
            return jdbi.inTransaction(org.jdbi.v3.core.transaction.TransactionIsolationLevel.REPEATABLE_READ, callback);
        }
        // sqlite-jdbc supports only SERIALIZABLE (its default).
        return jdbi.withHandle(h -> writeLock.inReadTransaction(h,
                org.jdbi.v3.core.transaction.TransactionIsolationLevel.SERIALIZABLE, callback));
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

    /** The PostgreSQL URL this database was opened from; empty on SQLite. */
    public java.util.Optional<PostgresUrl> postgresUrl() {
        return java.util.Optional.ofNullable(postgresUrl);
    }

    private HikariDataSource relaxedPool;
    private boolean closed;

    /**
     * A second, small PostgreSQL pool whose sessions commit with {@code synchronous_commit = off},
     * for state whose loss in a database crash costs nothing that matters: rate-limit buckets (a
     * crash can at most hand back the last fraction of a second of consumed tokens). Such commits
     * do not wait for the WAL flush, so the row locks they hold are released sooner. Never use it
     * for the audit trail, seeds, tokens or policy. Created on first use, closed with this database.
     *
     * @throws IllegalStateException on SQLite, which keeps buckets in memory
     */
    public synchronized javax.sql.DataSource relaxedDurabilityDataSource() {
        if (dialect != Dialect.POSTGRESQL) {
            throw new IllegalStateException("A relaxed-durability pool exists only on PostgreSQL");
        }
        if (relaxedPool == null) {
            HikariConfig config = new HikariConfig();
            config.setDataSource(postgresDataSource(postgresUrl));
            config.setPoolName("mfagate-postgresql-buckets");
            config.setMaximumPoolSize(Math.max(2, Math.min(8, dataSource.getMaximumPoolSize())));
            config.setMinimumIdle(1);
            config.setConnectionTimeout(dataSource.getConnectionTimeout());
            config.setValidationTimeout(dataSource.getValidationTimeout());
            config.setInitializationFailTimeout(-1);
            config.setConnectionInitSql("SET synchronous_commit TO OFF");
            relaxedPool = new HikariDataSource(config);
        }
        return relaxedPool;
    }

    @Override
    public void close() {
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
            if (relaxedPool != null) {
                relaxedPool.close();
            }
        }
        dataSource.close();
        if (first && writeLock != null) {
            writeLock.close();
        }
    }
}
