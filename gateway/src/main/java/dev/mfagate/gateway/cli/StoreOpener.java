package dev.mfagate.gateway.cli;

import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.NoStoreException;
import dev.mfagate.core.store.PostgresUrl;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.StoreFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

/**
 * Opens (or initialises) the store the flags name: the SQLite file in the data directory, or a
 * PostgreSQL database shared by several gateway instances.
 *
 * <p><b>Keys with SQLite.</b> {@value Keyring#ENVIRONMENT_VARIABLE} when set, else
 * {@code keyset.json} beside the database.
 *
 * <p><b>Keys with PostgreSQL.</b> The database holds only ciphertext; the keyset never goes into
 * it. Every instance needs the same keyset: {@value Keyring#ENVIRONMENT_VARIABLE} when set (the
 * keyset JSON or its base64, for containers), else {@code keyset.json} in the data directory
 * (mode 0600), copied there from the instance that ran {@code mfagate init --database}.
 *
 * <p><b>Keys with a key provider.</b> When the store was made with {@code init --kek pkcs11:...|
 * awskms:...|transit:...} (or moved there by {@code keys migrate}), the database says so and holds
 * the keyset wrapped under the provider's key: no keyset file and no {@value Keyring#ENVIRONMENT_VARIABLE},
 * only the provider's credentials in the environment. A provider that refuses or cannot be reached
 * stops the command with a line naming the provider, the key and what failed.
 */
final class StoreOpener {

    private static final String KEYSET_HELP = "copy keyset.json (mode 0600) from the instance that ran"
            + " 'mfagate init --database' into the data directory, or set " + Keyring.ENVIRONMENT_VARIABLE
            + " to its content";

    private StoreOpener() {
    }

    /**
     * With no database URL, the data directory's SQLite store and keyset. With one, that database,
     * keyed by {@value Keyring#ENVIRONMENT_VARIABLE} when set, else by the data directory's keyset file.
     *
     * @param poolSize the most connections to a PostgreSQL database
     * @throws UserError when the keyset is missing or the database cannot be reached
     */
    static Store open(Path dataDir, String databaseUrl, int poolSize, Map<String, String> env) {
        try {
            return openStore(dataDir, databaseUrl, poolSize, env);
        } catch (KeyProviderException e) {
            throw UserError.failure("Cannot open the store's keys: " + e.getMessage());
        }
    }

