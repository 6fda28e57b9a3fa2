package dev.mfagate.core.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.console.ConsoleSessions.PendingLogin;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConsoleSessionsTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration IDLE = Duration.ofMinutes(15);
    static final Duration LIFETIME = Duration.ofHours(8);
    static final PersonId ANN = new PersonId("ann");

    @TempDir
    Path dir;

    private Store store(Backend backend) {
        Store s = Store.open(DBS.fresh(backend).db(), Keyring.createFile(dir.resolve("keyset.json")));
        new TenantRepository(s.database()).addPerson(ANN, "Ann", NOW);
        return s;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void touch_liveSession_findsItUntilIdleTimeout(Backend backend) {
        ConsoleSessions sessions = new ConsoleSessions(store(backend).database());
        ConsoleSessions.Started started = sessions.create(ANN, "oidc:https://idp.example#ann", NOW, LIFETIME);

        assertThat(sessions.touch(started.cookieValue(), NOW.plus(Duration.ofMinutes(10)), IDLE)).isPresent();
        // Used at +10 min, so idle counts from there: +24 min is 14 min idle.
        assertThat(sessions.touch(started.cookieValue(), NOW.plus(Duration.ofMinutes(24)), IDLE))
                .hasValueSatisfying(s -> assertThat(s.person()).isEqualTo(ANN));
        assertThat(sessions.touch(started.cookieValue(), NOW.plus(Duration.ofMinutes(40)), IDLE)).as("idle 16 min").isEmpty();
        assertThat(sessions.touch(started.cookieValue(), NOW.plus(Duration.ofMinutes(41)), IDLE)).as("never revived").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void create_ssoGroupClaims_keptWellFormedOnesAndActorHoldsThem(Backend backend) {
        ConsoleSessions sessions = new ConsoleSessions(store(backend).database());
        ConsoleSessions.Started started = sessions.create(ANN, "oidc:https://idp.example#ann",
                List.of("mfa-ops", "has space", "", "auditors", "mfa-ops", "x".repeat(129)), NOW, LIFETIME);

        var found = sessions.touch(started.cookieValue(), NOW.plusSeconds(60), IDLE).orElseThrow();
        assertThat(found.ssoGroups()).as("only values a binding can name, sorted, once").containsExactly("auditors", "mfa-ops");
        assertThat(found.actor().holders()).extracting(dev.mfagate.core.tenant.Holder::text)
                .containsExactlyInAnyOrder("person:ann", "sso-group:auditors", "sso-group:mfa-ops");
        assertThat(started.session().ssoGroups()).isEqualTo(found.ssoGroups());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void create_noGroupClaims_actorIsThePersonAlone(Backend backend) {
        ConsoleSessions sessions = new ConsoleSessions(store(backend).database());
        ConsoleSessions.Started started = sessions.create(ANN, "oidc:https://idp.example#ann", NOW, LIFETIME);

        var found = sessions.touch(started.cookieValue(), NOW.plusSeconds(60), IDLE).orElseThrow();
        assertThat(found.ssoGroups()).isEmpty();
        assertThat(found.actor().holders()).extracting(dev.mfagate.core.tenant.Holder::text).containsExactly("person:ann");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void touch_busySession_endsAtItsAbsoluteLifetime(Backend backend) {
        ConsoleSessions sessions = new ConsoleSessions(store(backend).database());
        ConsoleSessions.Started started = sessions.create(ANN, "oidc:https://idp.example#ann", NOW, Duration.ofMinutes(30));
        for (int minute = 5; minute < 30; minute += 5) {
            assertThat(sessions.touch(started.cookieValue(), NOW.plus(Duration.ofMinutes(minute)), IDLE)).isPresent();
        }
        assertThat(sessions.touch(started.cookieValue(), NOW.plus(Duration.ofMinutes(30)), IDLE)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void end_session_isDeadForEveryInstance(Backend backend) {
        Store s = store(backend);
        ConsoleSessions one = new ConsoleSessions(s.database());
        ConsoleSessions other = new ConsoleSessions(s.database());
        ConsoleSessions.Started started = one.create(ANN, "oidc:https://idp.example#ann", NOW, LIFETIME);
        assertThat(other.touch(started.cookieValue(), NOW.plusSeconds(1), IDLE)).as("shared through the store").isPresent();

        assertThat(other.end(started.cookieValue(), NOW.plusSeconds(2), IDLE)).isPresent();

        assertThat(one.touch(started.cookieValue(), NOW.plusSeconds(3), IDLE)).isEmpty();
        assertThat(one.end(started.cookieValue(), NOW.plusSeconds(3), IDLE)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void store_keepsHashesOnly_neitherCookieValueNorItsLookAlikeOpensASession(Backend backend) {
        Store s = store(backend);
        ConsoleSessions sessions = new ConsoleSessions(s.database());
        ConsoleSessions.Started started = sessions.create(ANN, "oidc:https://idp.example#ann", NOW, LIFETIME);
        List<String> stored = s.database().jdbi().withHandle(h -> h.createQuery("SELECT id_hash FROM console_session")
                .mapTo(String.class).list());

        assertThat(stored).containsExactly(ConsoleSessions.hash(started.cookieValue())).doesNotContain(started.cookieValue());
        assertThat(sessions.touch(stored.getFirst(), NOW, IDLE)).as("the stored hash is no cookie").isEmpty();
        assertThat(sessions.touch(null, NOW, IDLE)).isEmpty();
        assertThat(sessions.touch("", NOW, IDLE)).isEmpty();
        assertThat(sessions.touch("x".repeat(129), NOW, IDLE)).isEmpty();
        assertThat(started.session().csrfToken()).isNotEqualTo(started.cookieValue()).hasSize(43);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void takeLogin_isUsedOnceAndOnlyWhileFresh(Backend backend) {
        ConsoleSessions sessions = new ConsoleSessions(store(backend).database());
        PendingLogin pending = new PendingLogin("state-1", "nonce-1", "verifier-1", NOW);
        String cookie = sessions.beginLogin(pending);
        String stale = sessions.beginLogin(new PendingLogin("state-2", "nonce-2", "verifier-2", NOW));

        assertThat(sessions.takeLogin(cookie, NOW.plusSeconds(30), Duration.ofMinutes(10)))
                .hasValueSatisfying(p -> assertThat(p.state()).isEqualTo("state-1"));
        assertThat(sessions.takeLogin(cookie, NOW.plusSeconds(31), Duration.ofMinutes(10))).as("used once").isEmpty();
        assertThat(sessions.takeLogin(stale, NOW.plus(Duration.ofMinutes(11)), Duration.ofMinutes(10))).as("too old").isEmpty();
        assertThat(sessions.takeLogin(stale, NOW, Duration.ofMinutes(10))).as("deleted when found stale").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sweep_removesDeadSessionsAndOldSignIns(Backend backend) {
        Store s = store(backend);
        ConsoleSessions sessions = new ConsoleSessions(s.database());
        ConsoleSessions.Started live = sessions.create(ANN, "oidc:https://idp.example#ann", NOW.plus(Duration.ofDays(2)), LIFETIME);
        sessions.create(ANN, "oidc:https://idp.example#ann", NOW, LIFETIME);
        sessions.beginLogin(new PendingLogin("s", "n", "v", NOW));

        Instant later = NOW.plus(Duration.ofDays(2)).plusSeconds(60);
        assertThat(sessions.sweep(later, IDLE, Duration.ofMinutes(10))).isEqualTo(2);
        assertThat(sessions.touch(live.cookieValue(), later, IDLE)).isPresent();
    }
}
