package dev.mfagate.core.store;

import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.KeyProvider;
import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.crypto.KeyScope;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.crypto.Keyset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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
 * database is useless without the keyset. When the KEK lives with a key provider (an HSM, AWS KMS,
 * Vault Transit; {@link #init(Path, String, Map)}), there is no keyset file: the database's
 * {@code key_provider} row holds the keyset wrapped under the provider's key, and every instance
 * on that database unwraps it at start with its own credentials for the provider.
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
    private final MovableKeyring keyring;
    private final SeedRepository seeds;
    private final TokenRepository tokens;
    private final TenantKeys tenantKeys;
    private final ReadWriteLock rotationLock = new ReentrantReadWriteLock();

    private Store(Database database, Keyring keyring, Map<String, String> environment) {
        this.database = database;
        this.keyring = new MovableKeyring(keyring);
        this.seeds = new SeedRepository(database, this.keyring, rotationLock);
        this.tenantKeys = new TenantKeys(database, this.keyring, environment, rotationLock, seeds::forgetCachedRows);
        this.seeds.tenantKeys(tenantKeys);
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
        return init(dataDir, KeyProviders.FILE, Map.of());
    }

    /**
     * Creates a new store in {@code dataDir} whose KEK lives where {@code kek} says: {@code file}
     * (a new {@value #KEYSET_FILE_NAME}, as {@link #init(Path)}), or a provider reference
     * ({@code pkcs11:...}, {@code awskms:...}, {@code transit:...}; see {@link KeyProviders}), whose
     * key then wraps a fresh keyset kept in the database; no keyset file is written.
     *
     * @param environment the provider's credentials (pass {@code System.getenv()})
     * @throws IllegalStateException if a store exists there
     * @throws KeyProviderException if the provider refuses or cannot be reached; nothing is left behind
     */
    public static Store init(Path dataDir, String kek, Map<String, String> environment) {
        Objects.requireNonNull(dataDir, "dataDir");
        String reference = KeyProviders.normalize(kek);
        boolean file = KeyProviders.isFile(reference);
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
        Keyring keyring = file ? Keyring.createFile(keysetFile) : null;
        Database database = null;
        boolean createdDatabase = false;
        try {
            // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
            Files.createFile(databaseFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            createdDatabase = true;
            database = Database.openSqlite(databaseFile);
            return file ? open(database, keyring) : initWithProvider(database, reference, environment);
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

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1; // Opening it says what is wrong.
        }
    }

    /**
     * Loads what opening a store needs before any store is opened (see {@link Database#preload} and
     * {@link Keyring#preload}), on SQLite or on another database; reads and writes nothing of a store.
     * A command starts it on a thread of its own while its command line is parsed.
     */
    public static void preload(Dialect dialect) {
        Database.preload(dialect);
        Keyring.preload();
    }

    /** Called before starting the thread that runs {@link #preload}: see {@link Database#beforePreload}. */
    public static void beforePreload(Dialect dialect) {
        Database.beforePreload(dialect);
    }

    /** Before the process exits, after {@link #preload}: see {@link Database#endPreload}. */
    public static boolean endPreload(java.time.Duration max) {
        return Database.endPreload(max);
    }

    /**
     * Opens the store that {@link #init(Path)} created in {@code dataDir}, with provider credentials
     * from the process environment.
     *
     * @throws IllegalStateException if the directory holds no initialised store (the message says to
     *     run {@code mfagate init}), or only half of one
     */
    public static Store open(Path dataDir) {
        return open(dataDir, System.getenv());
    }

    /**
     * Opens the store in {@code dataDir}: its keyset file, or, when the database says the KEK lives
     * with a provider, that provider with the credentials in {@code environment}.
     *
     * @throws IllegalStateException if the directory holds no initialised store, or only half of one
     * @throws KeyProviderException if the provider refuses or cannot be reached
     */
    public static Store open(Path dataDir, Map<String, String> environment) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.toAbsolutePath();
        Path keysetFile = dir.resolve(KEYSET_FILE_NAME);
        Path databaseFile = dir.resolve(DATABASE_FILE_NAME);
        boolean hasKeyset = Files.exists(keysetFile);
        boolean hasDatabase = Files.exists(databaseFile);
        if (!hasKeyset && !hasDatabase) {
            throw new IllegalStateException("No mfagate store in " + dir + "; run mfagate init");
        }
        if (!hasDatabase) {
            throw new IllegalStateException("The store in " + dir + " has " + KEYSET_FILE_NAME + " but no "
                    + DATABASE_FILE_NAME + "; restore the database from a backup, or remove the keyset and run mfagate init");
        }
        if (sizeOf(databaseFile) == 0) {
            // SQLite would take an empty file for a new database and make the schema in it: a store
            // whose database was truncated would then open empty, and audit verify report it intact.
            throw new IllegalStateException("The store in " + dir + " has an empty " + DATABASE_FILE_NAME
                    + "; restore the database from a backup");
        }
        // The keyset file is read on a thread of its own while the database opens (each takes about
        // a tenth of a second at start); it is used only if the database says the keys are in it.
        java.util.concurrent.FutureTask<Keyring> keysetRead = null;
        if (hasKeyset) {
            keysetRead = new java.util.concurrent.FutureTask<>(() -> Keyring.openFile(keysetFile));
            Thread.ofPlatform().daemon().name("mfagate-keyset").start(keysetRead);
        }
        java.util.concurrent.FutureTask<Keyring> keyset = keysetRead;
        Database database;
        try {
            database = Database.openSqlite(databaseFile);
        } catch (RuntimeException e) {
            closeWhenRead(keyset);
            throw e;
        }
        dev.mfagate.core.StartupTrace.mark("store: database open");
        boolean[] keysetUsed = new boolean[1];
        try {
            return open(database, environment, () -> {
                if (keyset == null || !Files.exists(keysetFile)) {
                    throw new IllegalStateException("The store in " + dir + " has " + DATABASE_FILE_NAME + " but no "
                            + KEYSET_FILE_NAME + "; without it the seeds cannot be decrypted: restore it from a backup"
                            + " (do not run mfagate init over it)");
                }
                keysetUsed[0] = true;
                Keyring keyring = result(keyset);
                dev.mfagate.core.StartupTrace.mark("store: keyset read");
                return keyring;
            });
        } catch (RuntimeException e) {
            database.close();
            throw e;
        } finally {
            if (!keysetUsed[0]) {
                closeWhenRead(keyset);
            }
        }
    }

    /** The keyring {@code read} read, or its failure as thrown by the reading (unchecked). */
    private static Keyring result(java.util.concurrent.FutureTask<Keyring> read) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return read.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("Could not read the keyset", e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes what {@code read} read, if anything: a keyset read for a store that failed to open, or did not need it. */
    private static void closeWhenRead(java.util.concurrent.FutureTask<Keyring> read) {
        if (read == null) {
            return;
        }
        try {
            result(read).close();
        } catch (RuntimeException | Error e) {
            // The keyset was not usable; the store's own failure, if any, is the one reported.
        }
    }

    /**
     * Where the keys of {@code database} live: {@code file}, a provider reference, or empty for a
     * database no keyset has claimed yet (or one made before the {@code key_provider} table, whose
     * keys are in a file).
     */
    public static Optional<String> keyProviderReference(Database database) {
        return database.jdbi().withHandle(KeyProviderRow::read).map(KeyProviderRow.Row::reference);
    }

    /**
     * Opens the store in {@code database} wherever its keys live: with {@code fileKeyring} when the
     * database says the keyset file (or says nothing: stores made before key providers), else with
     * the provider the database names, opened with the credentials in {@code environment}. On
     * success the store owns {@code database}.
     *
     * @throws KeyProviderException if the provider refuses or cannot be reached
     */
    public static Store open(Database database, Map<String, String> environment, Supplier<Keyring> fileKeyring) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(environment, "environment");
        Optional<String> reference = keyProviderReference(database);
        if (reference.isEmpty() || KeyProviders.isFile(reference.get())) {
            return open(database, fileKeyring.get(), environment);
        }
        KeyProvider provider = KeyProviders.open(reference.get(), environment);
        Keyring keyring;
        try {
            keyring = Keyring.fromProvider(provider, new KeyProviderRow(database), KeyScope.INSTALLATION);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
        try {
            return open(database, keyring, environment);
        } catch (RuntimeException e) {
            keyring.close();
            throw e;
        }
    }

    /**
     * Initialises {@code database} (migrated, claimed by no keyset yet) for a fresh keyset wrapped
     * under the provider {@code reference} names: the keyset goes into the database, wrapped; nothing
     * goes to disk. The wrap is verified (unwrapped again and compared) before it is stored. On
     * success the store owns {@code database}.
     *
     * @throws IllegalStateException if the database was initialised before
     * @throws KeyProviderException if the provider refuses or cannot be reached; nothing is stored
     */
    public static Store initWithProvider(Database database, String reference, Map<String, String> environment) {
        Objects.requireNonNull(database, "database");
        String ref = KeyProviders.normalize(reference);
        if (KeyProviders.isFile(ref)) {
            throw new IllegalArgumentException("initWithProvider needs a key provider, not the keyset file");
        }
        Optional<String> claimed = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT primary_kek_id FROM kek_state WHERE id = 1").mapTo(String.class).findOne());
        if (claimed.isPresent() || keyProviderReference(database).isPresent()) {
            throw new IllegalStateException("The database " + database.description() + " is initialised already;"
                    + " do not initialise it again");
        }
        KeyProvider provider = KeyProviders.open(ref, environment);
        try {
            Keyset keyset = Keyset.generate();
            byte[] wrapped = verifiedWrap(keyset, provider);
            long now = System.currentTimeMillis();
            database.jdbi().useTransaction(h -> {
                h.createUpdate("INSERT INTO kek_state (id, primary_kek_id) VALUES (1, ?)")
                        .bind(0, keyset.kek().primaryKeyId()).execute();
                h.createUpdate("INSERT INTO key_provider (id, reference, wrapped_keyset, generation, updated_at_ms)"
                                + " VALUES (1, :ref, :wrapped, 1, :now)")
                        .bind("ref", ref).bind("wrapped", wrapped).bind("now", now).execute();
            });
            Keyring keyring = Keyring.fromProvider(provider, new KeyProviderRow(database), KeyScope.INSTALLATION);
            log.info("Initialised {} with its keyset wrapped by {}", database.description(), ref);
            return new Store(database, keyring, environment);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    /** Wraps {@code keyset} under {@code provider} and proves the result opens to the same keys. */
    private static byte[] verifiedWrap(Keyset keyset, KeyProvider provider) {
        byte[] wrapped = keyset.wrap(provider, KeyScope.INSTALLATION);
        Keyset back = Keyset.unwrap(wrapped, provider, KeyScope.INSTALLATION, "the keyset just wrapped");
        if (!back.sameKeyIdsAs(keyset)) {
            throw new IllegalStateException("The keyset wrapped by " + provider.reference()
                    + " did not unwrap to the same keys; nothing was stored");
        }
        return wrapped;
    }

    /**
     * A store over an open, migrated database and a keyring (PostgreSQL deployments, environment
     * keysets, tests). On success the store owns {@code database} and closes it.
     *
     * @throws IllegalStateException if the database's data keys are wrapped under a KEK that
     *     {@code keyring} does not hold (the wrong keyset)
     */
    public static Store open(Database database, Keyring keyring) {
        return open(database, keyring, System.getenv());
    }

    /**
     * As {@link #open(Database, Keyring)}, with {@code environment} holding the credentials of the
     * tenants' own key providers (see {@link TenantKeys#environmentFor}).
     */
    public static Store open(Database database, Keyring keyring, Map<String, String> environment) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(keyring, "keyring");
        String firstKek = keyring.kek().primaryKeyId();
        boolean fileKeys = KeyProviders.isFile(keyring.providerReference());
        String[] keysLiveIn = new String[1];
        String required = database.jdbi().inTransaction(h -> {
            // Claims the database for this keyset if no keyset claimed it before.
            h.createUpdate("INSERT INTO kek_state (id, primary_kek_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")
                    .bind(0, firstKek).execute();
            if (fileKeys) {
                KeyProviderRow.claimForFile(h, System.currentTimeMillis());
            }
            keysLiveIn[0] = KeyProviderRow.read(h).map(KeyProviderRow.Row::reference).orElse(KeyProviders.FILE);
            return SeedRepository.kekState(h, "");
        });
        if (!keysLiveIn[0].equals(keyring.providerReference())) {
            throw new IllegalStateException("The keys of " + database.description() + " live in " + keysLiveIn[0]
                    + ", not in " + keyring.description() + (KeyProviders.isFile(keysLiveIn[0]) ? ""
                    : "; open it with that provider's credentials (no keyset file or " + Keyring.ENVIRONMENT_VARIABLE + ")"));
        }
        if (!keyring.kek().holds(required) && !(keyring.refresh() && keyring.kek().holds(required))) {
            throw new IllegalStateException("The keyset from " + keyring.description() + " does not hold KEK "
                    + required + ", under which the data keys of " + database.description()
                    + " are wrapped; it is not this store's keyset");
        }
        Kek kek = keyring.kek();
        if (!kek.primaryKeyId().equals(required)) {
            log.warn("A key rotation did not finish (the keyset holds {} KEKs, primary {}; the database requires {});"
                    + " run `mfagate keys rotate` again", kek.keyIds().size(), kek.primaryKeyId(), required);
        } else if (kek.keyIds().size() > 1) {
            log.info("The keyset holds {} KEKs (older ones kept for instances that have not reloaded);"
                    + " run `mfagate keys retire` once every instance has the current keyset", kek.keyIds().size());
        }
        return new Store(database, keyring, environment);
    }

    /** The encrypted seeds. */
    public SeedRepository seeds() {
        return seeds;
    }

    /** The tenants' own keys. */
    public TenantKeys tenantKeys() {
        return tenantKeys;
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
     * Rotates the KEK: a new KEK becomes primary and every data key is re-wrapped under it; seeds and
     * their codes are unchanged. The older KEKs stay in the keyset for unwrapping until
     * {@link #retireKeys()}, so instances that have not reloaded yet, and rows read just before the
     * switch, keep opening.
     *
     * <p>Crash-safe order: (1) the keyset is saved with the new KEK as primary and the older ones
     * kept (the keyset file, or the provider-wrapped row); (2) in one database transaction the
     * required KEK is switched and every data key is re-wrapped. A crash at any point leaves a keyset
     * that opens every committed row; running the rotation again completes it. Other processes pick
     * up the new keyset when a decryption first fails: from the shared database row (providers), or
     * from their keyset file, which on another host must be copied there.
     *
     * @throws UnsupportedOperationException if the keyring is read-only (an environment variable)
     * @throws IllegalStateException if the key provider does not answer (nothing is changed)
     * @throws IllegalStateException also if a stored seed does not open (checked before anything is
     *     changed: the keyset and the database stay as they were)
     */
    public KeyRotation rotateKeys() {
        return rotateKeys(RotationListener.NONE);
    }

    /** As {@link #rotateKeys()}, telling {@code listener} each step. */
    public KeyRotation rotateKeys(RotationListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!keyring.supportsRotation()) {
            throw new UnsupportedOperationException("Cannot rotate the keyset from " + keyring.description()
                    + ": it is read-only; rotate where the keyset file lives, then update it here");
        }
        requireProvider("rotating");
        rotationLock.writeLock().lock();
        try {
            String previous = database.jdbi().withHandle(h -> SeedRepository.kekState(h, ""));
            try {
                // Before the keyset gains a KEK: a seed that does not open would fail the re-wrap
                // after it, leaving an unfinished rotation that every command then reports.
                seeds.openAll(keyring.kek());
            } catch (dev.mfagate.core.crypto.SeedDecryptionException e) {
                throw new IllegalStateException(e.getMessage() + "; nothing was changed. Remove that seed (mfagate seed"
                        + " remove " + e.label() + ") and enrol it again, or restore the store from a backup", e);
            }
            keyring.addPrimaryKek();
            listener.step("keyset-saved");
            Kek kek = keyring.kek();
            int rewrapped = seeds.rewrapAll(kek, listener);
            long left = seeds.countWrappedUnderOtherThan(kek.primaryKeyId());
            if (left != 0) {
                throw new IllegalStateException(left + " data keys are still wrapped under an older KEK; the older"
                        + " KEKs were kept; run the rotation again");
            }
            listener.step("rewrapped");
            log.info("Rotated the KEK from {} to {}; re-wrapped {} data keys; {} older KEKs kept until `mfagate keys retire`",
                    previous, kek.primaryKeyId(), rewrapped, kek.keyIds().size() - 1);
            return new KeyRotation(previous, kek.primaryKeyId(), rewrapped);
        } finally {
            rotationLock.writeLock().unlock();
        }
    }

    /**
     * Removes (destroys) every KEK but the primary from the keyset, once no data key is wrapped
     * under one. Run it after a rotation, when every instance has the current keyset: an instance
     * still holding only an older keyset then answers {@code key_unavailable} until it reloads.
     *
     * @throws UnsupportedOperationException if the keyring is read-only
     * @throws IllegalStateException if a rotation is unfinished (a data key is still wrapped under an
     *     older KEK, or the database requires another KEK), or the provider does not answer; nothing
     *     is changed then
     */
    public KeyRetirement retireKeys() {
        if (!keyring.supportsRotation()) {
            throw new UnsupportedOperationException("Cannot retire keys of the keyset from " + keyring.description()
                    + ": it is read-only; retire where the keyset file lives, then update it here");
        }
        requireProvider("retiring keys");
        rotationLock.writeLock().lock();
        try {
            keyring.refresh();
            Kek kek = keyring.kek();
            String required = database.jdbi().withHandle(h -> SeedRepository.kekState(h, ""));
            if (!kek.primaryKeyId().equals(required)) {
                throw new IllegalStateException("Not retiring: the database requires KEK " + required + " but the keyset's"
                        + " primary is " + kek.primaryKeyId() + "; a rotation is unfinished: run `mfagate keys rotate` first");
            }
            long left = seeds.countWrappedUnderOtherThan(kek.primaryKeyId());
            if (left != 0) {
                throw new IllegalStateException("Not retiring: " + left + " data keys are still wrapped under an older KEK;"
                        + " run `mfagate keys rotate` first");
            }
            Set<String> retired = new HashSet<>(kek.keyIds());
            retired.remove(kek.primaryKeyId());
            if (!retired.isEmpty()) {
                keyring.retireNonPrimaryKeks();
                log.info("Retired {} older KEKs; the keyset holds only KEK {}", retired.size(), kek.primaryKeyId());
            }
            return new KeyRetirement(kek.primaryKeyId(), retired);
        } finally {
            rotationLock.writeLock().unlock();
        }
    }

    /**
     * Moves the keys to another provider, all or nothing: a fresh KEK is added (so a copy of the
     * keyset as it was no longer opens the database's rows), the keyset (KEKs and audit MAC key) is
     * stored where {@code target} says and read back, and in one transaction the database records the
     * new place, every data key is re-wrapped under the new KEK and every seed is opened with the new
     * keyset before the commit. Audit entries stay verifiable (the audit MAC key moves unchanged).
     *
     * <p>To the keyset file: {@code keysetFile} is written first (it must not exist) and removed again
     * if the transaction fails. From the keyset file: after the commit the old file is moved aside
     * ({@code keyset.json.migrated-<time>}); it opens only backups made before the move.
     *
     * @param target {@code file} or a provider reference
     * @param environment the target provider's credentials
     * @param keysetFile the data directory's keyset file (written when {@code target} is {@code file},
     *     moved aside when the keys leave it); may be null when neither applies
     * @throws IllegalArgumentException if {@code target} is invalid or is where the keys are already
     * @throws IllegalStateException if the keyset file is in the way, the keyring is read-only, or
     *     verification fails (nothing is changed)
     * @throws KeyProviderException if a provider refuses or cannot be reached (nothing is changed)
     */
    public KeyMigration migrateKeys(String target, Map<String, String> environment, Path keysetFile,
                                    RotationListener listener) {
        String to = KeyProviders.normalize(target);
        String from = keyring.providerReference();
        if (to.equals(from)) {
            throw new IllegalArgumentException("The keys already live in " + to + "; for a new KEK there, run `mfagate keys rotate`");
        }
        boolean toFile = KeyProviders.isFile(to);
        if (toFile && keysetFile == null) {
            throw new IllegalArgumentException("Moving the keys to the keyset file needs the data directory's keyset path");
        }
        if (toFile && Files.exists(keysetFile)) {
            throw new IllegalStateException("Refusing to move the keys to " + keysetFile + ": the file exists (the keys"
                    + " now live in " + from + "); move it away first, it is never overwritten");
        }
        requireProvider("migrating");
        rotationLock.writeLock().lock();
        KeyProvider provider = null;
        boolean wroteFile = false;
        try {
            keyring.refresh();
            String previous = database.jdbi().withHandle(h -> SeedRepository.kekState(h, ""));
            Keyset next = keyring.keyset().withNewPrimaryKek();
            byte[] wrapped = null;
            if (toFile) {
                next.writeNewFile(keysetFile);
                wroteFile = true;
                if (!Keyring.openFile(keysetFile).keyset().sameKeyIdsAs(next)) {
                    throw new IllegalStateException("The keyset written to " + keysetFile + " did not read back to the same keys");
                }
            } else {
                provider = KeyProviders.open(to, environment);
                wrapped = verifiedWrap(next, provider);
            }
            listener.step("keyset-saved");
            byte[] row = wrapped;
            int rewrapped = database.jdbi().inTransaction(h -> {
                KeyProviderRow.set(h, to, row, System.currentTimeMillis());
                int n = seeds.rewrapAllIn(h, next.kek(), listener);
                SeedRepository.verifyAllIn(h, next.kek());
                return n;
            });
            listener.step("rewrapped");
            Keyring moved;
            if (toFile) {
                moved = Keyring.openFile(keysetFile);
            } else {
                moved = Keyring.fromProvider(provider, new KeyProviderRow(database), KeyScope.INSTALLATION);
                provider = null; // owned by the keyring now
            }
            Keyring old = keyring.replace(moved);
            old.close();
            Optional<Path> movedFile = Optional.empty();
            if (KeyProviders.isFile(from) && keysetFile != null && Files.exists(keysetFile)) {
                Path aside = keysetFile.resolveSibling(keysetFile.getFileName() + ".migrated-" + System.currentTimeMillis());
                try {
                    Files.move(keysetFile, aside, StandardCopyOption.ATOMIC_MOVE);
                    movedFile = Optional.of(aside);
                } catch (IOException e) {
                    log.warn("The keys moved to {}, but the old keyset file {} could not be moved aside: {}", to, keysetFile,
                            e.getClass().getSimpleName());
                }
            }
            log.info("Moved the keys from {} to {}; new KEK {}; re-wrapped and verified {} data keys", from, to,
                    next.kek().primaryKeyId(), rewrapped);
            return new KeyMigration(from, to, previous, next.kek().primaryKeyId(), rewrapped, movedFile);
        } catch (RuntimeException e) {
            if (wroteFile) {
                // Nothing refers to it: the transaction did not commit.
                deleteQuietly(keysetFile);
            }
            throw e;
        } finally {
            if (provider != null) {
                provider.close();
            }
            rotationLock.writeLock().unlock();
        }
    }

    /** Refuses to start a key change while the provider does not answer. */
    private void requireProvider(String what) {
        String state = keyring.checkProvider();
        if (!"ok".equals(state)) {
            throw new IllegalStateException("Not " + what + ": the key provider does not answer (" + state
                    + "); nothing was changed");
        }
    }

    /** Closes the database and releases the key provider. */
    @Override
    public void close() {
        try {
            database.close();
        } finally {
            try {
                tenantKeys.close();
            } finally {
                keyring.close();
            }
        }
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