    private static Store openStore(Path dataDir, String databaseUrl, int poolSize, Map<String, String> env) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            Optional<Keyring> fromEnvironment = environmentKeyring(env);
            if (fromEnvironment.isEmpty()) {
                return Store.open(dataDir, env);
            }
            // The keyset handed over in the environment (a systemd credential, a container secret)
            // keys the SQLite store too, so keyset.json need not sit beside the database.
            Path dbFile = dataDir.resolve(Store.DATABASE_FILE_NAME);
            if (!Files.isRegularFile(dbFile)) {
                throw UserError.failure("No mfagate store in " + dataDir.toAbsolutePath() + "; run 'mfagate init' first");
            }
            Database db = Database.openSqlite(dbFile);
            try {
                refuseEnvironmentKeysetForProvider(db, env);
                return Store.open(db, fromEnvironment.get());
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        }
        Database db = openDatabase(databaseUrl, poolSize, false);
        try {
            refuseEnvironmentKeysetForProvider(db, env);
            return Store.open(db, env, () -> environmentKeyring(env).orElseGet(() -> {
                Path keysetFile = dataDir.resolve(Store.KEYSET_FILE_NAME);
                if (!Files.exists(keysetFile)) {
                    throw UserError.failure("No keyset for the database " + redact(databaseUrl) + ": no "
                            + keysetFile.toAbsolutePath() + " and " + Keyring.ENVIRONMENT_VARIABLE + " is not set; "
                            + KEYSET_HELP + " (or run 'mfagate init --database URL' once, for a new database)");
                }
                return Keyring.openFile(keysetFile);
            }));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** {@value Keyring#ENVIRONMENT_VARIABLE} next to a store whose keys live with a provider is a leftover: say so. */
    private static void refuseEnvironmentKeysetForProvider(Database db, Map<String, String> env) {
        Optional<String> keys = Store.keyProviderReference(db);
        if (keys.isPresent() && !KeyProviders.isFile(keys.get()) && environmentKeyring(env).isPresent()) {
            throw UserError.failure("The keys of " + db.description() + " live in " + keys.get() + ", but "
                    + Keyring.ENVIRONMENT_VARIABLE + " is set; unset it (it opens nothing here) and give the provider's credentials");
        }
    }

    /**
     * Initialises a store. Without a database URL: a new SQLite store and keyset in the data
     * directory. With one: a new keyset in the data directory (or the one in
     * {@value Keyring#ENVIRONMENT_VARIABLE}) and the schema in that database, which is claimed for
     * that keyset.
     *
     * @throws UserError when a keyset file exists already, or the database was initialised before
     *     (it then already has a keyset: give this instance a copy of it rather than a new one)
     */
    static Store init(Path dataDir, String databaseUrl, int poolSize, Map<String, String> env) {
        return init(dataDir, databaseUrl, poolSize, KeyProviders.FILE, env);
    }

    /**
     * As {@link #init(Path, String, int, Map)}, with the KEK where {@code kek} says: {@code file}, or a
     * key provider whose key wraps the new keyset, kept in the database (no keyset file is written).
     *
     * @throws UserError when {@code kek} is invalid, the provider refuses or cannot be reached, or a
     *     store exists already
     */
    static Store init(Path dataDir, String databaseUrl, int poolSize, String kek, Map<String, String> env) {
        String reference;
        try {
            reference = KeyProviders.normalize(kek);
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage());
        }
        try {
            return initStore(dataDir, databaseUrl, poolSize, reference, env);
        } catch (KeyProviderException e) {
            throw UserError.failure("Not initialised (no keyset or key was written" + (databaseUrl == null || databaseUrl.isBlank()
                    ? "" : "; the database keeps the empty schema made for it, which a later init uses") + "): " + e.getMessage());
        }
    }

    private static Store initStore(Path dataDir, String databaseUrl, int poolSize, String kek, Map<String, String> env) {
        boolean file = KeyProviders.isFile(kek);
        if (!file && environmentKeyring(env).isPresent()) {
            throw UserError.badInput(Keyring.ENVIRONMENT_VARIABLE + " is set, but --kek " + kek + " keeps the keyset"
                    + " with the provider; unset it, or use --kek file");
        }
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return Store.init(dataDir, kek, env);
        }
        if (!file) {
            Database db = openDatabase(databaseUrl, poolSize, true);
            try {
                if (Store.keyProviderReference(db).isPresent() || db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT primary_kek_id FROM kek_state WHERE id = 1").mapTo(String.class).findOne()).isPresent()) {
                    throw UserError.failure("The database " + db.description() + " is initialised already; do not"
                            + " initialise it again: run 'mfagate serve --database URL' with its key provider's credentials");
                }
                return Store.initWithProvider(db, kek, env);
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        }
        Path dir = dataDir.toAbsolutePath();
        Path keysetFile = dir.resolve(Store.KEYSET_FILE_NAME);
        Optional<Keyring> fromEnvironment = environmentKeyring(env);
        if (fromEnvironment.isEmpty() && Files.exists(keysetFile)) {
            throw UserError.failure("Refusing to initialise: " + keysetFile + " exists, and a keyset is never overwritten;"
                    + " to serve an initialised database with it, run 'mfagate serve --database URL'");
        }
        Database db = openDatabase(databaseUrl, poolSize, true);
        boolean createdKeyset = false;
        try {
            Optional<String> claimedBy = db.jdbi().withHandle(h -> h.createQuery("SELECT primary_kek_id FROM kek_state WHERE id = 1")
                    .mapTo(String.class).findOne());
            if (claimedBy.isPresent()) {
                Optional<String> provider = Store.keyProviderReference(db).filter(r -> !KeyProviders.isFile(r));
                throw UserError.failure("The database " + db.description() + " is initialised already (its data keys are"
                        + " wrapped under KEK " + claimedBy.get() + "); do not initialise it again: "
                        + provider.map(r -> "its keys live in " + r + "; run 'mfagate serve --database URL' with that"
                                + " provider's credentials").orElse(KEYSET_HELP + ", then run 'mfagate serve --database URL'"));
            }
            Keyring keyring;
            if (fromEnvironment.isPresent()) {
                keyring = fromEnvironment.get();
            } else {
                createPrivateDirectory(dir);
                keyring = Keyring.createFile(keysetFile);
                createdKeyset = true;
            }
            return Store.open(db, keyring);
        } catch (RuntimeException e) {
            db.close();
            if (createdKeyset) {
                // Nothing was encrypted under it: another init claimed the database first.
                deleteQuietly(keysetFile);
            }
            throw e;
        }
    }

    /**
     * Opens and migrates the database at {@code url}; with {@code createSchema}, makes mfagate's
     * schema in a database that has none ({@code init}, {@code migrate}). Every other command passes
     * false, and a database without the schema is then refused with nothing written to it.
     *
     * @throws UserError with a one-line reason when the URL is malformed, the database cannot be
     *     reached or holds no store (and may not get one); for PostgreSQL it names host, port,
     *     database and user (never the password) and what to check
     */
    static Database openDatabase(String url, int poolSize, boolean createSchema) {
        PostgresUrl postgres = null;
        try {
            if (PostgresUrl.isPostgres(url)) {
                postgres = PostgresUrl.parse(url);
                return Database.openPostgres(postgres, poolSize, createSchema);
            }
            if (!createSchema) {
                requireSqliteStore(url);
            }
            return Database.open(url);
        } catch (NoStoreException e) {
            throw UserError.failure(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage());
        } catch (RuntimeException e) {
            if (StoreFailures.isStoreFailure(e)) {
                throw UserError.failure(postgres != null ? connectionFailure(postgres, e)
                        : "Cannot open the database " + redact(url) + ": " + rootMessage(e));
            }
            throw e;
        }
    }

    /** A {@code sqlite:PATH} URL names an existing, non-empty file: SQLite would make a new store of anything else. */
    private static void requireSqliteStore(String url) {
        String path = url.startsWith("jdbc:sqlite:") ? url.substring("jdbc:sqlite:".length())
                : url.startsWith("sqlite:") ? url.substring("sqlite:".length()) : null;
        if (path == null) {
            return; // Database.open says what it accepts.
        }
        Path file = Path.of(path).toAbsolutePath();
        try {
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                return;
            }
        } catch (IOException e) {
            // Opening it says what is wrong.
            return;
        }
        throw UserError.failure("No mfagate store at " + file + "; run 'mfagate init' first (or fix the path in the URL)");
    }

