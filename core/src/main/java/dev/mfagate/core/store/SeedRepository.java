package dev.mfagate.core.store;

import dev.mfagate.core.Label;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.crypto.EnvelopeCipher;
import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.crypto.SealedSeed;
import dev.mfagate.core.crypto.SeedDecryptionException;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpSeed;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import org.jdbi.v3.core.Handle;

/**
 * The encrypted seeds: add, remove, list and decrypt. Obtained from {@link Store#seeds()}.
 *
 * <p>Every seed is sealed by {@link EnvelopeCipher} under its own data key, bound to its label and
 * version; the database never sees a secret in clear. {@link #find(Label)} is the gateway's hot
 * path: one primary-key query and two AES-GCM decryptions with cached primitives.
 *
 * <p>Thread-safe; lives as long as its {@link Store}. Out of scope: TOTP computation, policy (who
 * may read which seed) and the {@code MFAGATE_SEED_*} environment seeds.
 */
public final class SeedRepository {

    /**
     * The most seeds one tenant may hold (every tenant, through every door): a client with more MFA
     * accounts than this is not realistic, and the bound keeps one tenant's admin from growing the
     * store, and what a list of its seeds holds in memory, without end.
     */
    public static final int MAX_SEEDS_PER_TENANT = 1_000;

    private final Database database;
    private final Keyring keyring;
    private final ReadWriteLock rotationLock;
    private volatile TenantKeys tenantKeys;

    SeedRepository(Database database, Keyring keyring, ReadWriteLock rotationLock) {
        this.database = database;
        this.keyring = keyring;
        this.rotationLock = rotationLock;
    }

    /** Set once by the store, right after both exist. */
    void tenantKeys(TenantKeys keys) {
        this.tenantKeys = keys;
    }

    /** The KEK of {@code label}'s data key: its tenant's own, or the installation's. */
    private Kek kekFor(Label label) {
        TenantKeys keys = tenantKeys;
        return keys == null ? keyring.kek() : keys.kekFor(label);
    }

    /** Reads the keys of {@code label}'s data key again: its tenant's own, or the installation's. */
    private void refreshKeysOf(Label label) {
        TenantKeys keys = tenantKeys;
        TenantId tenant = TenantId.of(label);
        if (keys != null && keys.hasOwnKey(tenant)) {
            keys.reload(tenant);
        } else {
            keyring.refresh();
        }
    }

    /**
     * Stores {@code seed} under {@code label} as version 1 (or the next version, if the label was
     * used before and removed).
     *
     * @param now the creation time, kept to the millisecond
     * @throws DuplicateLabelException if the label is taken
     */
    public void add(Label label, TotpSeed seed, Instant now) {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(seed, "seed");
        addAll(List.of(Map.entry(label, seed)), now);
    }

