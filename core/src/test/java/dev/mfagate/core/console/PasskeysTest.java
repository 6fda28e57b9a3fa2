package dev.mfagate.core.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PasskeysTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final PersonId ANN = new PersonId("ann");
    static final PersonId BOB = new PersonId("bob");
    static final byte[] DATA = {1, 2, 3, 4};

    @TempDir
    Path dir;

    private Store store(Backend backend) {
        Store s = Store.open(DBS.fresh(backend).db(), Keyring.createFile(dir.resolve("keyset.json")));
        TenantRepository t = new TenantRepository(s.database());
        t.addPerson(ANN, "Ann", NOW);
        t.addPerson(BOB, "Bob", NOW);
        return s;
    }

    @org.junit.jupiter.api.Test
    void requireName_formattingCharactersOrASecretsShape_refusedWithoutQuotingIt() {
        assertThat(Passkeys.requireName("  Ann's laptop ")).isEqualTo("Ann's laptop");
        assertThat(Passkeys.requireName("YubiKey 5 NFC")).isEqualTo("YubiKey 5 NFC");
        for (String bidi : new String[] {"\uFF2B\uFF25\uFF39\u202Eevil", "key\u2066x", "zero\u200Bwidth"}) {
            assertThatThrownBy(() -> Passkeys.requireName(bidi)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("A passkey's name must be 1 to " + Passkeys.MAX_NAME_LENGTH
                            + " characters without control or formatting characters (such as right-to-left marks)");
        }
        for (String secret : new String[] {"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp"}) {
            assertThatThrownBy(() -> Passkeys.requireName(secret)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("A passkey's name must not look like a secret").hasMessageNotContaining(secret);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void add_newCredential_listedWithNameAndTimesAndFoundWithItsData(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            assertThat(p.add(ANN, "cred-1", " Laptop ", DATA, 0, NOW)).isTrue();
            assertThat(p.add(ANN, "cred-2", "Phone", DATA, 5, NOW.plusSeconds(1))).isTrue();

            List<Passkeys.Passkey> listed = p.list(ANN);
            assertThat(listed).extracting(Passkeys.Passkey::name).containsExactly("Laptop", "Phone");
            assertThat(listed.getFirst().createdAt()).isEqualTo(NOW);
            assertThat(listed.getFirst().lastUsed()).isEmpty();
            assertThat(p.list(BOB)).isEmpty();
            Passkeys.Stored stored = p.find("cred-2").orElseThrow();
            assertThat(stored.attestedData()).containsExactly(DATA);
            assertThat(stored.signCount()).isEqualTo(5);
            assertThat(stored.passkey().person()).isEqualTo(ANN);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void add_takenCredentialId_refusedAndKeepsTheFirstOwner(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            p.add(ANN, "cred-1", "Laptop", DATA, 0, NOW);
            assertThat(p.add(BOB, "cred-1", "Mine now", DATA, 0, NOW)).isFalse();
            assertThat(p.find("cred-1").orElseThrow().passkey().person()).isEqualTo(ANN);
            assertThatThrownBy(() -> p.add(ANN, "cred-3", "bad\nname", DATA, 0, NOW))
                    .hasMessageContaining("without control or formatting characters");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordUse_counterMustMoveForward_replayedCounterRefused(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            p.add(ANN, "cred-1", "Laptop", DATA, 3, NOW);
            assertThat(p.recordUse("cred-1", 3, 4, NOW.plusSeconds(60))).isTrue();
            assertThat(p.recordUse("cred-1", 3, 5, NOW.plusSeconds(61))).as("stale previous counter").isFalse();
            assertThat(p.recordUse("cred-1", 4, 4, NOW.plusSeconds(62))).as("counter not moved").isFalse();
            Passkeys.Stored stored = p.find("cred-1").orElseThrow();
            assertThat(stored.signCount()).isEqualTo(4);
            assertThat(stored.passkey().lastUsed()).contains(NOW.plusSeconds(60));

            p.add(ANN, "cred-0", "No counter", DATA, 0, NOW);
            assertThat(p.recordUse("cred-0", 0, 0, NOW.plusSeconds(60))).as("authenticator without a counter").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void remove_onlyTheOwnersPasskey_isRemoved(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            p.add(ANN, "cred-1", "Laptop", DATA, 0, NOW);
            assertThat(p.remove(BOB, "cred-1")).isFalse();
            assertThat(p.find("cred-1")).isPresent();
            assertThat(p.remove(ANN, "cred-1")).isTrue();
            assertThat(p.find("cred-1")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void takeChallenge_usedOnceAndOnlyForItsPurposeBindingAndAge(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            Duration age = Duration.ofMinutes(5);
            String c = p.issueChallenge("step-up", "session-a", NOW);
            assertThat(p.takeChallenge(c, "step-up", "session-a", NOW.plusSeconds(10), age)).isTrue();
            assertThat(p.takeChallenge(c, "step-up", "session-a", NOW.plusSeconds(11), age)).as("second use").isFalse();

            String other = p.issueChallenge("step-up", "session-a", NOW);
            assertThat(p.takeChallenge(other, "step-up", "session-b", NOW, age)).as("another session").isFalse();
            assertThat(p.takeChallenge(other, "step-up", "session-a", NOW, age)).as("deleted once presented").isFalse();

            String old = p.issueChallenge("register", "session-a", NOW);
            assertThat(p.takeChallenge(old, "register", "session-a", NOW.plus(age).plusSeconds(1), age)).isFalse();
            String purpose = p.issueChallenge("register", "session-a", NOW);
            assertThat(p.takeChallenge(purpose, "break-glass", "session-a", NOW, age)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void newBreakGlassCode_makesTheOperatorAndACodeUsableOnceWithin15Minutes(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            TenantRepository tenants = new TenantRepository(s.database());
            String code = p.newBreakGlassCode(tenants, NOW, Duration.ofMinutes(15), "cli");
            assertThat(tenants.person(Passkeys.BREAK_GLASS)).isPresent();
            assertThat(tenants.bindingsOf(List.of(new Holder.PersonHolder(Passkeys.BREAK_GLASS))))
                    .extracting(b -> b.role(), b -> b.scope())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Role.OPERATOR, Scope.ORGANISATION));
            assertThat(p.breakGlassCodeValid(code, NOW.plusSeconds(60))).isTrue();
            assertThat(p.breakGlassCodeValid(code, NOW.plus(Duration.ofMinutes(15)))).isFalse();
            assertThat(p.takeBreakGlassCode(code, NOW.plusSeconds(60))).isTrue();
            assertThat(p.takeBreakGlassCode(code, NOW.plusSeconds(61))).isFalse();
            // A second code for the same operator adds no second role.
            String late = p.newBreakGlassCode(tenants, NOW, Duration.ofMinutes(15), "cli");
            assertThat(tenants.bindingsOf(List.of(new Holder.PersonHolder(Passkeys.BREAK_GLASS)))).hasSize(1);
            assertThat(p.takeBreakGlassCode(late, NOW.plus(Duration.ofMinutes(16)))).isFalse();
            // The store keeps the code's hash only.
            List<String> rows = s.database().jdbi().withHandle(h -> h.createQuery("SELECT code_hash FROM break_glass_enrolment")
                    .mapTo(String.class).list());
            assertThat(rows).doesNotContain(late);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void markSensitive_onThenOff_changesWhatIsSensitive(Backend backend) {
        try (Store s = store(backend)) {
            Passkeys p = new Passkeys(s.database());
            Label l = Label.parse("acme-aws");
            assertThat(p.isSensitive(l)).isFalse();
            assertThat(p.markSensitive(l, true, NOW)).isTrue();
            assertThat(p.markSensitive(l, true, NOW)).isFalse();
            assertThat(p.isSensitive(l)).isTrue();
            assertThat(p.isSensitive(Label.parse("acme-db"))).isFalse();
            assertThat(p.markSensitive(l, false, NOW)).isTrue();
            assertThat(p.isSensitive(l)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void stepUp_holdsForThatSessionUntilItRunsOut(Backend backend) {
        try (Store s = store(backend)) {
            ConsoleSessions sessions = new ConsoleSessions(s.database());
            var a = sessions.create(ANN, "oidc:x#ann", NOW, Duration.ofHours(8));
            var b = sessions.create(ANN, "oidc:x#ann", NOW, Duration.ofHours(8));
            assertThat(sessions.steppedUp(a.cookieValue(), NOW)).isFalse();
            assertThat(sessions.stepUp(a.cookieValue(), NOW.plus(Duration.ofMinutes(5)))).isTrue();
            assertThat(sessions.steppedUp(a.cookieValue(), NOW.plusSeconds(299))).isTrue();
            assertThat(sessions.steppedUp(a.cookieValue(), NOW.plusSeconds(300))).isFalse();
            assertThat(sessions.steppedUp(b.cookieValue(), NOW.plusSeconds(10))).as("another session of the same person").isFalse();
            sessions.end(a.cookieValue(), NOW.plusSeconds(20), Duration.ofMinutes(15));
            assertThat(sessions.steppedUp(a.cookieValue(), NOW.plusSeconds(21))).as("ended session").isFalse();
            assertThat(sessions.stepUp("not-a-session", NOW.plusSeconds(60))).isFalse();
            assertThat(Optional.of(sessions)).isPresent();
        }
    }
}
