package dev.mfagate.core.store;

import java.io.IOException;
import java.math.BigInteger;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Whether a store's schema is behind the migrations this build carries, answered with one query of
 * Flyway's history table instead of loading Flyway: a command on an up-to-date store (every CLI
 * command, every start after the first) then skips Flyway, which costs about half a second of class
 * loading and validation.
 *
 * <p>The migrations are those Flyway would run: the versioned SQL files under
 * {@code db/migration/<dialect>/} (listed from the class path, so a new {@code V5__x.sql} counts
 * without a change here) and the Java migrations {@link Database} passes to Flyway. The schema is
 * current when every one of their versions has a successful row in {@code flyway_schema_history}
 * and no row failed. Anything else (no history table, a missing or failed version, a repeatable
 * migration, a folder that cannot be listed) answers "behind", and Flyway then migrates and
 * validates as before. What the shortcut does not repeat is Flyway's checksum validation of
 * migrations already applied; it still runs whenever there is something to migrate.
 *
 * <p>Thread-safe; what it lists of the class path is kept for the life of the process.
 */
final class SchemaVersions {

    private static final String HISTORY_TABLE = "flyway_schema_history";

    /** What {@link #available} found, by folder and Java migrations. */
    private static final Map<String, Optional<Set<List<BigInteger>>>> AVAILABLE = new ConcurrentHashMap<>();

    private SchemaVersions() {
    }

    /** Whether {@code dataSource}'s schema lacks a migration of {@code folder} or of {@code javaMigrations}. */
    static boolean isBehind(DataSource dataSource, String folder, Collection<Class<?>> javaMigrations) {
        Optional<Set<List<BigInteger>>> available = available(folder, javaMigrations);
        // No history table yet (a new store), a failed migration, or a history this check does not understand: Flyway decides.
        Optional<Set<List<BigInteger>>> applied = available.isEmpty() ? Optional.empty() : applied(dataSource);
        return applied.isEmpty() || !applied.get().containsAll(available.get());
    }

    /**
     * How {@code dataSource}'s schema stands against the migrations of {@code folder} and
     * {@code javaMigrations}, read without writing: what a read-only store is checked with, since it
     * is never migrated.
     */
    static Standing standing(DataSource dataSource, String folder, Collection<Class<?>> javaMigrations) {
        Optional<Set<List<BigInteger>>> available = available(folder, javaMigrations);
        Optional<Set<List<BigInteger>>> applied = available.isEmpty() ? Optional.empty() : applied(dataSource);
        if (applied.isEmpty()) {
            return Standing.UNKNOWN;
        }
        if (!available.get().containsAll(applied.get())) {
            return Standing.NEWER;
        }
        return applied.get().containsAll(available.get()) ? Standing.CURRENT : Standing.OLDER;
    }

    /**
     * The versions {@code dataSource}'s history records as applied; empty when there is no history
     * table, a migration failed, or a version this check does not understand.
     */
    private static Optional<Set<List<BigInteger>>> applied(DataSource dataSource) {
        Set<List<BigInteger>> applied = new HashSet<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM " + HISTORY_TABLE)) {
            while (rs.next()) {
                String version = rs.getString(1);
                if (!rs.getBoolean(2)) {
                    return Optional.empty();
                }
                if (version != null) {
                    applied.add(parse(version));
                }
            }
        } catch (SQLException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(applied);
    }

    /** A store's schema against this build's migrations (see {@link #standing}). */
    enum Standing {
        /** Every migration of this build applied, and no other. */
        CURRENT,
        /** Some migration of this build is missing: an older mfagate wrote it. */
        OLDER,
        /** It holds a migration this build does not know: a later mfagate wrote it. */
        NEWER,
        /** Cannot be told: no history table, a failed migration, or migrations that cannot be listed. */
        UNKNOWN
    }

    /**
     * The versions of the versioned migrations in {@code folder} (a class-path folder such as
     * {@code db/migration/sqlite}) and of {@code javaMigrations} (named {@code V<version>__<description>}
     * as Flyway requires); empty when the folder cannot be listed or holds a repeatable migration.
     */
    static Optional<Set<List<BigInteger>>> available(String folder, Collection<Class<?>> javaMigrations) {
        // Listed once a process: the class path does not change, and listing a folder of the shaded
        // jar walks all of its entries (about 24,000), which opening a SQLite store asked for twice.
        String key = folder + " " + javaMigrations.stream().map(Class::getName).toList();
        return AVAILABLE.computeIfAbsent(key, k -> list(folder, javaMigrations));
    }

    private static Optional<Set<List<BigInteger>>> list(String folder, Collection<Class<?>> javaMigrations) {
        Optional<List<String>> names = listFolder(folder);
        if (names.isEmpty()) {
            return Optional.empty();
        }
        Set<List<BigInteger>> versions = new HashSet<>();
        for (String name : names.get()) {
            if (name.startsWith("R__")) {
                return Optional.empty();
            }
            if (name.startsWith("V") && name.endsWith(".sql")) {
                versions.add(versionOf(name));
            }
        }
        for (Class<?> migration : javaMigrations) {
            versions.add(versionOf(migration.getSimpleName()));
        }
        return versions.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(versions));
    }

    /** The version of a migration named {@code V<version>__<description>[.sql]}: {@code V3_1__x} is 3.1. */
    static List<BigInteger> versionOf(String name) {
        int end = name.indexOf("__");
        if (!name.startsWith("V") || end < 2) {
            throw new IllegalArgumentException("Migration name '" + name + "' must be V<version>__<description>");
        }
        return parse(name.substring(1, end).replace('_', '.'));
    }

    /** {@code 3.1} as [3, 1]; trailing zero parts dropped, as Flyway takes 1.0 and 1 for one version. */
    static List<BigInteger> parse(String version) {
        List<BigInteger> parts = new ArrayList<>();
        for (String part : version.split("\\.", -1)) {
            if (part.isEmpty() || !part.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new IllegalArgumentException("Migration version '" + version + "' must be digits separated by dots");
            }
            parts.add(new BigInteger(part));
        }
        while (parts.size() > 1 && parts.getLast().signum() == 0) {
            parts.removeLast();
        }
        return List.copyOf(parts);
    }

    private static Optional<List<String>> listFolder(String folder) {
        URL url = SchemaVersions.class.getClassLoader().getResource(folder);
        if (url == null) {
            return Optional.empty();
        }
        try {
            if (url.getProtocol().equals("file")) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    return Optional.of(files.map(p -> p.getFileName().toString()).toList());
                }
            }
            if (url.getProtocol().equals("jar") && url.openConnection() instanceof JarURLConnection jar) {
                // The JarFile of the class path, cached by the URL handler; only the entry names are read.
                jar.setUseCaches(true);
                JarFile file = jar.getJarFile();
                String prefix = folder.endsWith("/") ? folder : folder + "/";
                List<String> names = new ArrayList<>();
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith(prefix) && name.length() > prefix.length() && name.indexOf('/', prefix.length()) < 0) {
                        names.add(name.substring(prefix.length()));
                    }
                }
                return Optional.of(names);
            }
            return Optional.empty();
        } catch (IOException | URISyntaxException e) {
            return Optional.empty();
        }
    }

}
