package dev.mfagate.core.issue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.policy.Authorizer;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.ratelimit.RateLimit;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.ratelimit.RateLimiter;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CodeIssuer} on a real SQLite store and a real group-committing audit log: every refusal
 * it can return, the order of its steps, and that a seed is decrypted only once its audit entry is
 * committed.
 */
class CodeIssuerTest {

    private static final Instant NOW = Instant.parse("2025-09-02T22:29:40Z");
    private static final RateLimit MANY = RateLimit.perPeriod(1_000, Duration.ofHours(1));
    private static final RateLimit ONE = RateLimit.perPeriod(1, Duration.ofHours(1));
    private static final Subject.Token PLAIN = new Subject.Token("plain", LabelPattern.parse("acme-*"), false);
    private static final Subject.Token BOT = new Subject.Token("bot", LabelPattern.parse("acme-*"), true);

    @TempDir
    Path dir;
    private Store store;
    private AuditLog auditLog;
    private Authorizer authorizer;
    private TotpSeed awsSeed;
    private final AtomicInteger opened = new AtomicInteger();
    private int requestNo;

    @BeforeEach
    void open() {
        store = Store.init(dir.resolve("data"));
        awsSeed = TestSeeds.random();
        store.seeds().add(Label.parse("acme-aws"), awsSeed, NOW);
        store.seeds().add(Label.parse("acme-git"), TestSeeds.random(), NOW);
        auditLog = AuditLog.builder(store.database(), store.keyring().auditMac()).build();
        authorizer = Authorizer.open(store.database());
    }

    @AfterEach
    void close() {
        auditLog.close();
        store.close();
    }

    private CodeIssuer issuer(RateLimitConfig limits, LockoutPolicy lockout, AuditSink audit) {
        SeedSource real = SeedSource.of(store.seeds(), Map.of());
        // Counts decryptions, so a test can prove that none happened.
        SeedSource counting = new SeedSource() {
            @Override
            public Optional<Located> locate(Label label) {
                return real.locate(label).map(l -> new Located() {
                    @Override
                    public boolean keyHeld() {
                        return l.keyHeld();
                    }

                    @Override
                    public TotpSeed open() {
                        opened.incrementAndGet();
                        return l.open();
                    }
                });
            }

            @Override
            public SortedSet<Label> labels(String prefix) {
                return real.labels(prefix);
            }
        };
        return CodeIssuer.builder()
                .seeds(counting)
                .policy(AccessPolicy.rules(authorizer))
                .rateLimiter(RateLimiter.forDatabase(store.database(), limits, Clock.fixed(NOW, ZoneOffset.UTC)))
                .lockout(new LockoutTracker(store.database(), lockout))
                .audit(audit)
                .instanceId("test")
                .build();
    }

    private CodeIssuer issuer() {
        return issuer(new RateLimitConfig(MANY, MANY, MANY), new LockoutPolicy(1_000, Duration.ofMinutes(10),
                Duration.ofMinutes(15)), AuditSink.of(auditLog));
    }

    private String lastRequestId() {
        return "req-" + requestNo;
    }

    private IssueResult issue(CodeIssuer issuer, Subject subject, String label) {
        requestNo++;
        return issuer.issue(new CodeIssuer.Request(new Requester.ApiCaller(subject), Label.parse(label),
                subject.isOnBehalf() ? Door.BOT : Door.API_CODE, NOW, new RequestMeta(lastRequestId(), "/code", "127.0.0.1")));
    }

    private static Subject user(long id) {
        return Subject.onBehalf(BOT, new Subject.OnBehalf(id, Optional.of("u" + id + "@example.com"), Set.of(), Set.of()));
    }

    private void grant(String id, long userId, Optional<Instant> expires, OptionalInt cap) {
        authorizer.policies().grant(new Rule(id, new Principal.ZulipUser(userId), LabelPattern.parse("acme-*"), expires, cap,
                "test", NOW.minusSeconds(3600)));
    }

