package dev.mfagate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.LockoutStatus;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * Schema V3 on a store written by V2: channel rules stored by name become inert
 * {@code channel-name:} rules (never matched, never turned into a stream id), other rules and a
 * running lockout are untouched.
 */
class ChannelRuleMigrationTest {

    static final Instant NOW = Instant.parse("2025-11-02T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void migrate_v2ChannelNameRules_becomeInertChannelNameRules_othersUnchanged() throws Exception {
        Path file = dir.resolve("v2.db");
        SQLiteDataSource v2 = new SQLiteDataSource();
        v2.setUrl("jdbc:sqlite:" + file);
        Flyway.configure().dataSource(v2).locations("classpath:db/migration/sqlite").target("2").load().migrate();
        try (Connection c = v2.getConnection(); Statement s = c.createStatement()) {
            // As V2 stored them: channel names lower-cased without '#'; "123" was a channel called 123.
            s.executeUpdate("INSERT INTO policy_rule (id, principal, pattern, created_by, created_at_ms) VALUES"
                    + " ('ops-team', 'channel:ops', 'acme-*', 'alice', 0),"
                    + " ('digits', 'channel:123', 'acme-*', 'alice', 0),"
                    + " ('ann', 'user:42', 'beta-*', 'alice', 0)");
            s.executeUpdate("INSERT INTO lockout_state (principal_key, window_start_ms, denials, locked_until_ms)"
                    + " VALUES ('user:7', 0, 5, " + NOW.plusSeconds(600).toEpochMilli() + ")");
        }

        try (Database db = Database.openSqlite(file)) {
            Policy policy = new PolicyRepository(db).load();

            assertThat(policy.rules()).extracting(r -> r.id() + " " + r.principal().text()).containsExactly(
                    "ann user:42", "digits channel-name:123", "ops-team channel-name:ops");
            assertThat(policy.inertRules()).extracting(Rule::id).containsExactly("digits", "ops-team");
            assertThat(policy.version()).as("instances reload the rewritten rules").isEqualTo(1);
            Subject member = Subject.onBehalf(new Subject.Token("bot", LabelPattern.ALL, true),
                    new Subject.OnBehalf(42, Optional.empty(), Set.of(), Set.of(123L)));
            assertThat(policy.decide(member, Label.parse("acme-aws"), NOW))
                    .as("a channel once named 123 is not stream 123").isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
            assertThat(policy.decide(member, Label.parse("beta-aws"), NOW).isAllowed()).isTrue();
            assertThat(new LockoutTracker(db, LockoutPolicy.defaults()).check("user:7", NOW).isLocked())
                    .as("a lockout running across the upgrade keeps running").isTrue();
            assertThat(new LockoutTracker(db, LockoutPolicy.defaults()).check("user:7", NOW.plusSeconds(601)))
                    .isEqualTo(new LockoutStatus.Open(0));
        }
    }
}