    /**
     * Stores every entry in one transaction: all of them or none.
     *
     * @throws DuplicateLabelException naming the first label that is taken in the store or appears
     *     twice in {@code entries}; nothing is stored
     * @throws TenantSeedLimitException when a tenant would hold more than {@link #MAX_SEEDS_PER_TENANT}
     *     seeds; nothing is stored
     * @throws IllegalArgumentException when a label looks like a pasted secret ({@link Label#requireNotSecretShaped})
     */
    public void addAll(List<Map.Entry<Label, TotpSeed>> entries, Instant now) {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(now, "now");
        entries.forEach(e -> rowCache.remove(e.getKey().value()));
        Set<Label> seen = new HashSet<>();
        for (Map.Entry<Label, TotpSeed> e : entries) {
            Objects.requireNonNull(e, "entry");
            Objects.requireNonNull(e.getKey(), "label");
            Objects.requireNonNull(e.getValue(), "seed");
            Label.requireNotSecretShaped(e.getKey());
            if (!seen.add(e.getKey())) {
                throw new DuplicateLabelException(e.getKey(), "appears more than once in the batch");
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        Lock lock = rotationLock.readLock();
        lock.lock();
        try {
            try {
                insertAll(entries, now);
            } catch (StaleKeyringException first) {
                // Another process rotated the KEK: read the keyset again and retry once.
                if (first.tenant != null) {
                    tenantKeys.reload(first.tenant);
                } else {
                    keyring.refresh();
                }
                try {
                    insertAll(entries, now);
                } catch (StaleKeyringException second) {
                    if (second.tenant != null) {
                        throw new IllegalStateException("Not adding: tenant " + second.tenant + "'s key as this process"
                                + " holds it has primary KEK " + second.keyringKek + " but its data keys must be wrapped"
                                + " under KEK " + second.databaseKek + "; it was changed elsewhere: try again");
                    }
                    throw new IllegalStateException("Not adding: this process's keyset (" + keyring.description()
                            + ") has primary KEK " + second.keyringKek + " but the database's data keys must be"
                            + " wrapped under KEK " + second.databaseKek + "; a key rotation is unfinished or"
                            + " ran elsewhere: run `mfagate keys rotate` again, or reload the keyset");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void insertAll(List<Map.Entry<Label, TotpSeed>> entries, Instant now) {
        long createdAtMs = now.toEpochMilli();
        Dialect dialect = database.dialect();
        database.jdbi().useTransaction(h -> {
            Map<TenantId, Integer> adding = new java.util.TreeMap<>(java.util.Comparator.comparing(TenantId::value));
            entries.forEach(e -> adding.merge(TenantId.of(e.getKey()), 1, Integer::sum));
            for (Map.Entry<TenantId, Integer> t : adding.entrySet()) {
                TenantRepository.ensure(h, t.getKey(), now);
                // A write first: it holds the tenant's row (PostgreSQL) or the write lock (SQLite) until
                // commit, so that two batches at once cannot both pass the count below.
                h.createUpdate("UPDATE tenant SET created_at_ms = created_at_ms WHERE id = ?")
                        .bind(0, t.getKey().value()).execute();
                int held = countIn(h, t.getKey());
                if (held + t.getValue() > MAX_SEEDS_PER_TENANT) {
                    throw new TenantSeedLimitException(t.getKey(), MAX_SEEDS_PER_TENANT, held, t.getValue());
                }
            }
            Kek installationKek = null;
            for (Map.Entry<Label, TotpSeed> e : entries) {
                Label label = e.getKey();
                TenantId tenant = TenantId.of(label);
                TotpSeed seed = e.getValue();
                // A write first: on SQLite it takes the write lock before anything is read.
                int version = nextVersion(h, label);
                Optional<String> tenantRequired = TenantKeys.requiredKek(h, tenant, dialect.forShareClause());
                Kek kek;
                if (tenantRequired.isPresent()) {
                    kek = tenantKeys.tenantKek(tenant);
                    if (!kek.primaryKeyId().equals(tenantRequired.get())) {
                        throw new StaleKeyringException(kek.primaryKeyId(), tenantRequired.get(), tenant);
                    }
                } else {
                    if (installationKek == null) {
                        installationKek = checkedKek(h, dialect);
                    }
                    kek = installationKek;
                }
                if (h.createQuery("SELECT 1 FROM seeds WHERE label = ?").bind(0, label.value())
                        .mapTo(Integer.class).findOne().isPresent()) {
                    throw new DuplicateLabelException(label, "is already in the store");
                }
                SealedSeed sealed = EnvelopeCipher.seal(kek, label, version, seed);
                try {
                    h.createUpdate("INSERT INTO seeds (label, version, algorithm, digits, period_seconds, issuer,"
                                    + " account_name, kek_id, wrapped_key, ciphertext, created_at_ms)"
                                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                            .bind(0, label.value())
                            .bind(1, version)
                            .bind(2, seed.parameters().algorithm().name())
                            .bind(3, seed.parameters().digits())
                            .bind(4, seed.parameters().periodSeconds())
                            .bind(5, seed.issuer().orElse(null))
                            .bind(6, seed.accountName().orElse(null))
                            .bind(7, sealed.kekId())
                            .bind(8, sealed.wrappedKey())
                            .bind(9, sealed.ciphertext())
                            .bind(10, createdAtMs)
                            .execute();
                } catch (RuntimeException ex) {
                    if (dialect.isUniqueViolation(ex)) {
                        throw new DuplicateLabelException(label, "is already in the store");
                    }
                    throw ex;
                }
            }
        });
    }

    /** Reserves the next version of {@code label}; versions are never reused, even after removal. */
    private static int nextVersion(Handle h, Label label) {
        return h.createQuery("INSERT INTO seed_label_versions (label, last_version) VALUES (?, 1)"
                        + " ON CONFLICT (label) DO UPDATE SET last_version = seed_label_versions.last_version + 1"
                        + " RETURNING last_version")
                .bind(0, label.value())
                .mapTo(Integer.class)
                .one();
    }

    /**
     * The keyring's KEK, if its primary is the one the database requires. Holding the
     * {@code kek_state} row (FOR SHARE on PostgreSQL, the write lock on SQLite) until commit keeps a
     * rotation from switching KEKs under this transaction.
     */
    private Kek checkedKek(Handle h, Dialect dialect) {
        String required = kekState(h, dialect.forShareClause());
        Kek kek = keyring.kek();
        if (!kek.primaryKeyId().equals(required)) {
            throw new StaleKeyringException(kek.primaryKeyId(), required, null);
        }
        return kek;
    }

    static String kekState(Handle h, String lockClause) {
        return h.createQuery("SELECT primary_kek_id FROM kek_state WHERE id = 1" + lockClause)
                .mapTo(String.class)
                .findOne()
                .orElseThrow(() -> new IllegalStateException("The kek_state row is missing; the database was"
                        + " not opened through Store.open, or was altered"));
    }

    /**
     * Removes the seed of {@code label} (its ciphertext is deleted; SQLite overwrites it).
     *
     * @return whether there was one
     */
    public boolean remove(Label label) {
        Objects.requireNonNull(label, "label");
        rowCache.remove(label.value());
        return database.jdbi().withHandle(h -> h.createUpdate("DELETE FROM seeds WHERE label = ?")
                .bind(0, label.value()).execute()) > 0;
    }

    /**
     * Disables the seed of {@code label}: it stays stored but issues no code (its label answers as
     * unknown) until it is removed. Effective at once in this process, within
     * {@link #ROW_CACHE_TTL} in others.
     *
     * @return whether a seed was disabled now (false if there is none or it was disabled already)
     */
    public boolean disable(Label label, Instant now) {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(now, "now");
        int n = database.jdbi().withHandle(h -> h.createUpdate(
                        "UPDATE seeds SET disabled_at_ms = ? WHERE label = ? AND disabled_at_ms IS NULL")
                .bind(0, now.toEpochMilli()).bind(1, label.value()).execute());
        rowCache.remove(label.value());
        return n > 0;
    }

    /** The labels of disabled seeds, with when each was disabled. */
    public Map<Label, Instant> disabled() {
        Map<Label, Instant> out = new java.util.TreeMap<>();
        database.jdbi().useHandle(h -> h.createQuery("SELECT label, disabled_at_ms FROM seeds WHERE disabled_at_ms IS NOT NULL")
                .map((rs, ctx) -> Map.entry(Label.parse(rs.getString(1)), Instant.ofEpochMilli(rs.getLong(2))))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    /** How many seeds {@code tenant} holds, disabled ones included. */
    public int count(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return database.jdbi().withHandle(h -> countIn(h, tenant));
    }

    private static int countIn(Handle h, TenantId tenant) {
        String prefix = tenant.value() + "-";
        return h.createQuery("SELECT COUNT(*) FROM seeds WHERE substr(label, 1, :n) = :prefix")
                .bind("n", prefix.length()).bind("prefix", prefix).mapTo(Integer.class).one();
    }

    /**
     * The seeds of {@code tenant}, without secrets, ordered by label, each with when it was disabled
     * if it was: only that tenant's rows are read, and no ciphertext.
     */
    public List<Map.Entry<SeedInfo, Optional<Instant>>> list(TenantId tenant) {
        Objects.requireNonNull(tenant, "tenant");
        String prefix = tenant.value() + "-";
        return database.jdbi().withHandle(h -> h.createQuery("SELECT " + INFO_COLUMNS + ", disabled_at_ms FROM seeds"
                        + " WHERE substr(label, 1, :n) = :prefix ORDER BY label")
                .bind("n", prefix.length()).bind("prefix", prefix)
                .map((rs, ctx) -> {
                    SeedInfo info = info(rs);
                    long disabledAt = rs.getLong(9);
                    return Map.entry(info, rs.wasNull() ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(disabledAt)));
                })
                .list());
    }

    /**
     * The labels of the seeds that are not disabled and start with {@code prefix} ({@code ""} for
     * all), sorted: the label column alone is read.
     */
    public java.util.SortedSet<Label> enabledLabels(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        java.util.SortedSet<Label> out = new java.util.TreeSet<>();
        database.jdbi().useHandle(h -> h.createQuery("SELECT label FROM seeds WHERE disabled_at_ms IS NULL"
                        + " AND substr(label, 1, :n) = :prefix")
                .bind("n", prefix.length()).bind("prefix", prefix)
                .map((rs, ctx) -> Label.parse(rs.getString(1)))
                .forEach(out::add));
        return out;
    }

    /** Every stored seed, without secrets, ordered by label. */
    public List<SeedInfo> list() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT " + INFO_COLUMNS + " FROM seeds ORDER BY label")
                .map((rs, ctx) -> info(rs))
                .list());
    }

    /** The public description of the seed of {@code label}, if there is one. */
    public Optional<SeedInfo> info(Label label) {
        Objects.requireNonNull(label, "label");
        return database.jdbi().withHandle(h -> h.createQuery("SELECT " + INFO_COLUMNS + " FROM seeds WHERE label = ?")
                .bind(0, label.value())
                .map((rs, ctx) -> info(rs))
                .findOne());
    }

    private static final String INFO_COLUMNS =
            "label, algorithm, digits, period_seconds, issuer, account_name, version, created_at_ms";

    private static SeedInfo info(ResultSet rs) throws SQLException {
        return new SeedInfo(Label.parse(rs.getString(1)), HmacAlgorithm.valueOf(rs.getString(2)), rs.getInt(3),
                rs.getLong(4), rs.getString(5), rs.getString(6), rs.getInt(7), Instant.ofEpochMilli(rs.getLong(8)));
    }

    /**
     * Decrypts the seed of {@code label}. The parameters come from inside the ciphertext
     * (authenticated), not from the clear columns. The caller should {@link TotpSeed#destroy()} it
     * after use.
     *
     * @return the seed, or empty if the label has none
     * @throws SeedDecryptionException if the stored row does not open: moved from another label,
     *     altered, or wrapped under a KEK the keyring does not hold
     */
    public Optional<TotpSeed> find(Label label) {
        Optional<SealedRow> row = findSealed(label);
        return row.isEmpty() ? Optional.empty() : Optional.of(row.get().open());
    }

    /**
     * The sealed row of {@code label}, not decrypted: what the code issuer reads before it commits
     * the audit entry, so that no seed is held in clear while the commit waits for the disk. When
     * the row is wrapped under a KEK this process does not hold (a rotation elsewhere), the row is
     * read again from the store and the keys reloaded first, so {@link SealedRow#keyHeld()} tells
     * whether {@link SealedRow#open()} can succeed.
     *
     * @return the row, or empty if the label has none
     */
    public Optional<SealedRow> findSealed(Label label) {
        Objects.requireNonNull(label, "label");
        Optional<StoredSeed> row = load(label);
        if (row.isPresent() && !holds(label, row.get())) {
            // A rotation elsewhere: the cached row, or this process's keys, are older than the store's.
            rowCache.remove(label.value());
            row = load(label);
            if (row.isPresent() && !holds(label, row.get())) {
                refreshKeysOf(label);
            }
        }
        return row.map(r -> new SealedRow(label, r));
    }

    /**
     * One stored seed as the database holds it: ciphertext and wrapped data key, never a secret in
     * clear. Immutable; {@link #open()} decrypts a fresh copy each time.
     */
    public final class SealedRow {
        private final Label label;
        private final StoredSeed row;

        private SealedRow(Label label, StoredSeed row) {
            this.label = label;
            this.row = row;
        }

        /** The label of the row. */
        public Label label() {
            return label;
        }

        /** Whether the keyring holds the KEK the row's data key is wrapped under, now. */
        public boolean keyHeld() {
            return holds(label, row);
        }

        /**
         * Why the row's tenant key cannot be used now (revoked, or its provider failed), or empty
         * when the tenant has no key of its own or it is fine.
         */
        public Optional<TenantKeyUnavailableException> tenantKeyProblem() {
            TenantKeys keys = tenantKeys;
            return keys == null ? Optional.empty() : keys.problemFor(label);
        }

        /**
         * Decrypts the seed; the caller destroys it after use. When the row does not open with the
         * current keys (a rotation between reading the row and now), reads the row again from the
         * store, reloads the keys if needed, and tries once more.
         *
         * @throws SeedDecryptionException if it still does not open
         */
        public TotpSeed open() {
            try {
                return EnvelopeCipher.open(kekFor(label), label, row.version(), row.sealed());
            } catch (SeedDecryptionException e) {
                return findAfterRotation(label).orElseThrow(() -> e);
            }
        }

        @Override
        public String toString() {
            return "SealedRow[" + label + " v" + row.version() + "]";
        }
    }

    /**
     * Reads the row of {@code label} from the store, not the cache, reloads the keyset if it does
     * not hold the row's KEK, and opens it. Between the re-wrap transaction of a rotation and the
     * moment this process has read the new keyset, a cached row may be wrapped under a KEK this
     * process no longer holds, or a fresh row under one it does not hold yet; both cases end here.
     *
     * @throws SeedDecryptionException if the row still does not open: it was altered, moved, or is
     *     wrapped under a KEK the keyset source does not hold either
     */
    private Optional<TotpSeed> findAfterRotation(Label label) {
        rowCache.remove(label.value());
        Optional<StoredSeed> row = load(label);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Kek kek = kekFor(label);
        if (!kek.holds(row.get().sealed().kekId())) {
            // Read the keys again whether or not this call reloaded them: a concurrent request may have.
            refreshKeysOf(label);
            kek = kekFor(label);
        }
        return Optional.of(EnvelopeCipher.open(kek, label, row.get().version(), row.get().sealed()));
    }

    /**
     * How long a sealed row (ciphertext and wrapped key, never a decrypted seed) may be served from
     * memory: a seed removed or replaced by another instance stops being served within this bound;
     * changes made through this repository take effect at once.
     */
    public static final java.time.Duration ROW_CACHE_TTL = java.time.Duration.ofSeconds(1);

    private record CachedRow(StoredSeed row, long loadedAtNanos) {
    }

    private final java.util.concurrent.ConcurrentHashMap<String, CachedRow> rowCache = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Locks that let one request per label (or per stripe of labels) read a row whose cached copy
     * ran out, while the others busy with it wait and take that read: under load every concurrent
     * request would otherwise miss at the same moment and read the same row. Striped, so that labels
     * asked for (which may not exist) never grow a map.
     */
    /** How long a request waits for another's read of the same row before it reads the row itself. */
    static final Duration LOAD_WAIT = Duration.ofMillis(250);

    private final java.util.concurrent.locks.ReentrantLock[] loadLocks = java.util.stream.Stream
            .generate(java.util.concurrent.locks.ReentrantLock::new).limit(64)
            .toArray(java.util.concurrent.locks.ReentrantLock[]::new);

    private Optional<StoredSeed> load(Label label) {
        CachedRow cached = fresh(label);
        if (cached != null) {
            return Optional.of(cached.row());
        }
        var lock = loadLock(label);
        // Bounded: when the database is slow or away, the one read in progress may take the pool's
        // whole connection timeout, and queueing behind it would add that time once per waiter; a
        // request that waited LOAD_WAIT reads for itself, as every request did before.
        boolean locked;
        try {
            locked = lock.tryLock(LOAD_WAIT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        try {
            // A request that waited here takes the row the one before it read, which is newer than its own arrival.
            cached = locked ? fresh(label) : null;
            if (cached != null) {
                return Optional.of(cached.row());
            }
            long now = System.nanoTime();
            Optional<StoredSeed> row = loadFromDatabase(label);
            if (row.isPresent()) {
                rowCache.put(label.value(), new CachedRow(row.get(), now));
            } else {
                rowCache.remove(label.value());
            }
            return row;
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    /** The lock of {@code label}'s stripe, which one read of its row holds at a time. */
    java.util.concurrent.locks.ReentrantLock loadLock(Label label) {
        return loadLocks[Math.floorMod(label.value().hashCode(), loadLocks.length)];
    }

    /** The cached row of {@code label} if it was read less than {@link #ROW_CACHE_TTL} ago, else null. */
    private CachedRow fresh(Label label) {
        CachedRow cached = rowCache.get(label.value());
        return cached != null && System.nanoTime() - cached.loadedAtNanos() < ROW_CACHE_TTL.toNanos() ? cached : null;
    }

    /** Whether this process holds the KEK of {@code row}; false when the row's tenant key is unavailable. */
    private boolean holds(Label label, StoredSeed row) {
        try {
            return kekFor(label).holds(row.sealed().kekId());
        } catch (TenantKeyUnavailableException e) {
            return false;
        }
    }

    void forgetCachedRows() {
        rowCache.clear();
    }

    private Optional<StoredSeed> loadFromDatabase(Label label) {
        return database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT version, kek_id, wrapped_key, ciphertext FROM seeds WHERE label = ? AND disabled_at_ms IS NULL")
                .bind(0, label.value())
                .map((rs, ctx) -> new StoredSeed(rs.getInt(1), new SealedSeed(rs.getString(2), rs.getBytes(3), rs.getBytes(4))))
                .findOne());
    }

    /**
     * Rotation step 2: in one transaction, records {@code kek}'s primary as the required KEK and
     * re-wraps every data key under it.
     *
     * @return how many data keys were re-wrapped
     * @throws SeedDecryptionException if any row does not open; nothing is changed then
     */
    int rewrapAll(Kek kek) {
        return rewrapAll(kek, RotationListener.NONE);
    }

    /** As {@link #rewrapAll(Kek)}, telling {@code listener} before each row ({@code rewrapping i/n}). */
    int rewrapAll(Kek kek, RotationListener listener) {
        forgetCachedRows();
        return database.jdbi().inTransaction(h -> rewrapAllIn(h, kek, listener));
    }

    /** The body of {@link #rewrapAll(Kek, RotationListener)} inside the caller's transaction. */
    int rewrapAllIn(Handle h, Kek kek, RotationListener listener) {
        forgetCachedRows();
        // The update comes first: it blocks adders (who read kek_state FOR SHARE) until commit.
        h.createUpdate("UPDATE kek_state SET primary_kek_id = :kek WHERE id = 1")
                .bind("kek", kek.primaryKeyId()).execute();
        List<RowToRewrap> rows = installationRows(h);
        TenantKeys.rewrapKeysetTenantsIn(h, kek);
        int i = 0;
        for (RowToRewrap row : rows) {
            listener.step("rewrapping " + (++i) + "/" + rows.size());
            SealedSeed rewrapped = EnvelopeCipher.rewrap(kek, row.label(), row.version(), row.sealed());
            h.createUpdate("UPDATE seeds SET kek_id = :kek, wrapped_key = :wrapped"
                            + " WHERE label = :label AND version = :version")
                    .bind("kek", rewrapped.kekId())
                    .bind("wrapped", rewrapped.wrappedKey())
                    .bind("label", row.label().value())
                    .bind("version", row.version())
                    .execute();
        }
        return rows.size();
    }

    /**
     * Opens every stored seed with {@code kek} inside the caller's transaction (and destroys it at
     * once): the proof a migration gives before it commits.
     *
     * @throws SeedDecryptionException naming the first seed that does not open
     */
    static int verifyAllIn(Handle h, Kek kek) {
        List<RowToRewrap> rows = installationRows(h);
        for (RowToRewrap row : rows) {
            if (!row.sealed().kekId().equals(kek.primaryKeyId())) {
                throw new IllegalStateException("The data key of seed '" + row.label() + "' is still wrapped under KEK "
                        + row.sealed().kekId() + ", not " + kek.primaryKeyId());
            }
            EnvelopeCipher.open(kek, row.label(), row.version(), row.sealed()).destroy();
        }
        return rows.size();
    }

    /**
     * The sealed seeds whose data keys are the installation's, by label: a tenant with a key of its
     * own keeps it, its data keys are not the installation's.
     */
    private static List<RowToRewrap> installationRows(Handle h) {
        Set<String> keyed = TenantKeys.keyedTenants(h);
        List<RowToRewrap> rows = new ArrayList<>(h.createQuery(
                        "SELECT label, version, kek_id, wrapped_key, ciphertext FROM seeds ORDER BY label")
                .map((rs, ctx) -> new RowToRewrap(Label.parse(rs.getString(1)), rs.getInt(2),
                        new SealedSeed(rs.getString(3), rs.getBytes(4), rs.getBytes(5))))
                .list());
        rows.removeIf(r -> keyed.contains(r.label().client()));
        return rows;
    }

    /**
     * Opens every seed of the installation (tenants without a key of their own) with {@code kek},
     * destroying each at once: the check a rotation makes before it changes anything.
     *
     * @throws SeedDecryptionException naming the first seed that does not open
     */
    int openAll(Kek kek) {
        forgetCachedRows();
        return database.jdbi().withHandle(h -> {
            List<RowToRewrap> rows = installationRows(h);
            for (RowToRewrap row : rows) {
                EnvelopeCipher.open(kek, row.label(), row.version(), row.sealed()).destroy();
            }
            return rows.size();
        });
    }

    /**
     * How many data keys of the installation (seeds of tenants without a key of their own, and the
     * {@code keyset} tenant keys) are wrapped under a KEK other than {@code kekId}.
     */
    long countWrappedUnderOtherThan(String kekId) {
        return database.jdbi().withHandle(h -> {
            Set<String> keyed = TenantKeys.keyedTenants(h);
            long seeds = h.createQuery("SELECT label FROM seeds WHERE kek_id <> :kek").bind("kek", kekId)
                    .mapTo(String.class).stream().filter(l -> !keyed.contains(Label.parse(l).client())).count();
            return seeds + TenantKeys.countKeysetTenantsWrappedUnderOtherThan(h, kekId);
        });
    }

    /** One seed of a tenant, sealed, for re-wrapping its data key. */
    record TenantSeed(Label label, int version, SealedSeed sealed) {}

    /** The seeds whose label belongs to {@code tenant} (client part before the first dash). */
    static List<TenantSeed> tenantSeedsIn(Handle h, TenantId tenant) {
        String prefix = tenant.value() + "-";
        return h.createQuery("SELECT label, version, kek_id, wrapped_key, ciphertext FROM seeds"
                        + " WHERE substr(label, 1, :n) = :prefix ORDER BY label")
                .bind("n", prefix.length()).bind("prefix", prefix)
                .map((rs, ctx) -> new TenantSeed(Label.parse(rs.getString(1)), rs.getInt(2),
                        new SealedSeed(rs.getString(3), rs.getBytes(4), rs.getBytes(5))))
                .list();
    }

    /**
     * Re-wraps the data key of each of {@code seeds} from {@code from} to {@code to} inside the
     * caller's transaction, then opens every one with {@code to} (and destroys it at once).
     *
     * @throws SeedDecryptionException naming the first seed that does not open; roll back then
     */
    static int rewrapIn(Handle h, List<TenantSeed> seeds, Kek from, Kek to, RotationListener listener) {
        int i = 0;
        for (TenantSeed s : seeds) {
            listener.step("rewrapping " + (++i) + "/" + seeds.size());
            SealedSeed rewrapped = EnvelopeCipher.rewrap(from, to, s.label(), s.version(), s.sealed());
            h.createUpdate("UPDATE seeds SET kek_id = :kek, wrapped_key = :wrapped WHERE label = :label AND version = :version")
                    .bind("kek", rewrapped.kekId()).bind("wrapped", rewrapped.wrappedKey())
                    .bind("label", s.label().value()).bind("version", s.version()).execute();
            EnvelopeCipher.open(to, s.label(), s.version(), rewrapped).destroy();
        }
        return seeds.size();
    }

    private record StoredSeed(int version, SealedSeed sealed) {}

    private record RowToRewrap(Label label, int version, SealedSeed sealed) {}

    /** The keyring's primary KEK is not the one the database requires; rolls the transaction back. */
    private static final class StaleKeyringException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String keyringKek;
        final String databaseKek;
        final transient TenantId tenant;

        StaleKeyringException(String keyringKek, String databaseKek, TenantId tenant) {
            super(null, null, false, false);
            this.keyringKek = keyringKek;
            this.databaseKek = databaseKek;
            this.tenant = tenant;
        }
    }
}