    private List<AuditEvent> auditOf(String requestId) {
        List<AuditEvent> out = new ArrayList<>();
        new AuditExporter(store.database()).forEach(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"), (AuditEntry e) -> {
            if (requestId.equals(e.event().requestId())) {
                out.add(e.event());
            }
        });
        return out;
    }

    private RefusalReason refusal(IssueResult result) {
        assertThat(result).isInstanceOf(IssueResult.Refused.class);
        return ((IssueResult.Refused) result).reason();
    }

    @Test
    void issue_allowed_returnsTheCodeOfTheSeedWithItsAuditEntryCommitted() {
        IssueResult result = issue(issuer(), Subject.direct(PLAIN), "acme-aws");

        assertThat(result).isInstanceOf(IssueResult.Issued.class);
        IssueResult.Issued issued = (IssueResult.Issued) result;
        assertThat(issued.window().code()).isEqualTo(TotpGenerator.codeAt(awsSeed, NOW));
        assertThat(issued.grant()).isEqualTo("token-scope");
        List<AuditEvent> audit = auditOf(lastRequestId());
        assertThat(audit).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOWED);
            assertThat(e.reason()).isEqualTo("code_issued");
            assertThat(e.ruleId()).isEqualTo("token-scope");
            assertThat(e.label()).isEqualTo("acme-aws");
            assertThat(e.tokenId()).isEqualTo("plain");
        });
    }

    @Test
    void issue_allowed_decryptsOnlyAfterTheEntryIsCommitted() {
        List<String> order = new ArrayList<>();
        AuditSink real = AuditSink.of(auditLog);
        AuditSink watching = new AuditSink() {
            @Override
            public void commit(AuditEvent event) {
                assertThat(opened).as("no seed decrypted before the entry is committed").hasValue(0);
                real.commit(event);
                order.add("committed " + event.outcome());
            }

            @Override
            public void offer(AuditEvent event) {
                real.offer(event);
            }
        };
        IssueResult result = issue(issuer(new RateLimitConfig(MANY, MANY, MANY), LockoutPolicy.defaults(), watching),
                Subject.direct(PLAIN), "acme-aws");

        assertThat(result).isInstanceOf(IssueResult.Issued.class);
        assertThat(order).containsExactly("committed ALLOWED");
        assertThat(opened).as("decrypted once, after the commit").hasValue(1);
    }

    @Test
    void issue_auditCommitFails_neitherDecryptsNorIssues() {
        auditLog.close();

        IssueResult result = issue(issuer(), Subject.direct(PLAIN), "acme-aws");

        assertThat(refusal(result)).isEqualTo(RefusalReason.AUDIT_UNAVAILABLE);
        assertThat(((IssueResult.Refused) result).retryAfter()).isPresent();
        assertThat(opened).as("no seed is decrypted when the audit entry is not committed").hasValue(0);
    }

    @Test
    void issue_tokenMayNotDelegate_onBehalfNotPermitted() {
        Subject subject = Subject.onBehalf(PLAIN, new Subject.OnBehalf(5, Optional.empty(), Set.of(), Set.of()));

        assertThat(refusal(issue(issuer(), subject, "acme-aws"))).isEqualTo(RefusalReason.ON_BEHALF_NOT_PERMITTED);
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.DENIED);
            assertThat(e.zulipUserId()).isEqualTo(5L);
        });
    }

    @Test
    void issue_policyDenials_eachReasonAudited() {
        CodeIssuer issuer = issuer();
        grant("expired", 7, Optional.of(NOW.minusSeconds(60)), OptionalInt.empty());
        grant("capped", 8, Optional.empty(), OptionalInt.of(1));

        assertThat(refusal(issue(issuer, Subject.direct(PLAIN), "beta-vpn"))).isEqualTo(RefusalReason.OUTSIDE_TOKEN_SCOPE);
        assertThat(refusal(issue(issuer, user(6), "acme-aws"))).isEqualTo(RefusalReason.NO_MATCHING_RULE);
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.DENIED);
            assertThat(e.reason()).isEqualTo("no_matching_rule");
        });
        assertThat(refusal(issue(issuer, user(7), "acme-aws"))).isEqualTo(RefusalReason.GRANT_EXPIRED);
        assertThat(issue(issuer, user(8), "acme-aws")).isInstanceOf(IssueResult.Issued.class);
        IssueResult capped = issue(issuer, user(8), "acme-aws");
        assertThat(refusal(capped)).isEqualTo(RefusalReason.DAILY_CAP_REACHED);
        assertThat(((IssueResult.Refused) capped).dailyCap()).hasValue(1);
        assertThat(((IssueResult.Refused) capped).retryAfter()).as("until 00:00 UTC").hasValue(Duration.parse("PT1H30M20S"));
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo(Outcome.RATE_LIMITED));
    }

    @Test
    void issue_deniedTwice_locksOutBeforeLimitsAndPolicy() {
        CodeIssuer issuer = issuer(new RateLimitConfig(MANY, MANY, MANY), new LockoutPolicy(2, Duration.ofMinutes(10),
                Duration.ofMinutes(15)), AuditSink.of(auditLog));
        issue(issuer, user(9), "acme-aws");
        issue(issuer, user(9), "acme-aws");
        assertThat(auditOf(lastRequestId())).extracting(AuditEvent::reason).containsExactly("lockout_started", "no_matching_rule");
        grant("now-granted", 9, Optional.empty(), OptionalInt.empty());

        IssueResult locked = issue(issuer, user(9), "acme-aws");

        assertThat(refusal(locked)).as("a grant does not lift a lockout").isEqualTo(RefusalReason.LOCKED_OUT);
        assertThat(((IssueResult.Refused) locked).retryAfter()).hasValue(Duration.ofMinutes(15));
        assertThat(opened).hasValue(0);
    }

    @Test
    void issue_rateLimits_eachScopeHasItsReason() {
        CodeIssuer perLabel = issuer(new RateLimitConfig(ONE, MANY, MANY), LockoutPolicy.defaults(), AuditSink.of(auditLog));
        issue(perLabel, Subject.direct(PLAIN), "acme-aws");
        IssueResult limited = issue(perLabel, Subject.direct(PLAIN), "acme-aws");
        assertThat(refusal(limited)).isEqualTo(RefusalReason.RATE_LIMITED_PRINCIPAL_AND_LABEL);
        assertThat(((IssueResult.Refused) limited).retryAfter()).isPresent();
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.RATE_LIMITED);
            assertThat(e.reason()).isEqualTo("rate_limited_principal_and_label");
        });

        Subject.Token other = new Subject.Token("other", LabelPattern.parse("acme-*"), false);
        CodeIssuer perPrincipal = issuer(new RateLimitConfig(MANY, ONE, MANY), LockoutPolicy.defaults(), AuditSink.of(auditLog));
        issue(perPrincipal, Subject.direct(other), "acme-aws");
        assertThat(refusal(issue(perPrincipal, Subject.direct(other), "acme-git"))).isEqualTo(RefusalReason.RATE_LIMITED_PRINCIPAL);

        Subject.Token third = new Subject.Token("third", LabelPattern.parse("acme-*"), true);
        grant("u11", 11, Optional.empty(), OptionalInt.empty());
        grant("u12", 12, Optional.empty(), OptionalInt.empty());
        CodeIssuer perToken = issuer(new RateLimitConfig(MANY, MANY, ONE), LockoutPolicy.defaults(), AuditSink.of(auditLog));
        Subject u11 = Subject.onBehalf(third, new Subject.OnBehalf(11, Optional.empty(), Set.of(), Set.of()));
        Subject u12 = Subject.onBehalf(third, new Subject.OnBehalf(12, Optional.empty(), Set.of(), Set.of()));
        assertThat(issue(perToken, u11, "acme-aws")).isInstanceOf(IssueResult.Issued.class);
        assertThat(refusal(issue(perToken, u12, "acme-aws"))).isEqualTo(RefusalReason.RATE_LIMITED_TOKEN);
    }

    @Test
    void issue_allowedButNoSeed_unknownLabelAfterPolicy() {
        assertThat(refusal(issue(issuer(), Subject.direct(PLAIN), "acme-nope"))).isEqualTo(RefusalReason.UNKNOWN_LABEL);
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.DENIED);
            assertThat(e.ruleId()).as("the grant is recorded: policy allowed it").isEqualTo("token-scope");
        });
        assertThat(refusal(issue(issuer(), Subject.direct(PLAIN), "beta-nope")))
                .as("policy first, so a caller cannot learn which labels exist").isEqualTo(RefusalReason.OUTSIDE_TOKEN_SCOPE);
    }

    @Test
    void issue_rowWrappedUnderAMissingKek_keyUnavailableBeforeTheCommit() {
        store.database().jdbi().useHandle(h -> h.execute("UPDATE seeds SET kek_id = '999999' WHERE label = 'acme-aws'"));

        IssueResult result = issue(issuer(), Subject.direct(PLAIN), "acme-aws");

        assertThat(refusal(result)).isEqualTo(RefusalReason.KEY_UNAVAILABLE);
        assertThat(((IssueResult.Refused) result).retryAfter()).isPresent();
        assertThat(opened).hasValue(0);
        assertThat(auditOf(lastRequestId())).extracting(AuditEvent::outcome).containsExactly(Outcome.FAILED);
    }

    @Test
    void issue_rowMovedFromAnotherLabel_seedUnreadableAfterTheCommittedEntry() {
        store.seeds().add(Label.parse("acme-moved"), TestSeeds.random(), NOW);
        store.database().jdbi().useHandle(h -> h.execute("UPDATE seeds SET"
                + " wrapped_key = (SELECT wrapped_key FROM seeds WHERE label = 'acme-git'),"
                + " ciphertext = (SELECT ciphertext FROM seeds WHERE label = 'acme-git') WHERE label = 'acme-moved'"));

        IssueResult result = issue(issuer(), Subject.direct(PLAIN), "acme-moved");

        assertThat(refusal(result)).isEqualTo(RefusalReason.SEED_UNREADABLE);
        assertThat(((IssueResult.Refused) result).message()).doesNotContain("Exception");
        assertThat(auditOf(lastRequestId())).extracting(AuditEvent::reason).containsExactly("code_issued", "seed_unreadable");
    }

    @Test
    void issue_seedTableUnreadable_storeUnavailable() {
        store.database().jdbi().useHandle(h -> h.execute("ALTER TABLE seeds RENAME TO seeds_away"));

        IssueResult result = issue(issuer(), Subject.direct(PLAIN), "acme-aws");

        assertThat(refusal(result)).isEqualTo(RefusalReason.STORE_UNAVAILABLE);
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("store_unavailable"));
    }

    @Test
    void refuseAtDoor_auditsWhatTheDoorKnew() {
        IssueResult.Refused refused = issuer().refuseAtDoor(IssueResult.Refused.of(RefusalReason.INVALID_ON_BEHALF, "bad"),
                new CodeIssuer.DoorFacts("bot", null, null), NOW, new RequestMeta("door-1", "/code", "127.0.0.1"));

        assertThat(refused.reason()).isEqualTo(RefusalReason.INVALID_ON_BEHALF);
        assertThat(auditOf("door-1")).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.MALFORMED);
            assertThat(e.reason()).isEqualTo("invalid_on_behalf");
            assertThat(e.tokenId()).isEqualTo("bot");
            assertThat(e.label()).isNull();
        });
    }

    @Test
    void listLabels_audited_andOnlyWhatPolicyAllows() {
        store.seeds().add(Label.parse("beta-vpn"), TestSeeds.random(), NOW);
        LabelsResult result = issuer().listLabels(new Requester.ApiCaller(Subject.direct(PLAIN)), NOW,
                new RequestMeta("list-1", "/labels", "127.0.0.1"));

        assertThat(result).isEqualTo(new LabelsResult.Listed(List.of(Label.parse("acme-aws"), Label.parse("acme-git"))));
        assertThat(auditOf("list-1")).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("list_labels"));
    }

    @Test
    void build_missingParts_namesThem() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CodeIssuer.builder().build())
                .hasMessage("A code issuer needs seeds, policy, audit, instanceId");
    }

    @Test
    void issue_consoleUser_personRuleGrants_auditedWithThePerson_andCountedAgainstThePerson() {
        new dev.mfagate.core.tenant.TenantRepository(store.database()).addPerson(new dev.mfagate.core.tenant.PersonId("ann"), "Ann", NOW);
        authorizer.policies().grant(new Rule("ann-aws", Principal.parse("person:ann"), LabelPattern.parse("acme-aws"),
                Optional.empty(), OptionalInt.empty(), "test", NOW.minusSeconds(3600)));
        CodeIssuer issuer = issuer();
        Requester ann = new Requester.ConsoleUser(new dev.mfagate.core.tenant.PersonId("ann"), "abc123");

        requestNo++;
        IssueResult allowed = issuer.issue(new CodeIssuer.Request(ann, Label.parse("acme-aws"), Door.CONSOLE, NOW,
                new RequestMeta(lastRequestId(), "/console/codes/reveal", "127.0.0.1")));
        String allowedId = lastRequestId();
        requestNo++;
        IssueResult denied = issuer.issue(new CodeIssuer.Request(ann, Label.parse("acme-git"), Door.CONSOLE, NOW,
                new RequestMeta(lastRequestId(), "/console/codes/reveal", "127.0.0.1")));

        assertThat(allowed).isInstanceOfSatisfying(IssueResult.Issued.class,
                i -> assertThat(i.window().code()).isEqualTo(TotpGenerator.codeAt(awsSeed, NOW)));
        assertThat(refusal(denied)).isEqualTo(RefusalReason.NO_MATCHING_RULE);
        assertThat(((IssueResult.Refused) denied).message()).isEqualTo("No rule allows you codes for acme-git");
        assertThat(auditOf(allowedId)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("code_issued");
            assertThat(e.ruleId()).isEqualTo("rule:ann-aws");
            assertThat(e.tokenId()).isEqualTo("console");
            assertThat(e.detail()).isEqualTo("person:ann");
            assertThat(e.zulipUserId()).isNull();
        });
        assertThat(auditOf(lastRequestId())).singleElement().satisfies(e -> assertThat(e.detail()).isEqualTo("person:ann"));
    }
}
