package dev.mfagate.core.tenant;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the pre-tenant store that {@link TenantUpgradeTest} upgrades: run once, with the code of
 * commit 68a125f (schema V3.1, before tenants), as
 * {@code -Dtest=UpgradeFixtureGenerator -Dmfagate.fixture.dir=DIR}; the files in
 * {@code src/test/resources/upgrade/v3_1/} came from it. Run with later code it writes a store at
 * that code's schema instead, so it is kept only to show how the fixture was made.
 */
@EnabledIfSystemProperty(named = "mfagate.fixture.dir", matches = ".+")
class UpgradeFixtureGenerator {

    static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

    @Test
    void write() {
        Path dir = Path.of(System.getProperty("mfagate.fixture.dir"));
        try (Store s = Store.init(dir)) {
            for (String l : new String[] {"acme-aws", "acme-db-prod", "beta-aws", "gamma.x-vpn", "delta-old"}) {
                // Test seeds only: the label's bytes, padded to the 20 bytes of an SHA-1 seed.
                byte[] raw = java.util.Arrays.copyOf(l.getBytes(StandardCharsets.US_ASCII), 20);
                s.seeds().add(Label.parse(l), TotpSeed.of(SecretBytes.copyOf(raw), TotpParameters.DEFAULT), T0);
            }
            s.seeds().remove(Label.parse("delta-old"));
            CreatedToken bot = s.tokens().create("zulip-bot", "*", true, Optional.empty(), T0);
            CreatedToken ci = s.tokens().create("ci-acme", "acme-*", false, Optional.empty(), T0);
            s.tokens().create("beta-one", "beta-aws", false, Optional.of(T0.plusSeconds(86_400 * 365)), T0);
            s.tokens().create("wide-a", "a*", false, Optional.empty(), T0);
            s.tokens().create("old", "gamma.x-*", false, Optional.empty(), T0);
            s.tokens().revoke("old", T0.plusSeconds(60));
            PolicyRepository policy = new PolicyRepository(s.database());
            policy.grant(Rule.of("acme-team", Principal.parse("user:1"), LabelPattern.parse("acme-*"), "ops", T0));
            policy.grant(Rule.of("beta-group", Principal.parse("group:2"), LabelPattern.parse("beta-*"), "ops", T0));
            policy.grant(Rule.of("everyone", Principal.parse("channel:3"), LabelPattern.parse("*"), "ops", T0));
            policy.grant(Rule.of("aws-all", Principal.parse("user:4"), LabelPattern.parse("*-aws"), "ops", T0));
            policy.grant(new Rule("ci-capped", Principal.parse("token:" + ci.info().id()), LabelPattern.parse("acme-aws"),
                    Optional.empty(), OptionalInt.of(5), "ops", T0));
            policy.grant(new Rule("gamma-temp", Principal.parse("user:5"), LabelPattern.parse("gamma.x-*"),
                    Optional.of(T0.plusSeconds(3600)), OptionalInt.empty(), "ops", T0));
            policy.grant(Rule.of("epsilon-new", Principal.parse("user:6"), LabelPattern.parse("epsilon-*"), "ops", T0));
            try (AuditLog log = AuditLog.builder(s.database(), s.keyring().auditMac()).build()) {
                log.appendDurably(AuditEvent.builder(T0, Outcome.ADMIN).route("cli:seed-add").reason("seed-add")
                        .label("acme-aws").detail("by ops").instanceId("cli").build());
                log.appendDurably(AuditEvent.builder(T0.plusSeconds(5), Outcome.ALLOWED).route("/code").requestId("r1")
                        .tokenId(bot.info().id()).zulipUser(1L, "ann@example.com").label("acme-aws").ruleId("acme-team")
                        .instanceId("i1").build());
                log.appendDurably(AuditEvent.builder(T0.plusSeconds(6), Outcome.DENIED).route("/code").requestId("r2")
                        .tokenId(bot.info().id()).zulipUser(7L, null).label("beta-aws").reason("no_matching_rule")
                        .instanceId("i1").build());
                log.appendDurably(AuditEvent.builder(T0.plusSeconds(7), Outcome.ALLOWED).route("/totp").requestId("r3")
                        .tokenId(ci.info().id()).label("acme-aws").ruleId("ci-capped").instanceId("i1").build());
            }
        }
    }
}
