package dev.mfagate.core.issue;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditUnavailableException;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.crypto.SeedDecryptionException;
import dev.mfagate.core.policy.PolicyDecision;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.ratelimit.LockoutStatus;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.ratelimit.RateLimitDecision;
import dev.mfagate.core.ratelimit.RateLimiter;
import dev.mfagate.core.store.StoreFailures;
import dev.mfagate.core.store.TenantKeyUnavailableException;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.core.totp.TotpWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues codes: the one path every door takes, so a code asked for over the API, by the bot on
 * behalf of a Zulip user, or revealed in the web console is refused, limited, audited and
 * counted alike.
 *
 * <p>{@link #issue} runs, in this order:
 * <ol>
 *   <li>the requester check (a token that may not delegate asks on behalf of someone);</li>
 *   <li>for a delegated request, the person the Zulip user's {@code zulip:<id>} identity is linked
 *       to ({@link PersonLookup}): {@code person:<id>} rules then match it too, and its audit entries
 *       name the person; an unlinked user is asked for as before;</li>
 *   <li>lockout: a locked-out principal is refused before it spends a rate-limit token or probes
 *       the policy;</li>
 *   <li>rate limits, which apply to denied requests too, so probing is slowed;</li>
 *   <li>policy (deny by default); every denial counts towards the lockout (a sliding window: an
 *       allowed request does not reset it), and the denial that starts a lockout writes its own
 *       audit entry ({@code LOCKED_OUT}, {@code lockout_started}) before the request's;</li>
 *   <li>the sealed seed row, after the policy, so a caller cannot learn which labels exist; a row
 *       wrapped under a KEK this instance does not hold is refused here, before anything is
 *       committed ({@link RefusalReason#KEY_UNAVAILABLE});</li>
 *   <li>the audit commit ({@code ALLOWED}, {@code code_issued}): fail closed, no entry, no code;</li>
 *   <li>decryption, only now, and the TOTP computation; the seed is destroyed straight after the
 *       HMAC, so no seed is held in clear while the commit waits for the disk. A seed that does not
 *       open after the commit gets a second entry ({@code FAILED}) under the same request id.</li>
 * </ol>
 * Every refusal is audited before it is returned, except {@link RefusalReason#AUDIT_UNAVAILABLE}.
 *
 * <p>A principal found with no recent denials is remembered for {@link #CLEAN_CACHE_TTL}, so the
 * common case costs no database read for the lockout; a denial forgets it at once, and a lockout
 * started by another instance sharing the database applies here within that bound.
 *
 * <p>Thread-safe; one per process. Out of scope: authentication and the parsing of what a door
 * receives (the door's guard does that and passes a {@link Requester}).
 */
public final class CodeIssuer {

    private static final Logger LOG = LoggerFactory.getLogger(CodeIssuer.class);

    /** How long a principal seen without denials skips the lockout lookup. */
    public static final Duration CLEAN_CACHE_TTL = Duration.ofSeconds(1);
    private static final Duration STORE_RETRY = Duration.ofSeconds(2);
    private static final Duration AUDIT_RETRY = Duration.ofSeconds(5);
    private static final int MAX_CLEAN_ENTRIES = 100_000;

    private final SeedSource seeds;
    private final AccessPolicy policy;
    private final RateLimiter limiter;
    private final LockoutTracker lockout;
    private final AuditSink audit;
    private final PersonLookup people;
    private final String instanceId;
    private final Duration nextCodeThreshold;
    private final ConcurrentHashMap<String, Long> cleanUntilNanos = new ConcurrentHashMap<>();

    private CodeIssuer(Builder b) {
        this.seeds = b.seeds;
        this.policy = b.policy;
        this.limiter = b.limiter;
        this.lockout = b.lockout;
        this.audit = b.audit;
        this.people = b.people;
        this.instanceId = b.instanceId;
        this.nextCodeThreshold = b.nextCodeThreshold;
    }

    /** A builder; seeds, policy, audit and instance id are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One request for a code.
     *
     * @param requester who asks
     * @param label the label asked for
     * @param door where the request came in
     * @param now the instant of the request (the code's time and the audit entry's)
     * @param meta what the audit entry says about the request
     */
    public record Request(Requester requester, Label label, Door door, Instant now, RequestMeta meta) {
        /** Validates. */
        public Request {
            Objects.requireNonNull(requester, "requester");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(door, "door");
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(meta, "meta");
        }
    }

    /**
     * What a door knew about a request it refused before asking for a code, for the audit entry.
     *
     * @param tokenId the authenticated token's id, or null
     * @param onBehalf the on-behalf user as parsed, or null
     * @param label the canonical label, or null when it was not read
     * @param who who the door recognised besides the token, for the entry's detail (such as
     *     {@code person:ann session 1a2b3c4d5e6f} for a console session), or null; never a secret
     */
    public record DoorFacts(String tokenId, Subject.OnBehalf onBehalf, String label, String who) {
        /** Nothing known yet. */
        public static final DoorFacts NONE = new DoorFacts(null, null, null, null);

        /** Facts without anyone recognised besides the token. */
        public DoorFacts(String tokenId, Subject.OnBehalf onBehalf, String label) {
            this(tokenId, onBehalf, label, null);
        }
    }

    /** Decides, audits and, when allowed, computes the code. Never throws for an expected outcome. */
    public IssueResult issue(Request r) {
        Subject subject = subjectOf(r.requester());
        Label label = r.label();
        Entry entry = new Entry(r.meta(), subject, label.value(), r.now());
        String grant = null;
        try {
            if (subject.isOnBehalf() && !subject.token().mayActOnBehalf()) {
                return refuse(entry, null, IssueResult.Refused.of(RefusalReason.ON_BEHALF_NOT_PERMITTED,
                        "This token may not act on behalf of users"));
            }
            subject = recognise(subject, entry);
            String key = subject.principalKey();
            if (lockout != null && checkLockout(key, r.now()) instanceof LockoutStatus.Locked locked) {
                return refuse(entry, null, IssueResult.Refused.of(RefusalReason.LOCKED_OUT, "Too many refused requests;"
                        + " try again after " + locked.until().truncatedTo(ChronoUnit.SECONDS), locked.remainingAt(r.now())));
            }
            if (limiter != null && limiter.tryAcquire(subject.token().tokenId(), key, label)
                    instanceof RateLimitDecision.Limited limited) {
                String scope = limited.scope().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                return refuse(entry, null, IssueResult.Refused.of(RefusalReason.of(limited.scope()), "Rate limit reached ("
                        + scope + "); retry after " + limited.retryAfterSeconds() + " s",
                        Duration.ofSeconds(limited.retryAfterSeconds())));
            }
            PolicyDecision decision = policy.decide(subject, label, r.now());
            switch (decision) {
                case PolicyDecision.Denied denied -> {
                    Optional<IssueResult.Refused> auditDown = recordDenial(entry, key, r.now());
                    if (auditDown.isPresent()) {
                        return auditDown.get();
                    }
                    return refuse(entry, null, denial(RefusalReason.of(denied.reason()), subject, label, r.now()));
                }
                case PolicyDecision.Allowed allowed -> grant = allowed.grant();
            }
            Optional<SeedSource.Located> located = seeds.locate(label);
            if (located.isEmpty()) {
                return refuse(entry, grant, IssueResult.Refused.of(RefusalReason.UNKNOWN_LABEL, "No seed has the label " + label.value()));
            }
            Optional<TenantKeyUnavailableException> tenantKey = located.get().tenantKeyProblem();
            if (tenantKey.isPresent()) {
                return refuse(entry, grant, tenantKeyRefusal(r.meta().requestId(), label, tenantKey.get()));
            }
            if (!located.get().keyHeld()) {
                LOG.warn("Key unavailable in request {}: the seed of {} is wrapped under a KEK this instance does not hold",
                        r.meta().requestId(), label.value());
                return refuse(entry, grant, keyUnavailable());
            }
            try {
                audit.commit(entry.event(Outcome.ALLOWED, "code_issued", grant));
            } catch (AuditUnavailableException e) {
                return auditUnavailable();
            }
            return computeCode(entry, label, grant, located.get(), r.now());
        } catch (RuntimeException e) {
            if (StoreFailures.isStoreFailure(e)) {
                // The database is away (restart, network, pool timeout): fail closed with a refusal that says so.
                LOG.warn("Store unavailable in request {}: {}", r.meta().requestId(), StoreFailures.describe(e));
                return refuse(entry, grant, IssueResult.Refused.of(RefusalReason.STORE_UNAVAILABLE,
                        "The store is unavailable, so no code is issued; try again shortly", STORE_RETRY));
            }
            throw e;
        }
    }

    /** Decrypts, computes, destroys: the entry is committed already. */
    private IssueResult computeCode(Entry entry, Label label, String grant, SeedSource.Located located, Instant now) {
        TotpSeed seed;
        try {
            seed = located.open();
        } catch (TenantKeyUnavailableException e) {
            // Revoked or lost between the lookup and now; the ALLOWED entry is committed already.
            return refuse(entry, grant, tenantKeyRefusal(entry.meta.requestId(), label, e));
        } catch (SeedDecryptionException e) {
            IssueResult.Refused refusal;
            if (e.reason() == SeedDecryptionException.Reason.KEK_NOT_HELD) {
                LOG.warn("Key unavailable in request {}: {}", entry.meta.requestId(), e.getMessage());
                refusal = keyUnavailable();
            } else {
                LOG.error("Seed unreadable in request {}: {}", entry.meta.requestId(), e.getMessage());
                refusal = IssueResult.Refused.of(RefusalReason.SEED_UNREADABLE,
                        "The stored seed of " + label.value() + " does not open, so no code is issued;"
                                + " the log has details under the request id");
            }
            // The ALLOWED entry is committed already: this one says that no code left after all.
            return refuse(entry, grant, refusal);
        }
        try {
            TotpWindow window = TotpGenerator.window(seed, now, nextCodeThreshold);
            return new IssueResult.Issued(label, window, grant);
        } finally {
            seed.destroy();
        }
    }

    /**
     * The labels the requester may get codes for, with an audit entry ({@code ALLOWED},
     * {@code list_labels}) committed first.
     */
    public LabelsResult listLabels(Requester requester, Instant now, RequestMeta meta) {
        Subject subject = subjectOf(requester);
        Entry entry = new Entry(meta, subject, null, now);
        if (subject.isOnBehalf() && !subject.token().mayActOnBehalf()) {
            return refuse(entry, null, IssueResult.Refused.of(RefusalReason.ON_BEHALF_NOT_PERMITTED,
                    "This token may not act on behalf of users"));
        }
        try {
            subject = recognise(subject, entry);
            // Only the labels the token's scope can cover are read: a tenant's token never reads the others'.
            List<Label> allowed = policy.listAllowed(subject, seeds.labels(subject.token().scope().literalPrefix()), now);
            audit.commit(entry.event(Outcome.ALLOWED, "list_labels", null));
            return new LabelsResult.Listed(allowed);
        } catch (AuditUnavailableException e) {
            return auditUnavailable();
        } catch (RuntimeException e) {
            if (StoreFailures.isStoreFailure(e)) {
                LOG.warn("Store unavailable in request {}: {}", meta.requestId(), StoreFailures.describe(e));
                return refuse(entry, null, IssueResult.Refused.of(RefusalReason.STORE_UNAVAILABLE,
                        "The store is unavailable, so no code is issued; try again shortly", STORE_RETRY));
            }
            throw e;
        }
    }

    /**
     * Audits a refusal the door made itself (no token, bad headers, bad label, unknown route, ...)
     * and returns it, or {@link RefusalReason#AUDIT_UNAVAILABLE} when the entry cannot be committed.
     */
    public IssueResult.Refused refuseAtDoor(IssueResult.Refused refusal, DoorFacts facts, Instant now, RequestMeta meta) {
        if (refusal.reason() == RefusalReason.AUDIT_UNAVAILABLE) {
            // When the audit trail itself is down there is nowhere to record the refusal; the log has it.
            return refusal;
        }
        Entry entry = new Entry(meta, facts.tokenId(), facts.onBehalf(), facts.label(), now);
        entry.person = facts.who();
        return refuse(entry, null, refusal);
    }

    /**
     * Queues an entry for a request refused before it reached a door (the HTTP parser refused it),
     * without waiting: no code is at stake and the caller may be an I/O thread. Never throws.
     */
    public void recordRejected(RefusalReason reason, String requestId, String remoteAddress, Instant now) {
        audit.offer(AuditEvent.builder(now, reason.outcome())
                .requestId(requestId)
                .route("(refused by the HTTP parser)")
                .reason(reason.auditReason())
                .remoteAddress(remoteAddress)
                .instanceId(instanceId)
                .build());
    }

    private static Subject subjectOf(Requester requester) {
        return switch (requester) {
            case Requester.ApiCaller caller -> caller.subject();
            case Requester.ConsoleUser user -> user.subject();
        };
    }

    /**
     * A delegated subject recognised as the person its Zulip user is linked to, if any, and the
     * entry told so; any other subject as it is. A store failure propagates (the caller refuses).
     */
    private Subject recognise(Subject subject, Entry entry) {
        if (subject.onBehalf().isEmpty() || subject.person().isPresent()) {
            return subject;
        }
        Optional<dev.mfagate.core.tenant.PersonId> person = people.personOfZulipUser(subject.onBehalf().get().userId());
        if (person.isEmpty()) {
            return subject;
        }
        entry.person = "person:" + person.get().value();
        return subject.asPerson(person.get());
    }

    private LockoutStatus checkLockout(String key, Instant now) {
        long nowNanos = System.nanoTime();
        Long cleanUntil = cleanUntilNanos.get(key);
        if (cleanUntil != null && nowNanos - cleanUntil < 0) {
            return new LockoutStatus.Open(0);
        }
        LockoutStatus status = lockout.check(key, now);
        if (status instanceof LockoutStatus.Open open && open.denialsInWindow() == 0) {
            if (cleanUntilNanos.size() > MAX_CLEAN_ENTRIES) {
                cleanUntilNanos.clear();
            }
            cleanUntilNanos.put(key, nowNanos + CLEAN_CACHE_TTL.toNanos());
        } else if (cleanUntil != null) {
            cleanUntilNanos.remove(key);
        }
        return status;
    }

    /** Counts a denial towards the lockout, auditing a lockout it starts; a refusal only when that audit fails. */
    private Optional<IssueResult.Refused> recordDenial(Entry entry, String key, Instant now) {
        cleanUntilNanos.remove(key);
        if (lockout == null) {
            return Optional.empty();
        }
        if (lockout.recordDenial(key, now) instanceof LockoutStatus.Locked locked && locked.startedNow()) {
            try {
                audit.commit(entry.builder(Outcome.LOCKED_OUT, "lockout_started", null)
                        .detail(key + " locked until " + locked.until()).build());
            } catch (AuditUnavailableException e) {
                return Optional.of(auditUnavailable());
            }
        }
        return Optional.empty();
    }

    private IssueResult.Refused denial(RefusalReason reason, Subject subject, Label label, Instant now) {
        return switch (reason) {
            case DAILY_CAP_REACHED -> {
                Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                OptionalInt cap = policy.dailyAllowance(subject, label, now);
                yield new IssueResult.Refused(reason, "Daily cap " + (cap.isPresent() ? "of " + cap.getAsInt() + " " : "")
                        + "for " + label.value() + " reached; it resets at 00:00 UTC",
                        Optional.of(Duration.between(now, midnight)), cap);
            }
            case ON_BEHALF_NOT_PERMITTED -> IssueResult.Refused.of(reason, "This token may not act on behalf of users");
            case OUTSIDE_TOKEN_SCOPE -> IssueResult.Refused.of(reason, "This token may not get codes for " + label.value());
            case GRANT_EXPIRED -> IssueResult.Refused.of(reason, "Your grant for " + label.value() + " has expired");
            case NO_MATCHING_RULE -> IssueResult.Refused.of(reason, subject.token().holdsRole() && !subject.isOnBehalf()
                    // The one refusal a role token's holder could not explain: its labels cover the label.
                    ? "No rule allows this token codes for " + label.value() + ": a token that holds a role gets codes only"
                            + " through a rule naming it (token:" + subject.token().tokenId() + ")"
                    : "No rule allows you codes for " + label.value());
            default -> IssueResult.Refused.of(reason, "No rule allows you codes for " + label.value());
        };
    }

    /** A refusal for a seed whose tenant key is revoked or unavailable; other tenants are not affected. */
    private static IssueResult.Refused tenantKeyRefusal(String requestId, Label label, TenantKeyUnavailableException e) {
        LOG.warn("Tenant key unavailable in request {}: {}", requestId, e.getMessage());
        if (e.revoked()) {
            return IssueResult.Refused.of(RefusalReason.TENANT_KEY_REVOKED, "The key of tenant " + e.tenant()
                    + " was revoked, so the seed of " + label.value() + " no longer opens and no code is issued");
        }
        return IssueResult.Refused.of(RefusalReason.TENANT_KEY_UNAVAILABLE, "The key of tenant " + e.tenant()
                + " is unavailable (its key provider refused or cannot be reached), so no code is issued for "
                + label.value() + "; retry later", STORE_RETRY);
    }

    private static IssueResult.Refused keyUnavailable() {
        return IssueResult.Refused.of(RefusalReason.KEY_UNAVAILABLE, "The seed is wrapped under a key-encryption key"
                + " this instance has not loaded yet, so no code is issued; it reloads its keys: retry shortly", STORE_RETRY);
    }

    private static IssueResult.Refused auditUnavailable() {
        return IssueResult.Refused.of(RefusalReason.AUDIT_UNAVAILABLE,
                "The audit trail cannot be written, so no code is issued; try again shortly", AUDIT_RETRY);
    }

    /** Commits the refusal's entry and returns the refusal, or the audit trail's own refusal when it is down. */
    private IssueResult.Refused refuse(Entry entry, String grant, IssueResult.Refused refusal) {
        try {
            audit.commit(entry.event(refusal.reason().outcome(), refusal.reason().auditReason(), grant));
            return refusal;
        } catch (AuditUnavailableException e) {
            return auditUnavailable();
        }
    }

    /** The fields every entry about one request carries. */
    private final class Entry {
        final RequestMeta meta;
        final String tokenId;
        final Subject.OnBehalf onBehalf;
        final String label;
        final Instant now;
        /** {@code person:<id>}, the detail, for a console request or a delegated one recognised as a person; else null. */
        String person;

        Entry(RequestMeta meta, Subject subject, String label, Instant now) {
            this(meta, subject.token().tokenId(), subject.onBehalf().orElse(null), label, now);
            subject.person().ifPresent(p -> person = "person:" + p.value());
        }

        Entry(RequestMeta meta, String tokenId, Subject.OnBehalf onBehalf, String label, Instant now) {
            this.meta = meta;
            this.tokenId = tokenId;
            this.onBehalf = onBehalf;
            this.label = label;
            this.now = now;
        }

        AuditEvent.Builder builder(Outcome outcome, String reason, String ruleId) {
            AuditEvent.Builder b = AuditEvent.builder(now, outcome)
                    .requestId(meta.requestId())
                    .route(meta.route())
                    .tokenId(tokenId)
                    .label(label)
                    .remoteAddress(meta.remoteAddress())
                    .instanceId(instanceId)
                    .reason(reason)
                    .ruleId(ruleId);
            if (onBehalf != null) {
                b.zulipUser(onBehalf.userId(), onBehalf.email().orElse(null));
            }
            if (person != null) {
                b.detail(person);
            }
            return b;
        }

        AuditEvent event(Outcome outcome, String reason, String ruleId) {
            return builder(outcome, reason, ruleId).build();
        }
    }

    /** Builds a {@link CodeIssuer}; {@link #build()} says what is missing. Not thread-safe. */
    public static final class Builder {
        private SeedSource seeds;
        private AccessPolicy policy;
        private RateLimiter limiter;
        private LockoutTracker lockout;
        private AuditSink audit;
        private PersonLookup people = PersonLookup.none();
        private String instanceId;
        private Duration nextCodeThreshold = Duration.ofSeconds(5);

        private Builder() {
        }

        /** Where seeds are found (required). */
        public Builder seeds(SeedSource v) {
            this.seeds = v;
            return this;
        }

        /** The policy step (required). */
        public Builder policy(AccessPolicy v) {
            this.policy = v;
            return this;
        }

        /** The rate limits; without them nothing is limited (demo mode). */
        public Builder rateLimiter(RateLimiter v) {
            this.limiter = v;
            return this;
        }

        /** The lockout; without it nobody is locked out (demo mode). */
        public Builder lockout(LockoutTracker v) {
            this.lockout = v;
            return this;
        }

        /** Where audit entries are committed (required). */
        public Builder audit(AuditSink v) {
            this.audit = v;
            return this;
        }

        /** Who a delegated request's Zulip user is, as a person; without it nobody is recognised (demo mode). */
        public Builder people(PersonLookup v) {
            this.people = java.util.Objects.requireNonNull(v, "people");
            return this;
        }

        /** Names this process in every audit entry (required). */
        public Builder instanceId(String v) {
            this.instanceId = v;
            return this;
        }

        /** Below this many seconds left in the step, the next code is computed too; 5 s unless set. */
        public Builder nextCodeThreshold(Duration v) {
            this.nextCodeThreshold = v;
            return this;
        }

        /** The issuer. */
        public CodeIssuer build() {
            List<String> missing = new java.util.ArrayList<>();
            if (seeds == null) {
                missing.add("seeds");
            }
            if (policy == null) {
                missing.add("policy");
            }
            if (audit == null) {
                missing.add("audit");
            }
            if (instanceId == null) {
                missing.add("instanceId");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("A code issuer needs " + String.join(", ", missing));
            }
            if (nextCodeThreshold == null || nextCodeThreshold.isNegative()) {
                throw new IllegalStateException("Invalid next-code threshold " + nextCodeThreshold + "; must not be negative");
            }
            return new CodeIssuer(this);
        }
    }
}
