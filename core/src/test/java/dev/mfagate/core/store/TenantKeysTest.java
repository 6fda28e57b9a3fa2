package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.testing.SoftHsm;
import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-tenant keys on SQLite and PostgreSQL: tenant {@code acme} with its KEK in a real PKCS#11 token
 * (SoftHSM2), tenant {@code beta} with its own KEK wrapped under the installation's keyset file, and
 * tenant {@code gamma} on the installation's KEK. Every change keeps every seed opening on this
 * instance and on another one, touches no other tenant's data keys, and leaves the audit chain
 * intact; revoking one tenant's key, or losing its provider, refuses only that tenant.
 */
class TenantKeysTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final TenantId ACME = TenantId.parse("acme");
    private static final TenantId BETA = TenantId.parse("beta");

    private static SoftHsm hsm;
    private static String reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void token() {
        hsm = SoftHsm.forThisJvm();
        String label = "tenant-kek-" + UUID.randomUUID();
        hsm.generateAesKey(label);
        reference = hsm.reference(label);
    }

    private static Map<String, String> env() {
        return Map.of("MFAGATE_PKCS11_PIN", SoftHsm.PIN);
    }

    private Store open(TestDatabase db, Map<String, String> environment) {
        return Store.open(db.openAnother(), Keyring.openFile(dir.resolve("keyset.json")), environment);
    }

    private static Map<Label, TotpSeed> addSeeds(Store store, String... labels) {
        Map<Label, TotpSeed> seeds = new LinkedHashMap<>();
        for (String l : labels) {
            seeds.put(Label.parse(l), TestSeeds.random());
        }
        store.seeds().addAll(List.copyOf(seeds.entrySet()), NOW);
        return seeds;
    }

    private static void assertSeeds(Store store, Map<Label, TotpSeed> seeds) {
        seeds.forEach((label, seed) -> assertThat(store.seeds().find(label).orElseThrow().secret()
                .equalsSecretBytes(seed.secret())).as(label.value()).isTrue());
    }

    private static Map<Label, TotpSeed> of(Map<Label, TotpSeed> seeds, String tenant) {
        Map<Label, TotpSeed> result = new LinkedHashMap<>();
        seeds.forEach((l, s) -> {
            if (l.client().equals(tenant)) {
                result.put(l, s);
            }
        });
        return result;
    }

    private static Map<String, String> kekIds(Store store) {
        Map<String, String> ids = new LinkedHashMap<>();
        store.database().jdbi().useHandle(h -> h.createQuery("SELECT label, kek_id FROM seeds ORDER BY label")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(e -> ids.put(e.getKey(), e.getValue())));
        return ids;
    }

    private static void auditAndVerify(Store store, String what) {
        try (AuditLog log = AuditLog.builder(store.database(), store.keyring().auditMac()).build()) {
            log.appendDurably(AuditEvent.builder(NOW, Outcome.ADMIN).route("test").reason(what).instanceId("test").build());
        }
        assertThat(new AuditVerifier(store.database(), store.keyring().auditMac()).verify().isIntact()).as(what).isTrue();
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void set_pkcs11AndKeysetTenants_onlyTheirDataKeysMoveAndEverySeedOpensHereAndElsewhere(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store a = Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json")), env());
                Store b = open(db, env())) {
            Map<Label, TotpSeed> seeds = addSeeds(a, "acme-aws", "acme-db-prod", "beta-portal", "gamma-x");
            String installationKek = a.keyring().kek().primaryKeyId();

            TenantKeyChange acme = a.tenantKeys().set(ACME, reference, env(), RotationListener.NONE);
            TenantKeyChange beta = a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE);
            auditAndVerify(a, "tenant keys set");

            assertThat(acme.fromReference()).isEqualTo("installation");
            assertThat(acme.toReference()).isEqualTo(reference);
            assertThat(acme.rewrappedDataKeys()).isEqualTo(2);
            assertThat(beta.rewrappedDataKeys()).isEqualTo(1);
            assertThat(kekIds(a)).containsEntry("acme-aws", acme.newKekId()).containsEntry("acme-db-prod", acme.newKekId())
                    .containsEntry("beta-portal", beta.newKekId()).containsEntry("gamma-x", installationKek);
            assertSeeds(a, seeds);
            assertSeeds(b, seeds);
            Map<Label, TotpSeed> more = addSeeds(b, "acme-new", "gamma-new");
            assertThat(kekIds(a)).containsEntry("acme-new", acme.newKekId()).containsEntry("gamma-new", installationKek);
            assertSeeds(a, more);
            byte[] wrapped = a.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT wrapped_keyset FROM tenant_key WHERE tenant_id = 'acme'").mapTo(byte[].class).one());
            assertThat(new String(wrapped, StandardCharsets.ISO_8859_1)).as("the row holds ciphertext, not the keyset")
                    .doesNotContain("AesGcmKey").contains("mfagate-wrapped-keyset/1");
            assertThat(a.tenantKeys().health()).containsEntry(ACME, "ok").containsEntry(BETA, "ok").hasSize(2);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void check_aKeySetOnAnotherInstance_isLoadedWithoutWaitingForItsTenantsFirstCode(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store a = Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json")), env());
                Store b = open(db, env())) {
            addSeeds(a, "beta-portal");
            a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE);
            assertThat(b.tenantKeys().health()).containsEntry(BETA, "not loaded");
            // The readiness interval's check: before, it skipped a key it had not loaded, and /readyz stayed degraded.
            b.tenantKeys().check();
            assertThat(b.tenantKeys().health()).containsEntry(BETA, "ok");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateRetire_tenantKeyAndInstallationKey_otherInstanceKeepsServingAndAuditVerifies(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store a = Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json")), env());
                Store b = open(db, env())) {
            Map<Label, TotpSeed> seeds = addSeeds(a, "acme-aws", "beta-portal", "gamma-x");
            a.tenantKeys().set(ACME, reference, env(), RotationListener.NONE);
            a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE);
            assertSeeds(b, seeds);
            String gammaKek = kekIds(a).get("gamma-x");

            TenantKeyChange rotated = a.tenantKeys().rotate(ACME, RotationListener.NONE);
            assertThat(kekIds(a)).containsEntry("acme-aws", rotated.newKekId()).containsEntry("gamma-x", gammaKek);
            assertSeeds(b, seeds);
            KeyRetirement retired = a.tenantKeys().retire(ACME);
            assertThat(retired.retiredKekIds()).containsExactly(rotated.previousKekId());
            a.tenantKeys().rotate(BETA, RotationListener.NONE);
            a.tenantKeys().retire(BETA);
            auditAndVerify(a, "tenant keys rotated and retired");
            assertSeeds(b, seeds);

            // The installation's own rotation leaves the tenants' data keys alone and re-wraps beta's keyset.
            KeyRotation installation = a.rotateKeys();
            assertThat(installation.rewrappedDataKeys()).as("only gamma's seed is the installation's").isEqualTo(1);
            a.retireKeys();
            auditAndVerify(a, "installation rotated and retired");
            assertSeeds(a, seeds);
            try (Store c = open(db, env())) {
                assertThat(c.tenantKeys().loadAll()).isEmpty();
                assertSeeds(c, seeds);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void installationMigrate_fileToPkcs11AndBack_tenantKeysStayAndEverySeedOpens(Dialect backend) {
        Path keysetFile = dir.resolve("keyset.json");
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Map<Label, TotpSeed> seeds;
            String installationLabel = "installation-kek-" + UUID.randomUUID();
            hsm.generateAesKey(installationLabel);
            try (Store a = Store.open(db.openAnother(), Keyring.createFile(keysetFile), env())) {
                seeds = addSeeds(a, "acme-aws", "beta-portal", "gamma-x");
                TenantKeyChange acme = a.tenantKeys().set(ACME, reference, env(), RotationListener.NONE);
                a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE);

                KeyMigration toHsm = a.migrateKeys(hsm.reference(installationLabel), env(), keysetFile, RotationListener.NONE);

                assertThat(toHsm.rewrappedDataKeys()).as("only gamma's seed is the installation's").isEqualTo(1);
                assertThat(kekIds(a)).containsEntry("acme-aws", acme.newKekId());
                assertSeeds(a, seeds);
                a.retireKeys();
                auditAndVerify(a, "installation moved to the HSM");
            }
            try (Store b = Store.open(db.openAnother(), env(), () -> {
                throw new AssertionError("the keys live in the HSM now");
            })) {
                assertThat(b.tenantKeys().loadAll()).isEmpty();
                assertSeeds(b, seeds);
                b.migrateKeys("file", env(), keysetFile, RotationListener.NONE);
                assertSeeds(b, seeds);
                auditAndVerify(b, "installation back in the file");
            }
            try (Store c = open(db, env())) {
                assertSeeds(c, seeds);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void revoke_oneTenantsKey_onlyItsSeedsRefuseOnEveryInstance(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store a = Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json")), env());
                Store b = open(db, env())) {
            Map<Label, TotpSeed> seeds = addSeeds(a, "acme-aws", "beta-portal", "gamma-x");
            a.tenantKeys().set(ACME, reference, env(), RotationListener.NONE);
            a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE);
            assertSeeds(b, seeds);

            assertThat(a.tenantKeys().revoke(BETA)).isEqualTo(1);
            auditAndVerify(a, "beta revoked");

            assertThatThrownBy(() -> a.seeds().find(Label.parse("beta-portal")))
                    .isInstanceOfSatisfying(TenantKeyUnavailableException.class, e -> assertThat(e.revoked()).isTrue())
                    .hasMessageContaining("tenant beta was revoked");
            Thread.sleep(1_100); // b looks at the tenant keys' generations at most once a second
            assertThat(b.seeds().findSealed(Label.parse("beta-portal")).orElseThrow().tenantKeyProblem())
                    .hasValueSatisfying(e -> assertThat(e.revoked()).isTrue());
            seeds.remove(Label.parse("beta-portal"));
            assertSeeds(a, seeds);
            assertSeeds(b, seeds);
            assertThat(b.tenantKeys().health()).containsEntry(BETA, "revoked").containsEntry(ACME, "ok");
            int erased = a.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM tenant_key WHERE tenant_id = 'beta' AND wrapped_keyset IS NULL").mapTo(Integer.class).one());
            assertThat(erased).as("the wrapped keyset is erased").isEqualTo(1);
            assertThatThrownBy(() -> a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("its 1 seed cannot be opened any more: remove it (mfagate seed remove LABEL)");
            a.seeds().remove(Label.parse("beta-portal"));
            a.tenantKeys().set(BETA, "keyset", env(), RotationListener.NONE);
            Map<Label, TotpSeed> again = addSeeds(a, "beta-portal");
            assertSeeds(b, again);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void open_tenantProviderRefuses_onlyThatTenantIsUnavailableNamingProviderAndKey(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Map<Label, TotpSeed> seeds;
            try (Store a = Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json")), env())) {
                seeds = addSeeds(a, "acme-aws", "gamma-x");
                a.tenantKeys().set(ACME, reference, env(), RotationListener.NONE);
            }
            // No PIN for the token (a wrong PIN is tested in a process of its own, KeyProvidersIT: SoftHSM2
            // keeps a JVM logged in once any session has logged in).
            try (Store b = open(db, Map.of())) {
                Map<TenantId, String> problems = b.tenantKeys().loadAll();

                assertThat(problems).containsOnlyKeys(ACME);
                assertThat(problems.get(ACME)).contains(reference).contains("misconfigured").contains("MFAGATE_PKCS11_PIN");
                assertThat(b.tenantKeys().health().get(ACME)).startsWith("unavailable: ");
                assertThatThrownBy(() -> b.seeds().find(Label.parse("acme-aws")))
                        .isInstanceOfSatisfying(TenantKeyUnavailableException.class, e -> assertThat(e.revoked()).isFalse())
                        .hasMessageContaining(reference);
                assertSeeds(b, of(seeds, "gamma"));
                assertThatThrownBy(() -> b.tenantKeys().rotate(ACME, RotationListener.NONE))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing was changed");
            }
            // The tenant's own credentials: MFAGATE_TENANT_ACME_<NAME> stands for <NAME> for acme only.
            try (Store c = open(db, Map.of("MFAGATE_TENANT_ACME_MFAGATE_PKCS11_PIN", SoftHsm.PIN))) {
                assertThat(c.tenantKeys().loadAll()).isEmpty();
                assertSeeds(c, seeds);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void set_providerRefusesOrNoSuchTenant_nothingChanges(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store a = Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json")), env())) {
            Map<Label, TotpSeed> seeds = addSeeds(a, "acme-aws");
            Map<String, String> before = kekIds(a);

            assertThatThrownBy(() -> a.tenantKeys().set(ACME, hsm.reference("no-such-key"), env(), RotationListener.NONE))
                    .isInstanceOf(KeyProviderException.class).hasMessageContaining("object=no-such-key");
            assertThatThrownBy(() -> a.tenantKeys().set(TenantId.parse("nobody"), "keyset", env(), RotationListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("No tenant nobody");
            assertThatThrownBy(() -> TenantKeys.normalize("file")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--provider");

            assertThat(kekIds(a)).isEqualTo(before);
            assertThat(a.tenantKeys().list()).isEmpty();
            assertSeeds(a, seeds);
        }
    }
}
