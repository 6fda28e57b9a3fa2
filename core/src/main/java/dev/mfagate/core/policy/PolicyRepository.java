package dev.mfagate.core.policy;

import dev.mfagate.core.Expiry;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.util.Map;
import java.util.TreeMap;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Handle;

/**
 * Policy rules in the database (SQLite or PostgreSQL), with a cached {@link Policy} for the hot path.
 *
 * <p><b>Caching and staleness.</b> {@link #snapshot()} returns a cached policy and, at most once
 * per {@code maxStaleness} (default {@value #DEFAULT_MAX_STALENESS_MILLIS} ms), reads the
 * {@code policy_version} counter; only when it changed does it reload the rules. Every change
 * ({@link #grant}, {@link #revoke}, {@link #apply}) bumps the counter in the same transaction, so
 * a change made through <em>another</em> instance sharing the database takes effect here within
 * {@code maxStaleness} plus one query; a change made through this repository takes effect at once.
 *
 * <p>Thread-safe; one instance per gateway process (per {@link Database}). Holds no resources of
 * its own; closing the database ends it. Database failures surface as Jdbi's unchecked
 * exceptions (the gateway answers 503): a policy that cannot be read is never guessed.
 *
 * <p>Out of scope: who may change policy (the CLI runs as an operator) and auditing changes (the
 * gateway or CLI writes an {@code ADMIN} audit entry).
 */
public final class PolicyRepository {

    /** Default bound on how long a change made elsewhere can go unseen, in milliseconds. */
    public static final long DEFAULT_MAX_STALENESS_MILLIS = 1_000;

    private static final String RULE_COLUMNS = "id, principal, pattern, expires_at_ms, daily_cap, created_by, created_at_ms";

    private final Database db;
    private final long maxStalenessNanos;
    private final LongSupplier nanoTime;
    private final ReentrantLock refreshLock = new ReentrantLock();
    private volatile Cached cached;

    private record Cached(Policy policy, long checkedAtNanos) {
    }

    /** A repository whose snapshot is at most {@value #DEFAULT_MAX_STALENESS_MILLIS} ms stale. */
    public PolicyRepository(Database db) {
        this(db, Duration.ofMillis(DEFAULT_MAX_STALENESS_MILLIS));
    }

    /** A repository whose snapshot is at most {@code maxStaleness} stale ({@link Duration#ZERO}: always checked). */
    public PolicyRepository(Database db, Duration maxStaleness) {
        this(db, maxStaleness, System::nanoTime);
    }

