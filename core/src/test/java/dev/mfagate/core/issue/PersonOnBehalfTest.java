package dev.mfagate.core.issue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.policy.Authorizer;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import dev.mfagate.core.testing.TestSeeds;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@code person:} rule grants through the bot: a delegated request for a Zulip user linked to a
 * person is recognised as that person ({@link PersonLookup}), on SQLite and PostgreSQL.
 */
class PersonOnBehalfTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Subject.Token BOT = new Subject.Token("bot", LabelPattern.parse("acme-*"), true);
    private static final PersonId ANN = new PersonId("ann");
    private static final long ANN_ZULIP = 42;
    private static final long BOB_ZULIP = 43;

    @TempDir
    Path dir;
    private int requestNo;

    private record Fixture(Store store, TenantRepository tenants, AuditLog audit, Authorizer authorizer) {
        CodeIssuer issuer(PersonLookup people) {
            return CodeIssuer.builder()
                    .seeds(SeedSource.of(store.seeds(), Map.of()))
                    .policy(AccessPolicy.rules(authorizer))
                    .audit(AuditSink.of(audit))
                    .people(people)
                    .instanceId("test")
                    .build();
        }
    }

    private Fixture fixture(Backend backend) {
        Store store = Store.open(DBS.fresh(backend).db(), Keyring.createFile(dir.resolve("keyset.json")));
        store.seeds().add(Label.parse("acme-aws"), TestSeeds.random(), NOW);
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addPerson(ANN, "Ann", NOW);
        tenants.link(ANN, new Identity.ZulipUser(ANN_ZULIP), NOW);
        Authorizer authorizer = Authorizer.open(store.database());
        authorizer.policies().grant(Rule.of("ann-aws", Principal.parse("person:ann"), LabelPattern.parse("acme-aws"), "t", NOW));
        return new Fixture(store, tenants, AuditLog.builder(store.database(), store.keyring().auditMac()).build(), authorizer);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void personRule_annsZulipId_grantedAndNamedInTheAudit_anotherUserDenied(Backend backend) {
        Fixture f = fixture(backend);
        try {
            CodeIssuer issuer = f.issuer(PersonLookup.cached(f.tenants()));

            IssueResult ann = ask(issuer, ANN_ZULIP);
            IssueResult bob = ask(issuer, BOB_ZULIP);

            assertThat(ann).isInstanceOfSatisfying(IssueResult.Issued.class, i -> assertThat(i.grant()).isEqualTo("rule:ann-aws"));
            assertThat(bob).isInstanceOfSatisfying(IssueResult.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(RefusalReason.NO_MATCHING_RULE));
            List<AuditEvent> events = entries(f);
            assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.ALLOWED, Outcome.DENIED);
            assertThat(events.get(0).zulipUserId()).isEqualTo(ANN_ZULIP);
            assertThat(events.get(0).detail()).isEqualTo("person:ann");
            assertThat(events.get(1).zulipUserId()).isEqualTo(BOB_ZULIP);
            assertThat(events.get(1).detail()).isNull();
        } finally {
            f.audit().close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void personRule_withoutLookup_behavesAsBefore(Backend backend) {
        Fixture f = fixture(backend);
        try {
            IssueResult ann = ask(f.issuer(PersonLookup.none()), ANN_ZULIP);

            assertThat(ann).isInstanceOfSatisfying(IssueResult.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(RefusalReason.NO_MATCHING_RULE));
        } finally {
            f.audit().close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unlink_takesEffectOnceTheCachedAnswerIsStale(Backend backend) {
        Fixture f = fixture(backend);
        try {
            AtomicLong nanos = new AtomicLong();
            CodeIssuer issuer = f.issuer(PersonLookup.cached(f.tenants(), Duration.ofSeconds(1), nanos::get));
            assertThat(ask(issuer, ANN_ZULIP)).isInstanceOf(IssueResult.Issued.class);

            assertThat(f.tenants().unlink(ANN, new Identity.ZulipUser(ANN_ZULIP))).isTrue();
            nanos.addAndGet(Duration.ofMillis(999).toNanos());
            IssueResult cached = ask(issuer, ANN_ZULIP);
            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            IssueResult stale = ask(issuer, ANN_ZULIP);

            assertThat(cached).as("within the staleness bound").isInstanceOf(IssueResult.Issued.class);
            assertThat(stale).isInstanceOfSatisfying(IssueResult.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(RefusalReason.NO_MATCHING_RULE));
            IssueResult uncached = ask(f.issuer(PersonLookup.cached(f.tenants(), Duration.ZERO, nanos::get)), ANN_ZULIP);
            assertThat(uncached).isInstanceOf(IssueResult.Refused.class);
            assertThat(entries(f).getLast().detail()).isNull();
        } finally {
            f.audit().close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void link_bobsZulipIdToAnn_grantsBobsRequests(Backend backend) {
        Fixture f = fixture(backend);
        try {
            CodeIssuer issuer = f.issuer(PersonLookup.cached(f.tenants(), Duration.ZERO, System::nanoTime));
            assertThat(ask(issuer, BOB_ZULIP)).isInstanceOf(IssueResult.Refused.class);

            f.tenants().link(ANN, new Identity.ZulipUser(BOB_ZULIP), NOW);

            assertThat(ask(issuer, BOB_ZULIP)).isInstanceOf(IssueResult.Issued.class);
        } finally {
            f.audit().close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void dailyCap_ofAPersonRule_countsThePersonAcrossTheirZulipIdentities(Backend backend) {
        Fixture f = fixture(backend);
        try {
            assertThat(f.authorizer().policies().revoke("ann-aws")).isTrue();
            f.authorizer().policies().grant(new Rule("ann-aws-1", Principal.parse("person:ann"), LabelPattern.parse("acme-aws"),
                    Optional.empty(), java.util.OptionalInt.of(1), "t", NOW));
            f.tenants().link(ANN, new Identity.ZulipUser(BOB_ZULIP), NOW);
            CodeIssuer issuer = f.issuer(PersonLookup.cached(f.tenants(), Duration.ZERO, System::nanoTime));

            assertThat(ask(issuer, ANN_ZULIP)).isInstanceOf(IssueResult.Issued.class);
            // Counted per Zulip id before: Ann's second identity got a second code on a cap of 1.
            assertThat(ask(issuer, BOB_ZULIP)).isInstanceOfSatisfying(IssueResult.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(RefusalReason.DAILY_CAP_REACHED));
        } finally {
            f.audit().close();
        }
    }

    private IssueResult ask(CodeIssuer issuer, long zulipUser) {
        requestNo++;
        Subject subject = Subject.onBehalf(BOT, new Subject.OnBehalf(zulipUser, Optional.empty(), Set.of(7L), Set.of(12L)));
        return issuer.issue(new CodeIssuer.Request(new Requester.ApiCaller(subject), Label.parse("acme-aws"), Door.BOT, NOW,
                new RequestMeta("req-" + requestNo, "/code", "127.0.0.1")));
    }

    private static List<AuditEvent> entries(Fixture f) {
        List<AuditEvent> out = new ArrayList<>();
        new AuditExporter(f.store().database()).forEach(Instant.EPOCH, NOW.plusSeconds(60), e -> out.add(e.event()));
        return out;
    }
}
