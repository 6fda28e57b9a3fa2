package dev.mfagate.core.testing;

import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.PostgresUrl;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.stream.Stream;

/**
 * New test stores that start migrated without running Flyway for each one. Flyway costs about
 * 0.6 s a PostgreSQL schema and 0.15 s a SQLite file, and the suites make several hundred stores;
 * each store still ends exactly as {@code Database.open*} leaves a new one.
 *
 * <ul>
 *   <li><b>SQLite</b>: once per JVM, {@code Database.openSqlite} (Flyway) migrates an empty file;
 *       each new store is a copy of it (mode 0600, as {@code Store.init} makes the file).</li>
 *   <li><b>PostgreSQL</b>: once per database, Flyway migrates a template schema
 *       ({@code mfagate_template_<fingerprint of the migrations>}); each new schema is made by
 *       running the same migration files, in Flyway's version order, in one transaction, then
 *       copying the template's {@code flyway_schema_history} rows, so opening it finds the schema
 *       current and skips Flyway as it does for any up-to-date store. The Java migrations
 *       ({@code V4_1__AssignTenants}) only move rows and have none to move in an empty store. The
 *       first clone per database is compared with the template column by column and index by index
 *       and fails loudly on any difference, so a future migration that this replay cannot repeat
 *       is noticed at once.</li>
 * </ul>
 *
 * <p>Stores whose test is the migration itself (upgrades from older schemas) do not use this.
 * Thread-safe; templates are made under a PostgreSQL advisory lock, so parallel test JVMs share them.
 */
public final class MigratedSchemas {

    private static final String PG_FOLDER = "db/migration/postgresql";
    private static final long ADVISORY_LOCK = 0x6d66616761746531L;
    private static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();
    private static final ConcurrentHashMap<String, String> TEMPLATES = new ConcurrentHashMap<>();
    private static volatile Path sqliteTemplate;

    private MigratedSchemas() {
    }