    PolicyRepository(Database db, Duration maxStaleness, LongSupplier nanoTime) {
        this.db = Objects.requireNonNull(db, "db");
        if (maxStaleness.isNegative()) {
            throw new IllegalArgumentException("maxStaleness " + maxStaleness + " must not be negative");
        }
        this.maxStalenessNanos = maxStaleness.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * The current policy, at most {@code maxStaleness} behind the database. Cheap: usually no
     * database access at all.
     */
    public Policy snapshot() {
        Cached c = cached;
        long now = nanoTime.getAsLong();
        if (c != null && now - c.checkedAtNanos() < maxStalenessNanos) {
            return c.policy();
        }
        refreshLock.lock();
        try {
            c = cached;
            now = nanoTime.getAsLong();
            if (c != null && now - c.checkedAtNanos() < maxStalenessNanos) {
                return c.policy();
            }
            long version = db.jdbi().withHandle(PolicyRepository::readVersion);
            Policy policy = (c != null && c.policy().version() == version) ? c.policy() : load();
            cached = new Cached(policy, now);
            return policy;
        } finally {
            refreshLock.unlock();
        }
    }

    /** The policy as it is in the database now (no cache), read consistently. */
    public Policy load() {
        return db.readTransaction(h -> {
            long version = readVersion(h);
            return new Policy(version, readRules(h));
        });
    }

    /** All rules, sorted by id, straight from the database. */
    public List<Rule> list() {
        return load().rules();
    }

    /**
     * Adds {@code rule}.
     *
     * @return the rule as stored
     * @throws IllegalArgumentException when a rule with that id exists, or the rule is an inert
     *     {@code channel-name:} rule (see {@link #requireGrantable})
     * @throws DuplicateRuleException when the owner has an identical rule (principal, pattern, expiry
     *     and daily cap) under another id
     */
    public Rule grant(Rule rule) {
        Objects.requireNonNull(rule, "rule");
        return grant(rule, Scope.of(rule.pattern()));
    }

    /**
     * Adds {@code rule} for {@code owner}: a tenant (created if new), whose rules may name only its
     * own labels, or the organisation, whose rules may name any.
     *
     * @return the rule as stored
     * @throws IllegalArgumentException as {@link #grant(Rule)}, and when a tenant's rule's pattern
     *     leaves the tenant ({@link Scope#requireCovers})
     * @throws DuplicateRuleException when {@code owner} has an identical rule (principal, pattern,
     *     expiry and daily cap) under another id: checked in the transaction that adds, so every door
     *     (CLI, admin API, console) refuses it, and two identical grants at once add one rule
     */
    public Rule grant(Rule rule, Scope owner) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(owner, "owner");
        requireGrantable(rule);
        owner.requireCovers(rule.pattern());
        db.jdbi().useTransaction(h -> {
            bumpVersion(h);
            boolean exists = h.createQuery("SELECT count(*) FROM policy_rule WHERE id = :id")
                    .bind("id", rule.id()).mapTo(Integer.class).one() > 0;
            if (exists) {
                throw new IllegalArgumentException("A rule with id " + rule.id() + " exists; revoke it first or choose another id");
            }
            Optional<Rule> identical = identical(h, rule, owner);
            if (identical.isPresent()) {
                throw new DuplicateRuleException(identical.get());
            }
            requirePrincipalHeld(h, rule, owner);
            TenantRepository.ensure(h, owner, rule.createdAt());
            insert(h, rule, owner);
        });
        invalidate();
        return rule;
    }

    /** Removes the rule with {@code ruleId}; returns whether there was one. */
    public boolean revoke(String ruleId) {
        Objects.requireNonNull(ruleId, "ruleId");
        boolean removed = db.jdbi().inTransaction(h -> {
            int n = h.createUpdate("DELETE FROM policy_rule WHERE id = :id").bind("id", ruleId).execute();
            if (n > 0) {
                bumpVersion(h);
            }
            return n > 0;
        });
        invalidate();
        return removed;
    }

    /**
     * Makes the stored rules exactly {@code desired}, in one transaction, if the policy is still
     * at {@code expectedVersion} (from the {@link #load()} the caller showed its diff against).
     * Added and changed rules are stored with {@code appliedBy} and {@code now} as their
     * creator and creation time; unchanged rules keep theirs. Inert {@code channel-name:} rules
     * may stay as they are but are never added or changed ({@link #requireGrantable}).
     *
     * @throws IllegalArgumentException when the file would add or change a {@code channel-name:} rule
     */
    public ApplyResult apply(PolicyFile desired, long expectedVersion, String appliedBy, Instant now) {
        Objects.requireNonNull(desired, "desired");
        Objects.requireNonNull(appliedBy, "appliedBy");
        Objects.requireNonNull(now, "now");
        ApplyResult result = db.jdbi().inTransaction(h -> {
            // The version update comes first: it takes the write lock (SQLite) or row lock
            // (PostgreSQL) before anything is read, so the diff below is against a stable state.
            int updated = h.createUpdate("UPDATE policy_version SET version = version + 1 WHERE id = 1 AND version = :v")
                    .bind("v", expectedVersion).execute();
            if (updated == 0) {
                long actual = readVersion(h);
                h.rollback();
                return new ApplyResult.Conflict(expectedVersion, actual);
            }
            PolicyDiff diff = PolicyDiff.between(readRules(h), desired.rules());
            diff.added().forEach(PolicyRepository::requireGrantable);
            diff.changed().forEach(c -> requireGrantable(c.after()));
            diff.added().forEach(r -> requirePrincipalHeld(h, r, Scope.ORGANISATION));
            diff.changed().forEach(c -> requirePrincipalHeld(h, c.after(), Scope.ORGANISATION));
            for (Rule r : diff.removed()) {
                h.createUpdate("DELETE FROM policy_rule WHERE id = :id").bind("id", r.id()).execute();
            }
            for (PolicyDiff.Change c : diff.changed()) {
                h.createUpdate("DELETE FROM policy_rule WHERE id = :id").bind("id", c.before().id()).execute();
                insertOwned(h, restamp(c.after(), appliedBy, now));
            }
            for (Rule r : diff.added()) {
                insertOwned(h, restamp(r, appliedBy, now));
            }
            return new ApplyResult.Applied(diff, expectedVersion + 1);
        });
        invalidate();
        return result;
    }

