package dev.mfagate.core.store;

import dev.mfagate.core.Label;
import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.KeyProvider;
import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.crypto.KeyScope;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.crypto.Keyset;
import dev.mfagate.core.tenant.TenantId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-tenant keys: a tenant may have its own key-encryption key, kept under a provider of its own
 * ({@code pkcs11:...}, {@code awskms:...}, {@code transit:...}) or under the installation's KEK
 * ({@code keyset}), so that one client's key can be rotated or revoked without touching another's.
 * The data keys of that tenant's seeds are wrapped under its KEK; every other tenant's stay under
 * the installation's. Obtained from {@link Store#tenantKeys()}.
 *
 * <p>Each tenant's keyset (a Tink KEK set, like the installation's; its audit key is unused) is
 * stored in the {@code tenant_key} row, wrapped under the tenant's provider in the scope
 * {@code tenant:<id>}; a process unwraps it once, when it first needs it ({@link #loadAll()} at
 * the gateway's start), and again when the row's generation moves (another process rotated, set or
 * revoked it; looked at no more than once a second). A provider that refuses or cannot be reached
 * makes only that tenant's seeds refuse ({@link TenantKeyUnavailableException}); the others are
 * served. {@link #check()} (every readiness interval) retries such a tenant, and drops a tenant's
 * keys from memory when its provider answers that the key is disabled, deleted or denied, so that a
 * client that revokes its own KMS or HSM key stops its codes on running instances too.
 *
 * <p>Key changes ({@link #set}, {@link #rotate}, {@link #retire}, {@link #revoke}) are each one
 * database transaction (the wrapped keyset and the re-wrapped data keys are in the same database),
 * so a crash leaves either the old or the new state, both of which open every seed; each is
 * verified before it commits. Thread-safe.
 */
public final class TenantKeys implements AutoCloseable {

    /** The {@code fromReference} of a tenant that used the installation's KEK. */
    public static final String INSTALLATION = "installation";

    private static final Logger log = LoggerFactory.getLogger(TenantKeys.class);
    private static final long SNAPSHOT_NANOS = 1_000_000_000L;

    private final Database database;
    private final Keyring installation;
    private final Map<String, String> environment;
    private final ReadWriteLock rotationLock;
    private final Runnable forgetCachedRows;
    private final ConcurrentHashMap<TenantId, Entry> entries = new ConcurrentHashMap<>();
    /** One lock per tenant: a slow provider of one tenant never holds up another tenant's requests. */
    private final ConcurrentHashMap<TenantId, Object> locks = new ConcurrentHashMap<>();
    private final Object snapshotLock = new Object();
    private volatile Map<TenantId, Long> generations = Map.of();
    private volatile long snapshotAtNanos;
    private volatile boolean snapshotTaken;

    /** What this process holds of one tenant's key. Exactly one of keyset and problem is set unless revoked. */
    private record Entry(String reference, long generation, boolean revoked, Keyset keyset, KeyProvider provider,
                         String problem) {
        String health() {
            return revoked ? "revoked" : problem != null ? "unavailable: " + problem : "ok";
        }
    }

    /** One read of a {@code tenant_key} row. */
    private record Row(TenantId tenant, String reference, boolean revoked, byte[] wrapped, String primaryKekId,
                       String installationKekId, long generation) {
    }

    TenantKeys(Database database, Keyring installation, Map<String, String> environment, ReadWriteLock rotationLock,
               Runnable forgetCachedRows) {
        this.database = Objects.requireNonNull(database, "database");
        this.installation = Objects.requireNonNull(installation, "installation");
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.rotationLock = Objects.requireNonNull(rotationLock, "rotationLock");
        this.forgetCachedRows = Objects.requireNonNull(forgetCachedRows, "forgetCachedRows");
    }

    /**
     * Validates a tenant key reference: {@code keyset} (the tenant's keyset wrapped under the
     * installation's KEK) or a provider reference; returns its canonical form.
     *
     * @throws IllegalArgumentException naming the rule it breaks
     */
    public static String normalize(String reference) {
        Objects.requireNonNull(reference, "reference");
        String r = reference.strip();
        if (r.equalsIgnoreCase(KekKeyProvider.REFERENCE)) {
            return KekKeyProvider.REFERENCE;
        }
        if (KeyProviders.isFile(r)) {
            throw new IllegalArgumentException("Invalid --provider; a tenant's keyset is not kept in a file of its own:"
                    + " use keyset (wrapped under the installation's KEK), pkcs11:..., awskms:... or transit:...");
        }
        try {
            return KeyProviders.normalize(r);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("--kek", "--provider")
                    .replace("must be file,", "must be keyset,"));
        }
    }

    /**
     * The credentials a tenant's provider is opened with: the process environment, where a variable
     * {@code MFAGATE_TENANT_<TENANT>_<NAME>} (the tenant id upper-cased, dots as underscores) stands
     * for {@code <NAME>}, so two tenants can use two Vault tokens or two PKCS#11 PINs.
     */
    public static Map<String, String> environmentFor(TenantId tenant, Map<String, String> environment) {
        String prefix = "MFAGATE_TENANT_" + tenant.value().toUpperCase(Locale.ROOT).replace('.', '_') + "_";
        Map<String, String> result = new HashMap<>(environment);
        environment.forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                result.put(name.substring(prefix.length()), value);
            }
        });
        return result;
    }

    // ---- the request path -------------------------------------------------------------------

    /** Whether {@code tenant} has a key of its own (active or revoked); the answer is at most a second old. */
    public boolean hasOwnKey(TenantId tenant) {
        return freshGenerations().containsKey(tenant);
    }

    /**
     * The KEK to wrap and unwrap the data keys of {@code label} with: its tenant's, when it has its
     * own, else the installation's.
     *
     * @throws TenantKeyUnavailableException if the tenant's key is revoked or its provider failed
     */
    Kek kekFor(Label label) {
        TenantId tenant = TenantId.of(label);
        if (!hasOwnKey(tenant)) {
            return installation.kek();
        }
        return tenantKek(tenant);
    }

    /**
     * The tenant's KEK as this process holds it.
     *
     * @throws TenantKeyUnavailableException if it is revoked or its provider failed
     */
    Kek tenantKek(TenantId tenant) {
        Entry e = current(tenant);
        if (e.keyset() != null) {
            return e.keyset().kek();
        }
        throw unavailable(tenant, e);
    }

    /** Whether {@code label}'s tenant key is unusable now, and why; empty when it has none or it is fine. */
    Optional<TenantKeyUnavailableException> problemFor(Label label) {
        TenantId tenant = TenantId.of(label);
        if (!hasOwnKey(tenant)) {
            return Optional.empty();
        }
        Entry e = current(tenant);
        return e.keyset() != null ? Optional.empty() : Optional.of(unavailable(tenant, e));
    }

    /** Reads the tenant's row again (a data key under a KEK this process lacks: a change elsewhere). */
    void reload(TenantId tenant) {
        snapshotTaken = false;
        Long generation = freshGenerations().get(tenant);
        Entry e = entries.get(tenant);
        if (generation != null && (e == null || e.generation() != generation || e.problem() != null)) {
            load(tenant);
        }
    }

    private static TenantKeyUnavailableException unavailable(TenantId tenant, Entry e) {
        if (e.revoked()) {
            return new TenantKeyUnavailableException(tenant, true, "The key of tenant " + tenant + " was revoked;"
                    + " its seeds no longer open");
        }
        return new TenantKeyUnavailableException(tenant, false, "The key of tenant " + tenant + " is unavailable: "
                + e.problem());
    }

    private Entry current(TenantId tenant) {
        Long generation = freshGenerations().get(tenant);
        Entry e = entries.get(tenant);
        if (e != null && generation != null && e.generation() == generation) {
            return e;
        }
        return load(tenant);
    }

    private Map<TenantId, Long> freshGenerations() {
        long now = System.nanoTime();
        if (snapshotTaken && now - snapshotAtNanos < SNAPSHOT_NANOS) {
            return generations;
        }
        synchronized (snapshotLock) {
            if (!snapshotTaken || System.nanoTime() - snapshotAtNanos >= SNAPSHOT_NANOS) {
                Map<TenantId, Long> read = new HashMap<>();
                database.jdbi().useHandle(h -> h.createQuery("SELECT tenant_id, generation FROM tenant_key")
                        .map((rs, ctx) -> Map.entry(TenantId.parse(rs.getString(1)), rs.getLong(2)))
                        .forEach(en -> read.put(en.getKey(), en.getValue())));
                generations = Map.copyOf(read);
                snapshotAtNanos = System.nanoTime();
                snapshotTaken = true;
            }
            return generations;
        }
    }

    private Object lockOf(TenantId tenant) {
        return locks.computeIfAbsent(tenant, t -> new Object());
    }

    /** Reads and unwraps the tenant's row; a failure is recorded (and logged once), never thrown. */
    private Entry load(TenantId tenant) {
        synchronized (lockOf(tenant)) {
            return loadLocked(tenant);
        }
    }

    private Entry loadLocked(TenantId tenant) {
        Optional<Row> row = database.jdbi().withHandle(h -> read(h, tenant, ""));
        Entry before = entries.get(tenant);
        if (row.isEmpty()) {
            if (before != null) {
                entries.remove(tenant);
                closeQuietly(before.provider());
            }
            return new Entry(INSTALLATION, 0, false, null, null, "no key of its own");
        }
        Row r = row.get();
        if (before != null && before.generation() == r.generation() && before.problem() == null) {
            return before;
        }
        Entry next;
        if (r.revoked()) {
            next = new Entry(r.reference(), r.generation(), true, null, null, null);
        } else {
            KeyProvider provider = null;
            try {
                provider = openProvider(tenant, r.reference(), r.installationKekId());
                Keyset keyset = Keyset.unwrap(r.wrapped(), provider, KeyScope.tenant(tenant.value()),
                        "the tenant_key row of " + tenant);
                next = new Entry(r.reference(), r.generation(), false, keyset, provider, null);
                if (before != null && before.problem() != null) {
                    log.info("The key of tenant {} ({}) is available again; its codes are served", tenant, r.reference());
                }
            } catch (KeyProviderException | IllegalArgumentException | IllegalStateException e) {
                closeQuietly(provider);
                String problem = e.getMessage();
                if (before == null || !problem.equals(before.problem())) {
                    log.error("Tenant {}'s key is unavailable, so its codes are refused (503 tenant_key_unavailable)"
                            + " while other tenants are served: {}", tenant, problem);
                }
                next = new Entry(r.reference(), r.generation(), false, null, null, problem);
            }
        }
        entries.put(tenant, next);
        if (before != null && before.provider() != null && before.provider() != next.provider()) {
            closeQuietly(before.provider());
        }
        return next;
    }

    private KeyProvider openProvider(TenantId tenant, String reference, String installationKekId) {
        if (KekKeyProvider.REFERENCE.equals(reference)) {
            if (installationKekId != null && !installation.kek().holds(installationKekId)) {
                installation.refresh();
            }
            return new KekKeyProvider(installation.kek());
        }
        return KeyProviders.open(reference, environmentFor(tenant, environment));
    }

    // ---- start and readiness ----------------------------------------------------------------

    /**
     * Unwraps every tenant's key now (the gateway's start). A tenant whose provider refuses or cannot
     * be reached is recorded as unavailable, logged as an ERROR naming the tenant, the provider, the
     * key and what failed, and refused until {@link #check()} reaches it; the others are served.
     *
     * @return the tenants whose keys are unavailable, with what failed
     */
    public Map<TenantId, String> loadAll() {
        Map<TenantId, String> problems = new TreeMap<>();
        for (TenantId tenant : freshGenerations().keySet()) {
            Entry e = current(tenant);
            if (!e.revoked() && e.problem() != null) {
                problems.put(tenant, e.problem());
            }
        }
        return problems;
    }

    /**
     * Every tenant key's health for {@code /readyz}: {@code ok}, {@code revoked}, {@code not loaded}
     * or {@code unavailable: ...}. Never calls a provider (see {@link #check()}).
     */
    public Map<TenantId, String> health() {
        Map<TenantId, String> result = new TreeMap<>();
        for (TenantId tenant : freshGenerations().keySet()) {
            Entry e = entries.get(tenant);
            result.put(tenant, e == null ? "not loaded" : e.health());
        }
        return result;
    }

    /**
     * Asks each tenant's provider again (one unwrap each, thrown away): a tenant that was unavailable
     * is loaded when its provider answers; a loaded tenant whose provider now answers that the key is
     * denied, disabled, gone or does not open the keyset has its keys dropped from memory (its codes
     * are refused from then on). A provider that is merely unreachable leaves the keys in place.
     * Called by the gateway every readiness interval, off the request path.
     */
    public void check() {
        for (TenantId tenant : freshGenerations().keySet()) {
            Entry e = entries.get(tenant);
            if (e == null) {
                // A key set since the start (or on another instance): loaded now, not at its tenant's first request.
                try {
                    current(tenant);
                } catch (RuntimeException ex) {
                    log.warn("Loading tenant {}'s key failed: {}", tenant, ex.getClass().getSimpleName());
                }
                continue;
            }
            if (e.revoked()) {
                continue;
            }
            if (e.problem() != null) {
                reload(tenant);
                continue;
            }
            if (e.provider() instanceof KekKeyProvider) {
                continue;
            }
            Optional<Row> row = database.jdbi().withHandle(h -> read(h, tenant, ""));
            if (row.isEmpty() || row.get().revoked()) {
                continue;
            }
            try {
                Keyset.unwrap(row.get().wrapped(), e.provider(), KeyScope.tenant(tenant.value()), "the tenant_key row of " + tenant);
            } catch (KeyProviderException ex) {
                switch (ex.failure()) {
                    case ACCESS_DENIED, KEY_DISABLED, KEY_NOT_FOUND, BAD_CIPHERTEXT -> {
                        synchronized (lockOf(tenant)) {
                            if (entries.get(tenant) == e) {
                                entries.put(tenant, new Entry(e.reference(), e.generation(), false, null, null, ex.getMessage()));
                                closeQuietly(e.provider());
                            }
                        }
                        log.error("Tenant {}'s key provider refuses its key; its keys were dropped from memory and its"
                                + " codes are refused (503 tenant_key_unavailable) while other tenants are served: {}",
                                tenant, ex.getMessage());
                    }
                    default -> log.warn("Tenant {}'s key provider does not answer; its codes are served with the keys"
                            + " already unwrapped: {}", tenant, ex.getMessage());
                }
            } catch (RuntimeException ex) {
                log.warn("Checking tenant {}'s key failed: {}", tenant, ex.getClass().getSimpleName());
            }
        }
    }

    /** Every tenant key stored, with this process's view of its health. */
    public List<TenantKeyStatus> list() {
        List<Row> rows = database.jdbi().withHandle(h -> h.createQuery(SELECT + " ORDER BY tenant_id")
                .map((rs, ctx) -> row(rs)).list());
        Map<TenantId, String> health = health();
        List<TenantKeyStatus> result = new ArrayList<>();
        for (Row r : rows) {
            result.add(new TenantKeyStatus(r.tenant(), r.reference(), r.revoked(), r.primaryKekId(),
                    r.revoked() ? "revoked" : health.getOrDefault(r.tenant(), "not loaded")));
        }
        return result;
    }

    // ---- changes ----------------------------------------------------------------------------

    /**
     * Gives {@code tenant} a fresh KEK of its own kept by {@code reference} ({@code keyset} or a
     * provider): the new keyset is wrapped there and unwrapped again to compare, then one transaction
     * stores it, re-wraps every data key of the tenant's seeds from its current KEK (the
     * installation's, or its own) and opens every one of them with the new KEK before it commits.
     * All or nothing. Also moves a tenant's key to another provider, and replaces a revoked key for
     * a tenant that has no seeds left.
     *
     * @param environment the process environment (see {@link #environmentFor})
     * @throws IllegalArgumentException if the reference or the tenant is invalid
     * @throws IllegalStateException if the tenant's current key is unavailable, or verification fails
     * @throws KeyProviderException if the provider refuses or cannot be reached (nothing is changed)
     */
    public TenantKeyChange set(TenantId tenant, String reference, Map<String, String> environment,
                               RotationListener listener) {
        String to = normalize(reference);
        requireTenant(tenant);
        rotationLock.writeLock().lock();
        KeyProvider provider = null;
        try {
            Optional<Row> old = database.jdbi().withHandle(h -> read(h, tenant, ""));
            Kek from;
            String fromReference;
            if (old.isEmpty()) {
                installation.refresh();
                from = installation.kek();
                fromReference = INSTALLATION;
            } else if (old.get().revoked()) {
                from = null;
                fromReference = "revoked";
            } else {
                // Read from the row, not the once-a-second snapshot: another process may have just rotated it.
                from = loadedEntry(tenant, "moving tenant " + tenant + "'s key").keyset().kek();
                fromReference = old.get().reference();
            }
            Keyset next = Keyset.generate();
            provider = KekKeyProvider.REFERENCE.equals(to) ? new KekKeyProvider(installation.kek())
                    : KeyProviders.open(to, environmentFor(tenant, environment));
            byte[] wrapped = verifiedWrap(next, provider, tenant);
            String installationKekId = provider instanceof KekKeyProvider k ? k.primaryKeyId() : null;
            listener.step("keyset-saved");
            long now = System.currentTimeMillis();
            int rewrapped = database.jdbi().inTransaction(h -> {
                checkInstallationKek(h, installationKekId);
                Optional<Row> locked = read(h, tenant, database.dialect().forShareClause());
                if (locked.map(Row::generation).orElse(0L) != old.map(Row::generation).orElse(0L)) {
                    throw changedElsewhere(tenant);
                }
                h.createUpdate("INSERT INTO tenant_key (tenant_id, reference, state, wrapped_keyset, primary_kek_id,"
                                + " installation_kek_id, generation, updated_at_ms) VALUES (:t, :ref, 'active', :w, :kek,"
                                + " :ikek, 1, :now) ON CONFLICT (tenant_id) DO UPDATE SET reference = :ref, state = 'active',"
                                + " wrapped_keyset = :w, primary_kek_id = :kek, installation_kek_id = :ikek,"
                                + " generation = tenant_key.generation + 1, updated_at_ms = :now")
                        .bind("t", tenant.value()).bind("ref", to).bind("w", wrapped)
                        .bind("kek", next.kek().primaryKeyId()).bind("ikek", installationKekId).bind("now", now).execute();
                return rewrapTenantSeeds(h, tenant, from, next.kek(), listener);
            });
            listener.step("rewrapped");
            published(tenant, to, old.map(Row::generation).orElse(0L) + 1, next, provider);
            provider = null;
            String previous = from == null ? "" : from.primaryKeyId();
            log.info("Tenant {}'s key moved from {} to {}; new KEK {}; re-wrapped and verified {} data keys", tenant,
                    fromReference, to, next.kek().primaryKeyId(), rewrapped);
            return new TenantKeyChange(tenant, fromReference, to, previous, next.kek().primaryKeyId(), rewrapped);
        } finally {
            closeQuietly(provider);
            rotationLock.writeLock().unlock();
        }
    }

    /**
     * Rotates {@code tenant}'s own KEK: a new KEK becomes primary (the older ones stay in the
     * tenant's keyset until {@link #retire}), and in one transaction the keyset is stored and every
     * data key of the tenant re-wrapped and verified.
     *
     * @throws IllegalStateException if the tenant has no active key of its own, or it is unavailable
     * @throws KeyProviderException if the tenant's provider refuses or cannot be reached
     */
    public TenantKeyChange rotate(TenantId tenant, RotationListener listener) {
        rotationLock.writeLock().lock();
        try {
            Row old = activeRow(tenant, "rotating");
            Entry e = loadedEntry(tenant, "rotating");
            Kek from = e.keyset().kek();
            Keyset next = e.keyset().withNewPrimaryKek();
            byte[] wrapped = verifiedWrap(next, providerFor(e), tenant);
            String installationKekId = e.provider() instanceof KekKeyProvider k ? k.primaryKeyId() : null;
            listener.step("keyset-saved");
            int rewrapped = database.jdbi().inTransaction(h -> {
                checkInstallationKek(h, installationKekId);
                update(h, tenant, old.generation(), wrapped, next.kek().primaryKeyId(), installationKekId);
                return rewrapTenantSeeds(h, tenant, from, next.kek(), listener);
            });
            listener.step("rewrapped");
            published(tenant, old.reference(), old.generation() + 1, next, e.provider());
            log.info("Rotated tenant {}'s KEK from {} to {}; re-wrapped {} data keys", tenant, from.primaryKeyId(),
                    next.kek().primaryKeyId(), rewrapped);
            return new TenantKeyChange(tenant, old.reference(), old.reference(), from.primaryKeyId(),
                    next.kek().primaryKeyId(), rewrapped);
        } finally {
            rotationLock.writeLock().unlock();
        }
    }

    /**
     * Removes every KEK but the primary from {@code tenant}'s keyset, once none of its data keys is
     * wrapped under one.
     *
     * @throws IllegalStateException if the tenant has no active key, or a data key is still wrapped
     *     under an older KEK (nothing is changed)
     */
    public KeyRetirement retire(TenantId tenant) {
        rotationLock.writeLock().lock();
        try {
            Row old = activeRow(tenant, "retiring keys");
            Entry e = loadedEntry(tenant, "retiring keys");
            Kek kek = e.keyset().kek();
            Set<String> retired = new java.util.HashSet<>(kek.keyIds());
            retired.remove(kek.primaryKeyId());
            if (retired.isEmpty()) {
                return new KeyRetirement(kek.primaryKeyId(), Set.of());
            }
            Keyset next = e.keyset().withOnlyPrimaryKek();
            byte[] wrapped = verifiedWrap(next, providerFor(e), tenant);
            String installationKekId = e.provider() instanceof KekKeyProvider k ? k.primaryKeyId() : null;
            database.jdbi().useTransaction(h -> {
                checkInstallationKek(h, installationKekId);
                long left = tenantSeeds(h, tenant).stream()
                        .filter(s -> !s.sealed().kekId().equals(kek.primaryKeyId())).count();
                if (left != 0) {
                    throw new IllegalStateException("Not retiring: " + left + " data keys of tenant " + tenant
                            + " are still wrapped under an older KEK; run `mfagate keys tenant rotate " + tenant + "` first");
                }
                update(h, tenant, old.generation(), wrapped, kek.primaryKeyId(), installationKekId);
            });
            published(tenant, old.reference(), old.generation() + 1, next, e.provider());
            log.info("Retired {} older KEKs of tenant {}", retired.size(), tenant);
            return new KeyRetirement(kek.primaryKeyId(), retired);
        } finally {
            rotationLock.writeLock().unlock();
        }
    }

    /**
     * Revokes {@code tenant}'s own key: its wrapped keyset is erased from the database, so its seeds
     * open nowhere any more (on every instance within about a second) and their codes are refused;
     * no other tenant is touched. Irreversible (unless the database is restored from a backup and
     * the provider still holds the key): remove the tenant's seeds, set a new key, and enrol them again.
     *
     * @return how many of the tenant's seeds can no longer be opened
     * @throws IllegalStateException if the tenant has no key of its own, or it is revoked already
     */
    public int revoke(TenantId tenant) {
        rotationLock.writeLock().lock();
        try {
            Row old = activeRow(tenant, "revoking");
            int seeds = database.jdbi().inTransaction(h -> {
                int n = h.createUpdate("UPDATE tenant_key SET state = 'revoked', wrapped_keyset = NULL,"
                                + " installation_kek_id = NULL, generation = generation + 1, updated_at_ms = :now"
                                + " WHERE tenant_id = :t AND generation = :g")
                        .bind("t", tenant.value()).bind("g", old.generation()).bind("now", System.currentTimeMillis())
                        .execute();
                if (n != 1) {
                    throw changedElsewhere(tenant);
                }
                return tenantSeeds(h, tenant).size();
            });
            synchronized (lockOf(tenant)) {
                Entry before = entries.put(tenant, new Entry(old.reference(), old.generation() + 1, true, null, null, null));
                if (before != null) {
                    closeQuietly(before.provider());
                }
                snapshotTaken = false;
            }
            forgetCachedRows.run();
            log.warn("Revoked tenant {}'s key ({}); its seeds ({}) no longer open", tenant, old.reference(),
                    dev.mfagate.core.Plural.of(seeds, "seed", "seeds"));
            return seeds;
        } finally {
            rotationLock.writeLock().unlock();
        }
    }

    /**
     * Checks that {@link #revoke} could revoke {@code tenant}'s key now, changing nothing: so that an
     * operator asked to confirm is not asked about a tenant or a key that does not exist.
     *
     * @throws IllegalStateException as {@link #revoke} would
     */
    public void checkRevocable(TenantId tenant) {
        activeRow(tenant, "revoking");
    }

    /** Releases every tenant's provider. */
    @Override
    public void close() {
        for (Entry e : entries.values()) {
            closeQuietly(e.provider());
        }
        entries.clear();
    }

    // ---- helpers for the installation's own key changes ---------------------------------------

    /** The tenants that have a key of their own (their seeds are not the installation's to re-wrap). */
    static Set<String> keyedTenants(Handle h) {
        return Set.copyOf(h.createQuery("SELECT tenant_id FROM tenant_key").mapTo(String.class).list());
    }

    /**
     * Re-wraps every {@code keyset} tenant key under the installation's new KEK, inside the
     * installation's re-wrap transaction ({@code kek} holds the old KEKs and the new primary). The
     * tenants' keys themselves are unchanged, so their generation does not move.
     */
    static int rewrapKeysetTenantsIn(Handle h, Kek kek) {
        List<Row> rows = h.createQuery(SELECT + " WHERE reference = 'keyset' AND state = 'active'")
                .map((rs, ctx) -> row(rs)).list();
        KekKeyProvider provider = new KekKeyProvider(kek);
        for (Row r : rows) {
            KeyScope scope = KeyScope.tenant(r.tenant().value());
            Keyset keyset = Keyset.unwrap(r.wrapped(), provider, scope, "the tenant_key row of " + r.tenant());
            h.createUpdate("UPDATE tenant_key SET wrapped_keyset = :w, installation_kek_id = :ikek WHERE tenant_id = :t")
                    .bind("w", keyset.wrap(provider, scope)).bind("ikek", kek.primaryKeyId())
                    .bind("t", r.tenant().value()).execute();
        }
        return rows.size();
    }

    /** How many {@code keyset} tenant keys are wrapped under an installation KEK other than {@code kekId}. */
    static long countKeysetTenantsWrappedUnderOtherThan(Handle h, String kekId) {
        return h.createQuery("SELECT count(*) FROM tenant_key WHERE reference = 'keyset' AND state = 'active'"
                        + " AND installation_kek_id <> :kek")
                .bind("kek", kekId).mapTo(Long.class).one();
    }

    // ---- internals --------------------------------------------------------------------------

    private static final String SELECT = "SELECT tenant_id, reference, state, wrapped_keyset, primary_kek_id,"
            + " installation_kek_id, generation FROM tenant_key";

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(TenantId.parse(rs.getString(1)), rs.getString(2), "revoked".equals(rs.getString(3)),
                rs.getBytes(4), rs.getString(5), rs.getString(6), rs.getLong(7));
    }

    private static Optional<Row> read(Handle h, TenantId tenant, String lockClause) {
        return h.createQuery(SELECT + " WHERE tenant_id = ?" + lockClause).bind(0, tenant.value())
                .map((rs, ctx) -> row(rs)).findOne();
    }

    /** The KEK every data key of {@code tenant} must be wrapped under, read under a share lock; empty when it has no key. */
    static Optional<String> requiredKek(Handle h, TenantId tenant, String lockClause) {
        return read(h, tenant, lockClause).map(r -> r.revoked() ? "" : r.primaryKekId());
    }

    private Row activeRow(TenantId tenant, String what) {
        // A tenant that does not exist is said to be so first, not told to get a key it cannot be given.
        requireTenant(tenant);
        Row r = database.jdbi().withHandle(h -> read(h, tenant, "")).orElseThrow(() -> new IllegalStateException(
                "Not " + what + ": tenant " + tenant + " has no key of its own (its seeds use the installation's KEK);"
                        + " give it one with `mfagate keys tenant set " + tenant + " --provider ...`"));
        if (r.revoked()) {
            throw new IllegalStateException("Not " + what + ": tenant " + tenant + "'s key was revoked; give it a new"
                    + " one with `mfagate keys tenant set " + tenant + " --provider ...` once its seeds are removed");
        }
        return r;
    }

    private Entry loadedEntry(TenantId tenant, String what) {
        Entry e = load(tenant);
        if (e.keyset() == null) {
            throw new IllegalStateException("Not " + what + ": the key of tenant " + tenant + " is unavailable ("
                    + e.problem() + "); nothing was changed");
        }
        return e;
    }

    /** The provider to wrap a tenant's changed keyset with; for {@code keyset}, under the installation's current KEK. */
    private KeyProvider providerFor(Entry e) {
        if (e.provider() instanceof KekKeyProvider) {
            installation.refresh();
            return new KekKeyProvider(installation.kek());
        }
        return e.provider();
    }

    private void requireTenant(TenantId tenant) {
        boolean exists = database.jdbi().withHandle(h -> h.createQuery("SELECT 1 FROM tenant WHERE id = :t")
                .bind("t", tenant.value()).mapTo(Integer.class).findOne().isPresent());
        if (!exists) {
            throw new IllegalArgumentException("No tenant " + tenant + "; add it with `mfagate tenant add " + tenant + "`");
        }
    }

    private static byte[] verifiedWrap(Keyset keyset, KeyProvider provider, TenantId tenant) {
        KeyScope scope = KeyScope.tenant(tenant.value());
        byte[] wrapped = keyset.wrap(provider, scope);
        Keyset back = Keyset.unwrap(wrapped, provider, scope, "the keyset just wrapped for tenant " + tenant);
        if (!back.sameKeyIdsAs(keyset)) {
            throw new IllegalStateException("The keyset of tenant " + tenant + " wrapped by " + provider.reference()
                    + " did not unwrap to the same keys; nothing was stored");
        }
        return wrapped;
    }

    /** A {@code keyset} tenant key must be wrapped under the KEK the installation requires now. */
    private void checkInstallationKek(Handle h, String installationKekId) {
        if (installationKekId == null) {
            return;
        }
        String required = SeedRepository.kekState(h, database.dialect().forShareClause());
        if (!required.equals(installationKekId)) {
            throw new IllegalStateException("The installation's KEK changed meanwhile (now " + required + ", not "
                    + installationKekId + "); nothing was changed, try again");
        }
    }

    private static void update(Handle h, TenantId tenant, long expectedGeneration, byte[] wrapped, String primaryKekId,
                               String installationKekId) {
        int n = h.createUpdate("UPDATE tenant_key SET wrapped_keyset = :w, primary_kek_id = :kek,"
                        + " installation_kek_id = :ikek, generation = generation + 1, updated_at_ms = :now"
                        + " WHERE tenant_id = :t AND generation = :g AND state = 'active'")
                .bind("w", wrapped).bind("kek", primaryKekId).bind("ikek", installationKekId)
                .bind("now", System.currentTimeMillis()).bind("t", tenant.value()).bind("g", expectedGeneration)
                .execute();
        if (n != 1) {
            throw changedElsewhere(tenant);
        }
    }

    private static IllegalStateException changedElsewhere(TenantId tenant) {
        return new IllegalStateException("The key of tenant " + tenant + " was changed by another process meanwhile;"
                + " nothing was changed here, try again");
    }

    private static List<SeedRepository.TenantSeed> tenantSeeds(Handle h, TenantId tenant) {
        return SeedRepository.tenantSeedsIn(h, tenant);
    }

    /** Re-wraps, then opens, every data key of the tenant; {@code from} null: there must be none. */
    private int rewrapTenantSeeds(Handle h, TenantId tenant, Kek from, Kek to, RotationListener listener) {
        forgetCachedRows.run();
        List<SeedRepository.TenantSeed> seeds = tenantSeeds(h, tenant);
        if (from == null && !seeds.isEmpty()) {
            throw new IllegalStateException("Tenant " + tenant + "'s key was revoked, and its "
                    + dev.mfagate.core.Plural.of(seeds.size(), "seed", "seeds") + " cannot be opened any more: remove "
                    + (seeds.size() == 1 ? "it" : "them") + " (mfagate seed remove LABEL), then set a new key and add "
                    + (seeds.size() == 1 ? "it" : "them") + " again; nothing was changed");
        }
        return SeedRepository.rewrapIn(h, seeds, from, to, listener);
    }

    /** Publishes a committed change in this process. */
    private void published(TenantId tenant, String reference, long generation, Keyset keyset, KeyProvider provider) {
        KeyProvider kept = provider instanceof KekKeyProvider ? new KekKeyProvider(installation.kek()) : provider;
        synchronized (lockOf(tenant)) {
            Entry before = entries.put(tenant, new Entry(reference, generation, false, keyset, kept, null));
            if (before != null && before.provider() != null && before.provider() != provider) {
                closeQuietly(before.provider());
            }
        }
        snapshotTaken = false;
        forgetCachedRows.run();
    }

    private static void closeQuietly(KeyProvider provider) {
        if (provider != null) {
            try {
                provider.close();
            } catch (RuntimeException e) {
                log.debug("Closing a key provider failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    @Override
    public String toString() {
        return "TenantKeys[" + database.description() + "]";
    }
}