    /**
     * Writes a migrated, empty SQLite database to {@code file} (which must not exist), owner-only.
     */
    public static void writeSqlite(Path file) {
        try {
            Files.copy(sqliteTemplate(), file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy the migrated SQLite template to " + file, e);
        }
    }

    private static synchronized Path sqliteTemplate() throws IOException {
        if (sqliteTemplate == null) {
            Path dir = Files.createTempDirectory("mfagate-sqlite-template");
            Path file = dir.resolve("template.db");
            Database.openSqlite(file).close();
            // Closing the last connection checkpoints the write-ahead log into the file and removes it.
            if (Files.exists(dir.resolve("template.db-wal"))) {
                throw new IllegalStateException("The SQLite template kept a write-ahead log after closing");
            }
            // Deleted in the reverse order of registration: the files, then the folder.
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            dir.resolve("template.db-shm").toFile().deleteOnExit();
            sqliteTemplate = file;
        }
        return sqliteTemplate;
    }

    /**
     * Creates {@code schema} (which must not exist) in the database {@code connection} is on,
     * migrated and empty. {@code databaseUrl} names that database with its user, in any form
     * {@link PostgresUrl} takes, without {@code currentSchema}; Flyway migrates the template through
     * it the first time.
     */
    public static void createPostgres(Connection connection, String databaseUrl, String schema) throws SQLException {
        String database = connection.getCatalog();
        String template = TEMPLATES.computeIfAbsent(database, d -> {
            try {
                return ensureTemplate(connection, databaseUrl);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot make the migrated template schema in " + d, e);
            }
        });
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET LOCAL search_path TO " + schema);
            for (String sql : migrations()) {
                s.execute(sql);
            }
            s.execute("CREATE TABLE " + schema + ".flyway_schema_history (LIKE " + template
                    + ".flyway_schema_history INCLUDING ALL)");
            s.execute("INSERT INTO " + schema + ".flyway_schema_history SELECT * FROM " + template + ".flyway_schema_history");
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        if (CHECKED.add(database)) {
            String a = shape(connection, template);
            String b = shape(connection, schema);
            if (!a.equals(b)) {
                throw new AssertionError("A test schema replayed from the migration files differs from Flyway's "
                        + template + ":\n--- Flyway\n" + a + "\n--- replay\n" + b);
            }
        }
    }

    private static String ensureTemplate(Connection connection, String databaseUrl) throws SQLException {
        String template = "mfagate_template_" + fingerprint();
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + ADVISORY_LOCK + ")");
            try {
                boolean exists;
                try (ResultSet rs = s.executeQuery(
                        "SELECT 1 FROM information_schema.schemata WHERE schema_name = '" + template + "'")) {
                    exists = rs.next();
                }
                if (!exists) {
                    // Made under another name and renamed: a run killed half-way leaves no half template.
                    String building = template + "_building";
                    s.execute("DROP SCHEMA IF EXISTS " + building + " CASCADE");
                    s.execute("CREATE SCHEMA " + building);
                    String url = databaseUrl + (databaseUrl.contains("?") ? "&" : "?") + "currentSchema=" + building;
                    Database.openPostgres(url, 2).close();
                    s.execute("ALTER SCHEMA " + building + " RENAME TO " + template);
                    // Templates of older migration sets are of no further use.
                    List<String> stale = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery("SELECT schema_name FROM information_schema.schemata"
                            + " WHERE schema_name LIKE 'mfagate\\_template\\_%' AND schema_name <> '" + template + "'")) {
                        while (rs.next()) {
                            stale.add(rs.getString(1));
                        }
                    }
                    for (String old : stale) {
                        s.execute("DROP SCHEMA IF EXISTS " + old + " CASCADE");
                    }
                }
            } finally {
                s.execute("SELECT pg_advisory_unlock(" + ADVISORY_LOCK + ")");
            }
        }
        return template;
    }

    /**
     * Columns, defaults, constraints and indexes of {@code schema}, with the schema's name taken out;
     * the history table's own index names differ (Flyway names them itself) and are left out.
     */
    private static String shape(Connection c, String schema) throws SQLException {
        StringBuilder out = new StringBuilder();
        String[] queries = {
            "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns"
                    + " WHERE table_schema = '" + schema + "' ORDER BY 1, 2",
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = '" + schema + "'"
                    + " AND tablename <> 'flyway_schema_history' ORDER BY 1, 2",
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE connamespace = '" + schema + "'::regnamespace AND conrelid <> '" + schema
                    + ".flyway_schema_history'::regclass ORDER BY 1, 2",
        };
        try (Statement s = c.createStatement()) {
            for (String q : queries) {
                try (ResultSet rs = s.executeQuery(q)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            out.append(rs.getString(i).replace(schema + ".", "")).append(" | ");
                        }
                        out.append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private static volatile List<String> migrations;

    /** The PostgreSQL migration files' text, in Flyway's order (by version, {@code V3_1} after {@code V3}). */
    private static List<String> migrations() {
        List<String> m = migrations;
        if (m == null) {
            List<String> names = new ArrayList<>(listFolder());
            names.removeIf(n -> !(n.startsWith("V") && n.endsWith(".sql")));
            names.sort(Comparator.comparing(MigratedSchemas::versionOf, MigratedSchemas::compareVersions));
            List<String> texts = new ArrayList<>();
            for (String name : names) {
                try (InputStream in = MigratedSchemas.class.getClassLoader().getResourceAsStream(PG_FOLDER + "/" + name)) {
                    texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            migrations = m = List.copyOf(texts);
        }
        return m;
    }

    private static String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String sql : migrations()) {
                sha.update(sql.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static List<BigInteger> versionOf(String name) {
        List<BigInteger> parts = new ArrayList<>();
        for (String p : name.substring(1, name.indexOf("__")).split("_")) {
            parts.add(new BigInteger(p));
        }
        return parts;
    }

    private static int compareVersions(List<BigInteger> a, List<BigInteger> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            BigInteger x = i < a.size() ? a.get(i) : BigInteger.ZERO;
            BigInteger y = i < b.size() ? b.get(i) : BigInteger.ZERO;
            int c = x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<String> listFolder() {
        URL url = MigratedSchemas.class.getClassLoader().getResource(PG_FOLDER);
        if (url == null) {
            throw new IllegalStateException(PG_FOLDER + " is not on the class path");
        }
        try {
            if (url.getProtocol().equals("file")) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    return files.map(p -> p.getFileName().toString()).toList();
                }
            }
            if (url.openConnection() instanceof JarURLConnection jar) {
                List<String> names = new ArrayList<>();
                String prefix = PG_FOLDER + "/";
                for (Enumeration<JarEntry> e = jar.getJarFile().entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.startsWith(prefix) && name.length() > prefix.length() && name.indexOf('/', prefix.length()) < 0) {
                        names.add(name.substring(prefix.length()));
                    }
                }
                return names;
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("Cannot list " + url, e);
        }
        throw new IllegalStateException("Cannot list " + url);
    }
}