    /**
     * Refuses a rule that could never match: a {@code channel-name:} rule (channel rules take Zulip
     * stream ids; names can be imitated). Such rules only survive from before the change. Refuses
     * too a rule whose pattern can match no label ({@link dev.mfagate.core.LabelPattern#requireCanMatch}),
     * and one that expires after {@link Expiry#LATEST}, which could not be stored.
     *
     * @throws IllegalArgumentException naming the rule and saying how to grant by stream id, or the bound
     */
    public static void requireGrantable(Rule rule) {
        if (rule.principal() instanceof Principal.LegacyChannelName) {
            throw new IllegalArgumentException("Rule " + rule.id() + ": " + Principal.LegacyChannelName.KIND
                    + ": rules never match and cannot be granted; " + Texts.CHANNEL_ID_HINT);
        }
        try {
            rule.pattern().requireCanMatch();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Rule " + rule.id() + ": " + e.getMessage(), e);
        }
        if (rule.expiresAt().filter(e -> e.isAfter(Expiry.LATEST)).isPresent()) {
            throw new IllegalArgumentException("Invalid expires_at " + rule.expiresAt().get() + " for rule " + rule.id()
                    + "; must be at most " + Expiry.LATEST);
        }
    }

    /**
     * Refuses a rule for a person or a token that the store does not hold: it could never match, and
     * is most likely a typo, or a token's name where its id belongs. (Zulip users, groups and
     * channels are Zulip's, not the store's, so they are taken as given.) {@link #grant} and
     * {@link #apply} check this again in their transaction; this is for showing it before.
     *
     * @throws IllegalArgumentException naming the rule and what is missing
     */
    public void requirePrincipalHeld(Rule rule) {
        Objects.requireNonNull(rule, "rule");
        db.jdbi().useHandle(h -> requirePrincipalHeld(h, rule, Scope.ORGANISATION));
    }

