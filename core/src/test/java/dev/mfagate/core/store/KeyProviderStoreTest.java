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
import dev.mfagate.core.testing.SoftHsm;
import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store with its keyset wrapped under a real PKCS#11 key (SoftHSM2), on SQLite and PostgreSQL:
 * initialised without a keyset file, reopened by another instance, rotated and retired while that
 * instance keeps serving, and moved from the keyset file to the HSM and back with every seed and
 * the audit chain intact.
 */
class KeyProviderStoreTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Supplier<Keyring> NO_FILE = () -> {
        throw new AssertionError("a provider store must not ask for a keyset file");
    };

    private static SoftHsm hsm;
    private static String reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void token() {
        hsm = SoftHsm.forThisJvm();
        String label = "store-kek-" + UUID.randomUUID();
        hsm.generateAesKey(label);
        reference = hsm.reference(label);
    }

    private static Map<String, String> env() {
        return Map.of("MFAGATE_PKCS11_PIN", SoftHsm.PIN);
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

    private static void audit(Store store, String what) {
        try (AuditLog log = AuditLog.builder(store.database(), store.keyring().auditMac()).build()) {
            log.appendDurably(AuditEvent.builder(NOW, Outcome.ADMIN).route("test").reason(what).instanceId("test").build());
        }
    }

    private static void assertAuditIntact(Store store) {
        assertThat(new AuditVerifier(store.database(), store.keyring().auditMac()).verify().isIntact()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void initWithProvider_reopenedByAnotherInstance_opensSeedsWithoutAnyKeysetFile(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Map<Label, TotpSeed> seeds;
            try (Store store = Store.initWithProvider(db.openAnother(), reference, env())) {
                seeds = addSeeds(store, "acme-aws", "acme-github");
                assertThat(store.keyring().providerReference()).isEqualTo(reference);
            }
            try (Store other = Store.open(db.openAnother(), env(), NO_FILE)) {
                assertSeeds(other, seeds);
            }
            byte[] wrapped = db.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT wrapped_keyset FROM key_provider").mapTo(byte[].class).one());
            assertThat(new String(wrapped, StandardCharsets.ISO_8859_1)).as("the row holds ciphertext, not the keyset")
                    .doesNotContain("AesGcmKey").doesNotContain("HmacKey").contains("mfagate-wrapped-keyset/1");
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("keyset"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateThenRetire_onOneInstance_theOtherReloadsFromTheDatabaseAndKeepsServing(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store a = Store.initWithProvider(db.openAnother(), reference, env());
                Store b = Store.open(db.openAnother(), env(), NO_FILE)) {
            Map<Label, TotpSeed> seeds = addSeeds(a, "acme-aws", "acme-github", "beta-portal");
            audit(a, "before");
            String before = b.keyring().kek().primaryKeyId();

            KeyRotation rotation = a.rotateKeys();

            assertThat(b.keyring().kek().holds(rotation.newKekId())).as("b has not reloaded yet").isFalse();
            assertSeeds(b, seeds);
            assertThat(b.keyring().kek().primaryKeyId()).as("b reloaded the keyset from the database").isEqualTo(rotation.newKekId());
            addSeeds(b, "beta-new");

            KeyRetirement retirement = a.retireKeys();

            assertThat(retirement.retiredKekIds()).containsExactly(before);
            assertSeeds(b, seeds);
            audit(b, "after");
            assertAuditIntact(a);
            try (Store c = Store.open(db.openAnother(), env(), NO_FILE)) {
                assertThat(c.keyring().kek().keyIds()).containsExactly(rotation.newKekId());
                assertSeeds(c, seeds);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void migrate_fileToPkcs11AndBack_everySeedOpensAndTheAuditChainVerifies(Dialect backend) throws Exception {
        Path keysetFile = dir.resolve("keyset.json");
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Map<Label, TotpSeed> seeds;
            try (Store store = Store.open(db.openAnother(), Keyring.createFile(keysetFile))) {
                seeds = addSeeds(store, "acme-aws", "acme-github");
                audit(store, "file");

                KeyMigration toHsm = store.migrateKeys(reference, env(), keysetFile, RotationListener.NONE);

                assertThat(toHsm.fromReference()).isEqualTo("file");
                assertThat(toHsm.toReference()).isEqualTo(reference);
                assertThat(toHsm.rewrappedDataKeys()).isEqualTo(2);
                assertThat(keysetFile).doesNotExist();
                assertThat(toHsm.movedKeysetFile()).hasValueSatisfying(p -> assertThat(p).exists());
                assertSeeds(store, seeds);
                audit(store, "after moving to the HSM");
                assertAuditIntact(store);
            }
            try (Store store = Store.open(db.openAnother(), env(), NO_FILE)) {
                assertSeeds(store, seeds);
                assertAuditIntact(store);
                KeyMigration back = store.migrateKeys("file", env(), keysetFile, RotationListener.NONE);
                assertThat(back.toReference()).isEqualTo("file");
                assertThat(keysetFile).exists();
                audit(store, "back in the file");
            }
            try (Store store = Store.open(db.openAnother(), Keyring.openFile(keysetFile))) {
                assertSeeds(store, seeds);
                assertAuditIntact(store);
                assertThat(Store.keyProviderReference(store.database())).hasValue("file");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void migrate_providerRefuses_nothingChanges(Dialect backend) throws Exception {
        Path keysetFile = dir.resolve("keyset.json");
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store store = Store.open(db.openAnother(), Keyring.createFile(keysetFile))) {
            Map<Label, TotpSeed> seeds = addSeeds(store, "acme-aws");
            String keysetBefore = Files.readString(keysetFile);
            String kekBefore = store.keyring().kek().primaryKeyId();

            assertThatThrownBy(() -> store.migrateKeys(hsm.reference("no-such-key"), env(), keysetFile, RotationListener.NONE))
                    .isInstanceOf(KeyProviderException.class)
                    .hasMessageContaining("object=no-such-key");

            assertThat(Files.readString(keysetFile)).isEqualTo(keysetBefore);
            assertThat(Store.keyProviderReference(store.database())).hasValue("file");
            assertThat(store.keyring().kek().primaryKeyId()).isEqualTo(kekBefore);
            assertSeeds(store, seeds);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void open_keysetFileForAProviderStore_refusedNamingWhereTheKeysLive(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Store.initWithProvider(db.openAnother(), reference, env()).close();

            assertThatThrownBy(() -> Store.open(db.openAnother(), Keyring.createFile(dir.resolve("keyset.json"))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("live in " + reference);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void retire_beforeRotationFinished_refusedAndKeepsTheOldKek(Dialect backend) {
        Path keysetFile = dir.resolve("keyset.json");
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store store = Store.open(db.openAnother(), Keyring.createFile(keysetFile))) {
            Map<Label, TotpSeed> seeds = addSeeds(store, "acme-aws");
            store.keyring().addPrimaryKek(); // a rotation stopped after its first step

            assertThatThrownBy(store::retireKeys).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("rotation is unfinished");

            assertThat(Keyring.openFile(keysetFile).kek().keyIds()).hasSize(2);
            assertSeeds(store, seeds);
        }
    }
}
