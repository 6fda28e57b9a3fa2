package dev.mfagate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PolicyRepositoryTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant NOW = Instant.parse("2025-11-02T10:00:00Z");
    static final Label ACME_AWS = Label.parse("acme-aws");
    static final Subject.Token BOT = new Subject.Token("bot", LabelPattern.ALL, true);
    static final Subject ANN = Subject.onBehalf(BOT, new Subject.OnBehalf(42, Optional.empty(), Set.of(), Set.of(12L)));

    @TempDir
    Path dir;

    /** A fresh store (tokens, people) on {@code backend}, with a file keyring in {@link #dir}. */
    private Store store(Backend backend) {
        return Store.open(DBS.fresh(backend).db(), Keyring.createFile(dir.resolve("keyset.json")));
    }

    static Rule rule(String id, String principal, String pattern) {
        return Rule.of(id, Principal.parse(principal), LabelPattern.parse(pattern), "alice", NOW);
    }

    static Rule capped(String id, String principal, String pattern, int cap) {
        return new Rule(id, Principal.parse(principal), LabelPattern.parse(pattern), Optional.empty(), OptionalInt.of(cap), "alice", NOW);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void grantRevokeList_roundTripsEveryField(Backend backend) {
        Store store = store(backend);
        PolicyRepository repo = new PolicyRepository(store.database());
        String token = "token:" + store.tokens().create("t-1", "*", false, Optional.empty(), NOW).info().id();
        Rule full = new Rule("full", Principal.parse("channel:12"), LabelPattern.parse("acme-*"),
                Optional.of(NOW.plusSeconds(3600)), OptionalInt.of(3), "alice", NOW);
        repo.grant(full);
        repo.grant(rule("bare", token, "*"));

        assertThat(repo.list()).containsExactly(rule("bare", token, "*"), full);
        assertThat(repo.revoke("bare")).isTrue();
        assertThat(repo.revoke("bare")).isFalse();
        assertThat(repo.list()).containsExactly(full);
        assertThat(repo.load().version()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void grantOrApply_personOrTokenNotInTheStore_refusedNamingItAndNothingChanged(Backend backend) {
        Store store = store(backend);
        PolicyRepository repo = new PolicyRepository(store.database());
        String id = store.tokens().create("ops-laptop", "*", false, Optional.empty(), NOW).info().id();
        new TenantRepository(store.database()).addPerson(new PersonId("ann"), "Ann", NOW);

        assertThatThrownBy(() -> repo.grant(rule("p", "person:nobody", "acme-*")))
                .hasMessage("Rule p: No person nobody; add them first (mfagate person add nobody NAME)");
        assertThatThrownBy(() -> repo.grant(rule("t", "token:nosuch", "acme-*")))
                .hasMessage("Rule t: No token has the id 'nosuch'; see mfagate token list");
        assertThatThrownBy(() -> repo.grant(rule("n", "token:OPS-laptop", "acme-*")))
                .hasMessage("Rule n: token: takes a token's id, not its name; that token is token:" + id);
        long version = repo.load().version();
        assertThatThrownBy(() -> repo.apply(PolicyFile.of(List.of(rule("ok", "person:ann", "acme-*"),
                rule("p", "person:nobody", "acme-*"))), version, "bob", NOW)).hasMessageStartingWith("Rule p: No person nobody");
        assertThat(repo.list()).isEmpty();
        assertThat(repo.load().version()).isEqualTo(version);

        repo.grant(rule("p", "person:ann", "acme-*"));
        repo.grant(rule("t", "token:" + id, "acme-*"));
        assertThat(repo.list()).extracting(Rule::id).containsExactly("p", "t");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void grant_duplicateId_rejectedAndNothingChanged(Backend backend) {
        PolicyRepository repo = new PolicyRepository(DBS.fresh(backend).db());
        repo.grant(rule("a", "user:1", "*"));
        assertThatThrownBy(() -> repo.grant(rule("a", "user:2", "*"))).hasMessageContaining("A rule with id a exists");
        assertThat(repo.load().version()).isEqualTo(1);
        assertThat(repo.list()).containsExactly(rule("a", "user:1", "*"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void grant_identicalRuleOfTheSameOwner_refusedNamingItAndNothingChanged(Backend backend) {
        PolicyRepository repo = new PolicyRepository(DBS.fresh(backend).db());
        Rule first = new Rule("first", Principal.parse("user:7"), LabelPattern.parse("acme-*"), Optional.of(NOW.plusSeconds(86_400)),
                OptionalInt.of(3), "alice", NOW);
        repo.grant(first, dev.mfagate.core.tenant.TenantId.parse("acme"));
        long version = repo.load().version();

        Rule again = new Rule("again", first.principal(), first.pattern(), first.expiresAt(), first.dailyCap(), "bob", NOW.plusSeconds(5));
        assertThatThrownBy(() -> repo.grant(again, dev.mfagate.core.tenant.TenantId.parse("acme")))
                .isInstanceOf(DuplicateRuleException.class)
                .hasMessage("Rule first already grants this (user:7 -> acme-*, the same last day and daily cap); nothing was granted")
                .satisfies(e -> assertThat(((DuplicateRuleException) e).existingId()).isEqualTo("first"));
        assertThat(repo.load().version()).isEqualTo(version);
        assertThat(repo.list()).containsExactly(first);

        // Anything that differs is another grant: the owner, the expiry, the cap.
        repo.grant(again, dev.mfagate.core.tenant.Scope.ORGANISATION);
        repo.grant(new Rule("later", first.principal(), first.pattern(), Optional.of(NOW.plusSeconds(2 * 86_400)), first.dailyCap(),
                "bob", NOW), dev.mfagate.core.tenant.TenantId.parse("acme"));
        repo.grant(new Rule("uncapped", first.principal(), first.pattern(), first.expiresAt(), OptionalInt.empty(), "bob", NOW),
                dev.mfagate.core.tenant.TenantId.parse("acme"));
        assertThat(repo.list()).extracting(Rule::id).containsExactly("again", "first", "later", "uncapped");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void snapshot_changeOnOtherInstance_seenAfterMaxStaleness(Backend backend) {
        var store = DBS.fresh(backend);
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        PolicyRepository mine = new PolicyRepository(store.db(), Duration.ofSeconds(1), clock::get);
        PolicyRepository other = new PolicyRepository(store.openAnother());
        assertThat(mine.snapshot().decide(ANN, ACME_AWS, NOW).isAllowed()).isFalse();

        other.grant(rule("acme-team", "channel:12", "acme-*"));
        clock.addAndGet(999_000_000L);
        assertThat(mine.snapshot().decide(ANN, ACME_AWS, NOW).isAllowed()).as("within the staleness bound: cached").isFalse();
        clock.addAndGet(1_000_000L);
        assertThat(mine.snapshot().decide(ANN, ACME_AWS, NOW).isAllowed()).as("after the bound: refreshed").isTrue();

        other.revoke("acme-team");
        clock.addAndGet(1_000_000_000L);
        assertThat(mine.snapshot().decide(ANN, ACME_AWS, NOW).isAllowed()).as("revoke takes effect").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void snapshot_localChange_seenImmediately(Backend backend) {
        PolicyRepository repo = new PolicyRepository(DBS.fresh(backend).db(), Duration.ofHours(1));
        assertThat(repo.snapshot().rules()).isEmpty();
        repo.grant(rule("a", "user:42", "*"));
        assertThat(repo.snapshot().rules()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void apply_desiredFile_appliesDiffInOneStepAndRestamps(Backend backend) {
        PolicyRepository repo = new PolicyRepository(DBS.fresh(backend).db());
        repo.grant(rule("keep", "user:1", "*"));
        repo.grant(rule("gone", "user:2", "*"));
        repo.grant(rule("widen", "channel:12", "acme-aws"));
        Policy current = repo.load();
        PolicyFile desired = PolicyFile.parse("""
                version: 2
                rules:
                  - {id: keep, principal: "user:1", labels: "*"}
                  - {id: widen, principal: "channel:12", labels: "acme-*"}
                  - {id: fresh, principal: "group:7", labels: "beta-*", daily_cap: 5}
                """);
        Instant applyTime = NOW.plusSeconds(60);

        ApplyResult result = repo.apply(desired, current.version(), "bob", applyTime);

        assertThat(result).isInstanceOfSatisfying(ApplyResult.Applied.class, a -> {
            assertThat(a.diff()).isEqualTo(desired.diffFrom(current.rules()));
            assertThat(a.version()).isEqualTo(current.version() + 1);
        });
        List<Rule> after = repo.list();
        assertThat(after).extracting(Rule::id).containsExactly("fresh", "keep", "widen");
        assertThat(after.get(1).createdBy()).as("unchanged rule keeps its stamp").isEqualTo("alice");
        assertThat(after.get(0).createdBy()).isEqualTo("bob");
        assertThat(after.get(2).createdAt()).isEqualTo(applyTime);
        assertThat(PolicyDiff.between(after, desired.rules()).isEmpty()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void apply_policyChangedSinceDiff_conflictAndNothingApplied(Backend backend) {
        PolicyRepository repo = new PolicyRepository(DBS.fresh(backend).db());
        long seen = repo.load().version();
        repo.grant(rule("sneaky", "user:9", "*"));

        ApplyResult result = repo.apply(PolicyFile.of(List.of()), seen, "bob", NOW);

        assertThat(result).isEqualTo(new ApplyResult.Conflict(seen, seen + 1));
        assertThat(repo.list()).extracting(Rule::id).containsExactly("sneaky");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void authorize_dailyCapAcrossTwoInstances_neverExceeded(Backend backend) throws Exception {
        var store = DBS.fresh(backend);
        Database a = store.db();
        Database b = store.openAnother();
        new PolicyRepository(a).grant(capped("capped", "channel:12", "acme-*", 5));
        Authorizer first = Authorizer.open(a);
        Authorizer second = Authorizer.open(b);

        int allowed = 0;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PolicyDecision>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Authorizer which = i % 2 == 0 ? first : second;
                results.add(pool.submit(() -> which.authorize(ANN, ACME_AWS, NOW)));
            }
            for (Future<PolicyDecision> f : results) {
                PolicyDecision d = f.get();
                if (d.isAllowed()) {
                    allowed++;
                } else {
                    assertThat(d).isEqualTo(new PolicyDecision.Denied(DenialReason.DAILY_CAP_REACHED));
                }
            }
        }
        assertThat(allowed).isEqualTo(5);
        assertThat(first.authorize(ANN, Label.parse("acme-db"), NOW).isAllowed()).as("cap is per label").isTrue();
        assertThat(second.authorize(ANN, ACME_AWS, NOW.plus(Duration.ofDays(1))).isAllowed()).as("new UTC day").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void authorize_firstCappedRuleUsedUp_fallsBackToNextCappedRule(Backend backend) {
        Database db = DBS.fresh(backend).db();
        PolicyRepository repo = new PolicyRepository(db);
        repo.grant(capped("a", "user:42", "acme-*", 1));
        repo.grant(capped("b", "channel:12", "*", 1));
        Authorizer auth = new Authorizer(repo, new DailyUsage(db));

        assertThat(auth.authorize(ANN, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(repo.list().get(0)));
        assertThat(auth.authorize(ANN, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(repo.list().get(1)));
        assertThat(auth.authorize(ANN, ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.DAILY_CAP_REACHED));
        assertThat(new DailyUsage(db).usesOn(repo.list().get(0), "user:42", ACME_AWS, NOW)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void authorize_uncappedGrant_usesNoAllowance(Backend backend) {
        Database db = DBS.fresh(backend).db();
        PolicyRepository repo = new PolicyRepository(db);
        repo.grant(capped("a", "user:42", "acme-*", 1));
        repo.grant(rule("z", "channel:12", "*"));
        Authorizer auth = new Authorizer(repo, new DailyUsage(db));

        for (int i = 0; i < 3; i++) {
            assertThat(auth.authorize(ANN, ACME_AWS, NOW).isAllowed()).isTrue();
        }
        assertThat(new DailyUsage(db).usesOn(repo.list().getFirst(), "user:42", ACME_AWS, NOW)).isZero();
    }
}