    /** As {@link #requirePrincipalHeld(Rule)}, for a rule of {@code owner}: another tenant's token id is never told. */
    private static void requirePrincipalHeld(Handle h, Rule rule, Scope owner) {
        try {
            if (rule.principal() instanceof Principal.Person p) {
                TenantRepository.requirePerson(h, p.person());
            } else if (rule.principal() instanceof Principal.ApiToken t
                    && h.createQuery("SELECT 1 FROM api_tokens WHERE id = :id").bind("id", t.tokenId())
                            .mapTo(Integer.class).findOne().isEmpty()) {
                // The id of a token named so is told unless it is another tenant's than the rule's owner: never
                // another tenant's token id to a tenant admin (an organisation's rule may name any token).
                Optional<String> ownerTenant = owner.tenant().map(TenantId::value);
                Optional<String> byName = h.createQuery("SELECT id, tenant_id FROM api_tokens WHERE name = :name")
                        .bind("name", dev.mfagate.api.LabelGrammar.asciiLowerCase(t.tokenId()))
                        .map((rs, ctx) -> Map.entry(rs.getString(1), Optional.ofNullable(rs.getString(2))))
                        .findOne()
                        .filter(e -> owner.isOrganisation() || e.getValue().isEmpty() || e.getValue().equals(ownerTenant))
                        .map(Map.Entry::getKey);
                throw new IllegalArgumentException(byName
                        .map(id -> "token: takes a token's id, not its name; that token is token:" + id)
                        .orElse("No token has the id " + Texts.describe(t.tokenId()) + "; see mfagate token list"));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Rule " + rule.id() + ": " + e.getMessage(), e);
        }
    }

    /** A stored rule and its owner's column. */
    private record OwnedRow(Rule rule, String tenant) {
    }

    /** A rule of {@code owner} that grants exactly what {@code rule} would (its id, creator and time aside). */
    private static Optional<Rule> identical(Handle h, Rule rule, Scope owner) {
        return h.createQuery("SELECT " + RULE_COLUMNS + ", tenant_id FROM policy_rule WHERE principal = :principal"
                        + " AND pattern = :pattern ORDER BY id")
                .bind("principal", rule.principal().text()).bind("pattern", rule.pattern().value())
                .map((rs, ctx) -> new OwnedRow(mapRule(rs), rs.getString("tenant_id"))).list().stream()
                .filter(o -> Objects.equals(o.tenant(), owner.toColumn())).map(OwnedRow::rule)
                // Stored to the millisecond: compared as stored.
                .filter(r -> r.expiresAt().map(Instant::toEpochMilli).equals(rule.expiresAt().map(Instant::toEpochMilli))
                        && r.dailyCap().equals(rule.dailyCap()))
                .findFirst();
    }

    private static Rule restamp(Rule r, String by, Instant at) {
        return new Rule(r.id(), r.principal(), r.pattern(), r.expiresAt(), r.dailyCap(), by, at);
    }

    private void invalidate() {
        cached = null;
    }

    private static long readVersion(Handle h) {
        return h.createQuery("SELECT version FROM policy_version WHERE id = 1").mapTo(Long.class).one();
    }

    private static void bumpVersion(Handle h) {
        h.createUpdate("UPDATE policy_version SET version = version + 1 WHERE id = 1").execute();
    }

    private static List<Rule> readRules(Handle h) {
        return h.createQuery("SELECT " + RULE_COLUMNS + " FROM policy_rule ORDER BY id")
                .map((rs, ctx) -> mapRule(rs)).list();
    }

    private static Rule mapRule(ResultSet rs) throws SQLException {
        long expires = rs.getLong("expires_at_ms");
        Optional<Instant> expiresAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
        int cap = rs.getInt("daily_cap");
        OptionalInt dailyCap = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(cap);
        return new Rule(rs.getString("id"), Principal.parse(rs.getString("principal")),
                LabelPattern.parse(rs.getString("pattern")), expiresAt, dailyCap,
                rs.getString("created_by"), Instant.ofEpochMilli(rs.getLong("created_at_ms")));
    }

    /**
     * Who owns each rule, by rule id: the tenant its pattern was confined to when granted, or the
     * organisation.
     */
    public Map<String, Scope> owners() {
        Map<String, Scope> out = new TreeMap<>();
        db.jdbi().useHandle(h -> h.createQuery("SELECT id, tenant_id FROM policy_rule")
                .map((rs, ctx) -> out.put(rs.getString(1), Scope.fromColumn(rs.getString(2)))).list());
        return out;
    }

    /** A policy file's rule goes to the tenant its pattern stays inside, else to the organisation. */
    private static void insertOwned(Handle h, Rule r) {
        Scope owner = Scope.of(r.pattern());
        TenantRepository.ensure(h, owner, r.createdAt());
        insert(h, r, owner);
    }

    private static void insert(Handle h, Rule r, Scope owner) {
        h.createUpdate("INSERT INTO policy_rule (" + RULE_COLUMNS + ", tenant_id) VALUES "
                        + "(:id, :principal, :pattern, :expires, :cap, :by, :at, :tenant)")
                .bind("tenant", owner.toColumn())
                .bind("id", r.id())
                .bind("principal", r.principal().text())
                .bind("pattern", r.pattern().value())
                .bind("expires", r.expiresAt().map(Instant::toEpochMilli).orElse(null))
                .bind("cap", r.dailyCap().isPresent() ? Integer.valueOf(r.dailyCap().getAsInt()) : null)
                .bind("by", r.createdBy())
                .bind("at", r.createdAt().toEpochMilli())
                .execute();
    }
}
