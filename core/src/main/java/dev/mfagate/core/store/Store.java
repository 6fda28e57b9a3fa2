package dev.mfagate.core.store;

import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.Keyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's store: encrypted seeds, API tokens and the keys that protect them, over one
 * {@link Database} (SQLite by default, PostgreSQL for several instances) and one {@link Keyring}.
 *
 * <p>A data directory made by {@link #init(Path)} holds {@value #KEYSET_FILE_NAME} (the keys, mode
 * 0600) and {@value #DATABASE_FILE_NAME} (SQLite), in a directory of mode 0700. Back up both: the
 * database is useless without the keyset.
 *
 * <p>Thread-safe. Lifecycle: open once ({@link #init}, {@link #open(Path)} or
 * {@link #open(Database, Keyring)}), share, {@link #close()} once; the store owns the database and
 * closes it. Out of scope: policy, audit and rate limits (their engineers use {@link #database()}
 * and {@link #keyring()}).
 */
public final class Store implements AutoCloseable {

    /** The keyset file in a data directory. */
    public static final String KEYSET_FILE_NAME = "keyset.json";
    /** The SQLite database file in a data directory. */
    public static final String DATABASE_FILE_NAME = "mfagate.db";

    private static final Logger log = LoggerFactory.getLogger(Store.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final Database database;
    private final Keyring keyring;
    private final SeedRepository seeds;
    private final TokenRepository tokens;
    private final ReadWriteLock rotationLock = new ReentrantReadWriteLock();

    private Store(Database database, Keyring keyring) {
        this.database = database;
        this.keyring = keyring;
        this.seeds = new SeedRepository(database, keyring, rotationLock);
        this.tokens = new TokenRepository(database, TokenRepository.CACHE_TTL);
    }

    /**
     * Creates a new store in {@code dataDir} (created with mode 0700 if missing): a fresh keyset and
     * an empty database.
     *
     * @throws IllegalStateException if {@value #KEYSET_FILE_NAME} or {@value #DATABASE_FILE_NAME}
     *     already exists there; an existing store is never overwritten
     */
    public static Store init(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.toAbsolutePath();
        Path keysetFile = dir.resolve(KEYSET_FILE_NAME);
        Path databaseFile = dir.resolve(DATABASE_FILE_NAME);
        for (Path existing : new Path[] {keysetFile, databaseFile}) {
            if (Files.exists(existing)) {
                throw new IllegalStateException("Refusing to initialise " + dir + ": " + existing.getFileName()
                        + " already exists there, and an existing store is never overwritten;"
                        + " use another directory, or open the existing store");
            }
        }
        createDirectory(dir);
        Keyring keyring = Keyring.createFile(keysetFile);
        Database database = null;
        boolean createdDatabase = false;
        try {
            // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
            Files.createFile(databaseFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            createdDatabase = true;
            database = Database.openSqlite(databaseFile);
            return open(database, keyring);
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(keysetFile);
            throw new IllegalStateException("Refusing to initialise " + dir + ": " + DATABASE_FILE_NAME
                    + " appeared there while initialising; an existing store is never overwritten");
        } catch (IOException | RuntimeException e) {
            // Nothing was encrypted yet, so removing what this call created loses nothing.
            if (database != null) {
                database.close();
            }
            if (createdDatabase) {
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    deleteQuietly(dir.resolve(DATABASE_FILE_NAME + suffix));
                }
            }
            deleteQuietly(keysetFile);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Could not initialise the store in " + dir, io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Opens the store that {@link #init(Path)} created in {@code dataDir}.
     *
     * @throws IllegalStateException if the directory holds no initialised store (the message says to
     *     run {@code mfagate init}), or only half of one
     */
    public static Store open(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.toAbsolutePath();
        Path keysetFile = dir.resolve(KEYSET_FILE_NAME);
        Path databaseFile = dir.resolve(DATABASE_FILE_NAME);
        boolean hasKeyset = Files.exists(keysetFile);
        boolean hasDatabase = Files.exists(databaseFile);
        if (!hasKeyset && !hasDatabase) {
            throw new IllegalStateException("No mfagate store in " + dir + "; run mfagate init");
        }
        if (!hasKeyset) {
            throw new IllegalStateException("The store in " + dir + " has " + DATABASE_FILE_NAME + " but no "
                    + KEYSET_FILE_NAME + "; without it the seeds cannot be decrypted: restore it from a backup"
                    + " (do not run mfagate init over it)");
        }
        if (!hasDatabase) {
            throw new IllegalStateException("The store in " + dir + " has " + KEYSET_FILE_NAME + " but no "
                    + DATABASE_FILE_NAME + "; restore the database from a backup, or remove the keyset and run mfagate init");
        }
        Keyring keyring = Keyring.openFile(keysetFile);
        Database database = Database.openSqlite(databaseFile);
        try {
            return open(database, keyring);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * A store over an open, migrated database and a keyring (PostgreSQL deployments, environment
     * keysets, tests). On success the store owns {@code database} and closes it.
     *
     * @throws IllegalStateException if the database's data keys are wrapped under a KEK that
     *     {@code keyring} does not hold (the wrong keyset)
     */
    public static Store open(Database database, Keyring keyring) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(keyring, "keyring");
        String firstKek = keyring.kek().primaryKeyId();
        String required = database.jdbi().inTransaction(h -> {
            // Claims the database for this keyset if no keyset claimed it before.
            h.createUpdate("INSERT INTO kek_state (id, primary_kek_id) VALUES (1, :kek) ON CONFLICT (id) DO NOTHING")
                    .bind("kek", firstKek).execute();
            return SeedRepository.kekState(h, "");
        });
        if (!keyring.kek().holds(required) && !(keyring.refresh() && keyring.kek().holds(required))) {
            throw new IllegalStateException("The keyset from " + keyring.description() + " does not hold KEK "
                    + required + ", under which the data keys of " + database.description()
                    + " are wrapped; it is not this store's keyset");
        }
        Kek kek = keyring.kek();
        if (!kek.primaryKeyId().equals(required) || kek.keyIds().size() > 1) {
            log.warn("A key rotation did not finish (the keyset holds {} KEKs, primary {}; the database requires {});"
                    + " run `mfagate keys rotate` again", kek.keyIds().size(), kek.primaryKeyId(), required);
        }
        return new Store(database, keyring);
    }

    /** The encrypted seeds. */
    public SeedRepository seeds() {
        return seeds;
    }

    /** The API tokens. */
    public TokenRepository tokens() {
        return tokens;
    }

    /** The installation's keys (the audit trail uses {@link Keyring#auditMac()}). */
    public Keyring keyring() {
        return keyring;
    }

    /** The database, for the other parts of the gateway that keep state in it. */
    public Database database() {
        return database;
    }

    /**
     * Rotates the KEK: every data key is re-wrapped under a new KEK and the old one is destroyed;
     * seeds and their codes are unchanged.
     *
     * <p>Crash-safe order: (1) the keyset file is rewritten with the new KEK as primary and the old
     * one kept; (2) in one database transaction the required KEK is switched and every data key is
     * re-wrapped; (3) the keyset file is rewritten without the old KEK. A crash at any point leaves a
     * keyset that opens every committed row; running the rotation again completes it. Other
     * processes pick up the new keyset file when a decryption first fails; processes whose keyset
     * is a copy elsewhere (another host, an environment variable) must be given the new keyset.
     *
     * @throws UnsupportedOperationException if the keyring is read-only (an environment variable)
     * @throws dev.mfagate.core.crypto.SeedDecryptionException if a stored seed does not open; the
     *     database is unchanged and the old KEK is kept
     */
    public KeyRotation rotateKeys() {
        if (!keyring.supportsRotation()) {
            throw new UnsupportedOperationException("Cannot rotate the keyset from " + keyring.description()
                    + ": it is read-only; rotate where the keyset file lives, then update it here");
        }
        rotationLock.writeLock().lock();
        try {
            String previous = database.jdbi().withHandle(h -> SeedRepository.kekState(h, ""));
            keyring.addPrimaryKek();
            Kek kek = keyring.kek();
            int rewrapped = seeds.rewrapAll(kek);
            long left = seeds.countWrappedUnderOtherThan(kek.primaryKeyId());
            if (left != 0) {
                throw new IllegalStateException(left + " data keys are still wrapped under an older KEK; the older"
                        + " KEKs were kept; run the rotation again");
            }
            keyring.retireNonPrimaryKeks();
            log.info("Rotated the KEK from {} to {}; re-wrapped {} data keys", previous, kek.primaryKeyId(), rewrapped);
            return new KeyRotation(previous, kek.primaryKeyId(), rewrapped);
        } finally {
            rotationLock.writeLock().unlock();
        }
    }

    /** Closes the database. */
    @Override
    public void close() {
        database.close();
    }

    @Override
    public String toString() {
        return "Store[" + database.description() + ", keys from " + keyring.description() + "]";
    }

    private static void createDirectory(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
                if (!OWNER_ONLY_DIR.containsAll(permissions)) {
                    log.warn("Data directory {} is accessible to group or others; 0700 is recommended", dir);
                }
                return;
            }
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (UnsupportedOperationException e) {
            throw new IllegalStateException("The data directory needs a POSIX file system: " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the data directory " + dir, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not remove {} after a failed init", file);
        }
    }
}
