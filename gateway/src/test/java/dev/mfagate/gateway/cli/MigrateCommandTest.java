package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.policy.DailyUsage;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.LockoutStatus;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.StoreMigration;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.gateway.InProcessCli;
import dev.mfagate.gateway.TestStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mfagate migrate}: a SQLite store with every kind of state moves into PostgreSQL intact,
 * verified, all or nothing, and never into a database that holds anything.
 */
class MigrateCommandTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    private static final Instant NOW = Instant.parse("2025-09-02T22:29:39Z");
    /** More than one insert batch of the migration (1,000 rows). */
    private static final int AUDIT_ENTRIES = 1_234;

    @TempDir
    Path dir;
    private Path sqliteFile;
    private Keyring keyring;
    private String ciToken;
    private String revokedToken;
    private Rule cappedRule;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void sourceStoreWithEveryKindOfState() throws Exception {
        Path data = dir.resolve("source");
        try (Store s = Store.init(data)) {
            s.seeds().add(Label.parse("acme-aws"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), NOW);
            s.seeds().add(Label.parse("acme-vpn"), SeedParser.parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), NOW);
            // Removed and added again: version 2, and seed_label_versions remembers it.
            s.seeds().remove(Label.parse("acme-vpn"));
            s.seeds().add(Label.parse("acme-vpn"), SeedParser.parse("MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"), NOW);
            ciToken = s.tokens().create("ci", "acme-*", false, Optional.empty(), NOW).plaintext();
            s.tokens().create("bot", "*", true, Optional.of(NOW.plus(Duration.ofDays(90))), NOW);
            revokedToken = s.tokens().create("old", "*", false, Optional.empty(), NOW).plaintext();
            s.tokens().revoke("old", NOW);
            PolicyRepository policy = new PolicyRepository(s.database());
            cappedRule = policy.grant(new Rule("capped", Principal.parse("user:42"), LabelPattern.parse("acme-aws"),
                    Optional.empty(), OptionalInt.of(3), "ops", NOW));
            policy.grant(new Rule("timeboxed", Principal.parse("group:7"), LabelPattern.parse("acme-*"),
                    Optional.of(NOW.plus(Duration.ofDays(1))), OptionalInt.empty(), "ops", NOW));
            TenantRepository tenants = new TenantRepository(s.database());
            tenants.addPerson(new PersonId("ann"), "Ann", NOW);
            tenants.link(new PersonId("ann"), Identity.parse("zulip:42"), NOW);
            tenants.link(new PersonId("ann"), Identity.parse("email:ann@example.com"), NOW);
            dev.mfagate.core.console.Passkeys passkeys = new dev.mfagate.core.console.Passkeys(s.database());
            passkeys.add(new PersonId("ann"), "cred-ann", "Laptop", new byte[] {1, 2, 3}, 7, NOW);
            passkeys.markSensitive(Label.parse("acme-aws"), true, NOW);
            passkeys.issueChallenge("step-up", "not-carried", NOW);
            tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("ann")), Role.ADMIN, new TenantId("acme"), "ops", NOW));
            tenants.bind(new RoleBinding(new Holder.SsoGroup("mfa-ops"), Role.OPERATOR, Scope.ORGANISATION, "ops", NOW));
            // acme's seeds are wrapped under a KEK of its own, kept under the installation's (tenant_key).
            s.tenantKeys().set(new TenantId("acme"), "keyset", Map.of(), dev.mfagate.core.store.RotationListener.NONE);
            new DailyUsage(s.database()).tryConsume(cappedRule, "user:42", Label.parse("acme-aws"), NOW);
            new LockoutTracker(s.database(), new LockoutPolicy(1, Duration.ofMinutes(10), Duration.ofHours(1)))
                    .recordDenial("user:666", NOW);
            try (AuditLog log = AuditLog.builder(s.database(), s.keyring().auditMac()).build()) {
                List<CompletableFuture<Long>> written = new ArrayList<>();
                for (int i = 0; i < AUDIT_ENTRIES; i++) {
                    written.add(log.append(AuditEvent.builder(NOW.plusMillis(i), i % 3 == 0 ? Outcome.DENIED : Outcome.ALLOWED)
                            .requestId("req-" + i).route("/totp/{client}/{service}").label("acme-aws")
                            .zulipUser(i % 2 == 0 ? 42L : null, null).instanceId("one").build()));
                }
                for (CompletableFuture<Long> f : written) {
                    f.join();
                }
            }
        }
        sqliteFile = data.resolve(Store.DATABASE_FILE_NAME);
        keyring = Keyring.openFile(data.resolve(Store.KEYSET_FILE_NAME));
    }

    private int migrate(String... args) {
        var cl = InProcessCli.in(null).commandLine();
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("migrate"));
        all.addAll(List.of(args));
        return cl.execute(all.toArray(String[]::new));
    }

    private String emptyTarget() {
        return STORES.fresh(TestStores.Backend.POSTGRESQL, dir.resolve("t" + System.nanoTime())).databaseUrl();
    }

    private static final List<String> TABLES = StoreMigration.TABLES.stream().map(StoreMigration.Table::name).toList();

    private static Map<String, Long> counts(Database db) {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (String t : TABLES) {
            counts.put(t, db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM " + t).mapTo(Long.class).one()));
        }
        return counts;
    }

    /** seq and MAC of every audit entry, in order. */
    private static List<String> chain(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT seq, mac FROM audit_entry ORDER BY seq")
                .map((rs, ctx) -> rs.getLong(1) + ":" + HexFormat.of().formatHex(rs.getBytes(2))).list());
    }

    @Test
    void migrate_everyKindOfState_arrivesIntactAndVerified() throws Exception {
        String target = emptyTarget();
        List<String> sourceChain;
        Map<String, Long> sourceCounts;
        Map<Label, String> sourceCodes = new java.util.HashMap<>();
        try (Store source = Store.open(sqliteFile.getParent())) {
            sourceChain = chain(source.database());
            sourceCounts = counts(source.database());
            for (String l : List.of("acme-aws", "acme-vpn")) {
                TotpSeed seed = source.seeds().find(Label.parse(l)).orElseThrow();
                sourceCodes.put(Label.parse(l), TotpGenerator.codeAt(seed, NOW));
                seed.destroy();
            }
        }

        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", target)).as(err.toString()).isZero();

        try (Store moved = Store.open(Database.openPostgres(target, 2), keyring)) {
            for (var e : sourceCodes.entrySet()) {
                TotpSeed seed = moved.seeds().find(e.getKey()).orElseThrow();
                assertThat(TotpGenerator.codeAt(seed, NOW)).as("same seed for %s", e.getKey()).isEqualTo(e.getValue());
                seed.destroy();
            }
            assertThat(moved.seeds().info(Label.parse("acme-vpn")).orElseThrow().version()).isEqualTo(2);
            assertThat(moved.tokens().authenticate(ciToken, NOW)).isPresent();
            assertThat(moved.tokens().authenticate(revokedToken, NOW)).as("revoked stays revoked").isEmpty();
            assertThat(new PolicyRepository(moved.database()).list()).extracting(Rule::id).containsExactly("capped", "timeboxed");
            TenantRepository tenants = new TenantRepository(moved.database());
            assertThat(tenants.tenants()).extracting(t -> t.id().value()).containsExactly("acme");
            assertThat(tenants.personOf(Identity.parse("zulip:42"))).contains(new PersonId("ann"));
            assertThat(tenants.all()).extracting(b -> b.holder().text() + " " + b.role().text() + " " + b.scope())
                    .containsExactly("sso-group:mfa-ops operator organisation", "person:ann admin acme");
            dev.mfagate.core.console.Passkeys movedPasskeys = new dev.mfagate.core.console.Passkeys(moved.database());
            assertThat(movedPasskeys.find("cred-ann")).hasValueSatisfying(p -> {
                assertThat(p.passkey().name()).isEqualTo("Laptop");
                assertThat(p.signCount()).isEqualTo(7);
                assertThat(p.attestedData()).containsExactly(1, 2, 3);
            });
            assertThat(movedPasskeys.isSensitive(Label.parse("acme-aws"))).isTrue();
            assertThat(moved.tenantKeys().list()).extracting(k -> k.tenant().value() + " " + k.reference() + " " + k.health())
                    .containsExactly("acme keyset ok");
            assertThat(moved.tokens().list()).extracting(t -> t.name() + " " + t.owner())
                    .containsExactlyInAnyOrder("ci acme", "bot organisation", "old organisation");
            assertThat(new DailyUsage(moved.database()).usesOn(cappedRule, "user:42", Label.parse("acme-aws"), NOW)).isEqualTo(1);
            assertThat(new LockoutTracker(moved.database(), LockoutPolicy.defaults()).check("user:666", NOW))
                    .isInstanceOf(LockoutStatus.Locked.class);

            List<String> movedChain = chain(moved.database());
            // Same seqs and MACs, then the migration's own ADMIN entry.
            assertThat(movedChain).hasSize(AUDIT_ENTRIES + 1);
            assertThat(movedChain.subList(0, sourceChain.size())).isEqualTo(sourceChain);
            assertThat(new AuditVerifier(moved.database(), keyring.auditMac()).verify())
                    .isEqualTo(new VerificationResult.Intact(sourceChain.size() + 1L));
            Map<String, Long> movedCounts = counts(moved.database());
            movedCounts.merge("audit_entry", -1L, Long::sum);
            assertThat(movedCounts).isEqualTo(sourceCounts);
        }
    }

    @Test
    void migrate_targetNotEmpty_refusedAndTargetUnchanged() throws Exception {
        String target = emptyTarget();
        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", target)).as(err.toString()).isZero();
        Map<String, Long> before;
        try (Database db = Database.openPostgres(target, 2)) {
            before = counts(db);
        }
        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", target)).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("not empty").contains("seeds").contains("audit_entry");
        try (Database db = Database.openPostgres(target, 2)) {
            assertThat(counts(db)).isEqualTo(before);
        }
    }

    @Test
    void migrate_failureBeforeCommit_targetLeftEmpty() throws Exception {
        String target = emptyTarget();
        try (Store source = Store.open(sqliteFile.getParent()); Database db = Database.openPostgres(target, 2)) {
            StoreMigration migration = new StoreMigration(source, db, keyring, () -> {
                throw new IllegalStateException("connection lost");
            });
            assertThatThrownBy(() -> migration.run(() -> Database.openPostgres(target, 2))).hasMessage("connection lost");
            assertThat(counts(db).values()).as("nothing of a failed migration remains")
                    .containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 1L, 0L, 0L);
            long headSeq = db.jdbi().withHandle(h -> h.createQuery("SELECT seq FROM audit_head").mapTo(Long.class).one());
            assertThat(headSeq).isZero();
        }
        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", target)).as("a later attempt succeeds").isZero();
    }

    @Test
    void migrate_tamperedSourceChain_refusedNothingCopied() throws Exception {
        try (Database db = Database.openSqlite(sqliteFile)) {
            db.jdbi().useHandle(h -> h.execute("UPDATE audit_entry SET reason = 'edited' WHERE seq = 17"));
        }
        String target = emptyTarget();
        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", target)).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("audit chain does not verify").contains("17");
        try (Database db = Database.openPostgres(target, 2)) {
            assertThat(counts(db).get("audit_entry")).isZero();
            assertThat(counts(db).get("seeds")).isZero();
        }
    }

    @Test
    void migrate_keysetOfAnotherStore_refused() throws Exception {
        Path other = dir.resolve("other");
        Store.init(other).close();
        String target = emptyTarget();
        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", target,
                "--keyset", other.resolve(Store.KEYSET_FILE_NAME).toString())).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("does not hold KEK");
    }

    @Test
    void migrate_badArguments_exit2() {
        assertThat(migrate("--from", "postgresql://x/y", "--to", "postgresql://x/z")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(migrate("--from", "sqlite:" + sqliteFile, "--to", "sqlite:/tmp/x.db")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(migrate("--from", "sqlite:" + dir.resolve("nothing.db"), "--to", "postgresql://x/z")).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("No SQLite store at");
    }
}