    /**
     * One line for a PostgreSQL database that could not be opened: where (host, port, database,
     * user), the driver's reason, and what to check for that kind of failure (by SQL state).
     */
    static String connectionFailure(PostgresUrl url, Throwable e) {
        java.sql.SQLException sql = deepestSqlException(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        String advice;
        java.net.UnknownHostException unknown = null;
        for (Throwable t = e; t != null && unknown == null; t = t.getCause()) {
            unknown = t instanceof java.net.UnknownHostException u ? u : null;
        }
        if (unknown != null) {
            // The driver's own words ("The connection attempt failed") do not say the name is the problem.
            return "Cannot connect to PostgreSQL (" + url.describe() + "): the host name does not resolve. Check the"
                    + " host in the URL and this machine's DNS (or /etc/hosts).";
        }
        boolean tls = false;
        for (Throwable t = e; t != null && !tls; t = t.getCause()) {
            tls = t instanceof javax.net.ssl.SSLException || t.getMessage() != null && t.getMessage().contains("SSL");
        }
        if (tls) {
            // The driver's words (such as "Could not open SSL root certificate file") are about TLS, not the server being up.
            advice = "Check the URL's sslmode and sslrootcert: the CA file must exist and be readable by the user running"
                    + " mfagate (under systemd, hand it over with LoadCredential= and name it %d/...), and must sign the"
                    + " server's certificate, whose name must match the host.";
        } else if (state.equals("3D000")) {
            advice = "Create it (createdb -h " + url.host() + " -p " + url.port() + url.user().map(u -> " -U " + u).orElse("")
                    + " " + url.database() + ") or fix the database name in the URL.";
        } else if (state.startsWith("28")) {
            advice = "Check the user name and password, and that pg_hba.conf lets this user connect to this database from"
                    + " this host (for a password, a 'scram-sha-256' line; 'trust' only on a private test server).";
        } else if (state.startsWith("08") || state.isEmpty()) {
            advice = "Check that the server is running and listens on " + url.hosts().get(0)
                    + " (listen_addresses and port in postgresql.conf, firewalls), that pg_hba.conf lets this user in"
                    + " from this host, and that the database exists.";
        } else {
            advice = "Check that the server is running, that pg_hba.conf lets this user in from this host,"
                    + " and that the database exists.";
        }
        String reason = rootMessage(e);
        return "Cannot connect to PostgreSQL (" + url.describe() + "): " + reason + (reason.endsWith(".") ? " " : ". ") + advice;
    }

    /** The keyring from {@value Keyring#ENVIRONMENT_VARIABLE} in {@code env}, when it is set. */
    static Optional<Keyring> environmentKeyring(Map<String, String> env) {
        String value = env.get(Keyring.ENVIRONMENT_VARIABLE);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Keyring.fromEnvironment(env));
    }

    /** {@code url} without any password: a PostgreSQL URL in libpq form with {@code ***}, a SQLite one as it is. */
    static String redact(String url) {
        if (!PostgresUrl.isPostgres(url)) {
            return url;
        }
        try {
            return PostgresUrl.parse(url).redacted();
        } catch (IllegalArgumentException e) {
            return "(a malformed PostgreSQL URL)";
        }
    }

    private static java.sql.SQLException deepestSqlException(Throwable e) {
        java.sql.SQLException deepest = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof java.sql.SQLException sql && sql.getMessage() != null) {
                deepest = sql;
            }
        }
        return deepest;
    }

    /** The message of the deepest {@link java.sql.SQLException}: the driver's own words ("Connection to ... refused"). */
    private static String rootMessage(Throwable e) {
        java.sql.SQLException sql = deepestSqlException(e);
        String message = sql == null ? e.getClass().getSimpleName() : sql.getMessage().strip();
        // Driver messages name hosts and users, never passwords; one line, kept short all the same.
        message = message.replaceAll("\\s*\\R\\s*", " ");
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
    }

    private static void createPrivateDirectory(Path dir) {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(EnumSet.of(
                    PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the data directory " + dir, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left behind, it is refused by the next init with a clear message.
        }
    }
}
