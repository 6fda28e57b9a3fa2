package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.crypto.EnvelopeCipher;
import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.crypto.SealedSeed;
import dev.mfagate.core.crypto.SeedDecryptionException;
import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyRotationTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final List<Label> LABELS = List.of(Label.parse("acme-aws"), Label.parse("acme-github"), Label.parse("client-demo"));

    @TempDir
    Path dir;

    private Path keysetFile() {
        return dir.resolve("keyset.json");
    }

    private Map<Label, TotpSeed> addSeeds(Store store) {
        Map<Label, TotpSeed> seeds = new LinkedHashMap<>();
        for (Label label : LABELS) {
            seeds.put(label, TestSeeds.random());
        }
        store.seeds().addAll(List.copyOf(seeds.entrySet()), NOW);
        return seeds;
    }

    private static void assertSecretsUnchanged(Store store, Map<Label, TotpSeed> seeds) {
        seeds.forEach((label, seed) -> assertThat(store.seeds().find(label).orElseThrow().secret()
                .equalsSecretBytes(seed.secret())).as(label.value()).isTrue());
    }

    private static List<Map<String, Object>> rows(TestDatabase db) {
        return db.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT label, version, kek_id, wrapped_key, ciphertext FROM seeds ORDER BY label").mapToMap().list());
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeys_storedSeeds_keepsEverySecretAndRewrapsEveryDataKey(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store store = Store.open(db.database(), Keyring.createFile(keysetFile()))) {
            Map<Label, TotpSeed> seeds = addSeeds(store);
            String before = store.keyring().kek().primaryKeyId();
            List<Map<String, Object>> rowsBefore = rows(db);

            KeyRotation rotation = store.rotateKeys();

            assertThat(rotation.previousKekId()).isEqualTo(before);
            assertThat(rotation.newKekId()).isNotEqualTo(before).isEqualTo(store.keyring().kek().primaryKeyId());
            assertThat(rotation.rewrappedDataKeys()).isEqualTo(3);
            assertSecretsUnchanged(store, seeds);
            List<Map<String, Object>> rowsAfter = rows(db);
            for (int i = 0; i < rowsAfter.size(); i++) {
                assertThat(rowsAfter.get(i).get("kek_id")).isEqualTo(rotation.newKekId());
                assertThat((byte[]) rowsAfter.get(i).get("ciphertext")).isEqualTo((byte[]) rowsBefore.get(i).get("ciphertext"));
                assertThat((byte[]) rowsAfter.get(i).get("wrapped_key")).isNotEqualTo((byte[]) rowsBefore.get(i).get("wrapped_key"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeys_aSeedThatDoesNotOpen_refusedNamingItKeysetAndDatabaseUnchanged(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store store = Store.open(db.database(), Keyring.createFile(keysetFile()))) {
            addSeeds(store);
            db.database().jdbi().useHandle(h -> h.createUpdate("UPDATE seeds SET wrapped_key = :w WHERE label = 'acme-github'")
                    .bind("w", new byte[] {0, 17}).execute());
            String keyset = Files.readString(keysetFile());
            List<Map<String, Object>> rowsBefore = rows(db);

            assertThatThrownBy(store::rotateKeys).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("The stored ciphertext of seed 'acme-github'")
                    .hasMessageEndingWith("; nothing was changed. Remove that seed (mfagate seed remove acme-github) and enrol"
                            + " it again, or restore the store from a backup");

            assertThat(Files.readString(keysetFile())).as("no KEK added").isEqualTo(keyset);
            List<Map<String, Object>> rowsAfter = rows(db);
            assertThat(rowsAfter).hasSameSizeAs(rowsBefore);
            for (int i = 0; i < rowsAfter.size(); i++) {
                assertThat(rowsAfter.get(i).get("kek_id")).isEqualTo(rowsBefore.get(i).get("kek_id"));
                assertThat((byte[]) rowsAfter.get(i).get("wrapped_key")).isEqualTo((byte[]) rowsBefore.get(i).get("wrapped_key"));
            }
            assertThat(store.seeds().remove(Label.parse("acme-github"))).isTrue();
            assertThat(store.rotateKeys().rewrappedDataKeys()).as("after removing it, the rotation goes through").isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeys_oldKeyset_cannotOpenTheNewWraps(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store store = Store.open(db.database(), Keyring.createFile(keysetFile()))) {
            addSeeds(store);
            Kek oldKek = Keyring.fromJson(Files.readString(keysetFile()), "keyset before rotation").kek();

            store.rotateKeys();

            for (Map<String, Object> row : rows(db)) {
                Label label = Label.parse((String) row.get("label"));
                int version = ((Number) row.get("version")).intValue();
                byte[] wrapped = (byte[]) row.get("wrapped_key");
                byte[] ciphertext = (byte[]) row.get("ciphertext");
                assertThatThrownBy(() -> EnvelopeCipher.open(oldKek, label, version,
                                new SealedSeed((String) row.get("kek_id"), wrapped, ciphertext)))
                        .isInstanceOfSatisfying(SeedDecryptionException.class,
                                e -> assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.KEK_NOT_HELD));
                // Even told that its own key wrapped it, the old KEK fails authentication.
                assertThatThrownBy(() -> EnvelopeCipher.open(oldKek, label, version,
                                new SealedSeed(oldKek.primaryKeyId(), wrapped, ciphertext)))
                        .isInstanceOfSatisfying(SeedDecryptionException.class,
                                e -> assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.NOT_THIS_LABEL));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeysThenRetire_keysetFile_keepsOldKekUntilRetiredThenHoldsOnlyTheNewWithMode0600(Dialect backend)
            throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store store = Store.open(db.database(), Keyring.createFile(keysetFile()))) {
            addSeeds(store);

            KeyRotation rotation = store.rotateKeys();

            assertThat(Keyring.openFile(keysetFile()).kek().keyIds())
                    .containsExactlyInAnyOrder(rotation.previousKekId(), rotation.newKekId());

            KeyRetirement retirement = store.retireKeys();

            assertThat(retirement.retiredKekIds()).containsExactly(rotation.previousKekId());
            assertThat(Keyring.openFile(keysetFile()).kek().keyIds()).containsExactly(rotation.newKekId());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keysetFile()))).isEqualTo("rw-------");
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains("keyset")))
                        .containsExactly("keyset.json");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeys_crashAfterKeysetGainedNewKek_storeStillOpensAndRotationCompletes(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Map<Label, TotpSeed> seeds;
            try (Store store = Store.open(db.openAnother(), Keyring.createFile(keysetFile()))) {
                seeds = addSeeds(store);
                store.keyring().addPrimaryKek(); // step 1 done, then the process dies
            }

            try (Store store = Store.open(db.openAnother(), Keyring.openFile(keysetFile()))) {
                assertSecretsUnchanged(store, seeds);
                assertThatThrownBy(() -> store.seeds().add(Label.parse("acme-new"), TestSeeds.random(), NOW))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("run `mfagate keys rotate` again");

                store.rotateKeys();
                store.retireKeys();

                assertSecretsUnchanged(store, seeds);
                assertThat(Keyring.openFile(keysetFile()).kek().keyIds()).hasSize(1);
                store.seeds().add(Label.parse("acme-new"), TestSeeds.random(), NOW);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeys_crashAfterDatabaseCommit_storeStillOpensAndRotationCompletes(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            Map<Label, TotpSeed> seeds;
            try (Store store = Store.open(db.openAnother(), Keyring.createFile(keysetFile()))) {
                seeds = addSeeds(store);
                store.keyring().addPrimaryKek();
                store.seeds().rewrapAll(store.keyring().kek()); // step 2 committed, then the process dies
            }

            try (Store store = Store.open(db.openAnother(), Keyring.openFile(keysetFile()))) {
                assertSecretsUnchanged(store, seeds);
                store.seeds().add(Label.parse("acme-new"), TestSeeds.random(), NOW);
                store.rotateKeys();
                store.retireKeys();
                assertSecretsUnchanged(store, seeds);
                assertThat(Keyring.openFile(keysetFile()).kek().keyIds()).hasSize(1);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void rotateKeys_byAnotherProcessSharingTheFile_otherProcessFindsAndAddsAfterward(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store gateway = Store.open(db.database(), Keyring.createFile(keysetFile()));
                Store cli = Store.open(db.openAnother(), Keyring.openFile(keysetFile()))) {
            Map<Label, TotpSeed> seeds = addSeeds(gateway);

            cli.rotateKeys();

            assertSecretsUnchanged(gateway, seeds);
            gateway.seeds().add(Label.parse("acme-new"), TestSeeds.random(), NOW);
            assertThat(cli.seeds().find(Label.parse("acme-new"))).isPresent();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void add_byProcessWithStaleReadOnlyKeyset_isRefusedAndStoresNothing(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir);
                Store rotating = Store.open(db.database(), Keyring.createFile(keysetFile()))) {
            Keyring stale = Keyring.fromJson(Files.readString(keysetFile()), "stale copy");
            try (Store elsewhere = Store.open(db.openAnother(), stale)) {
                rotating.rotateKeys();

                assertThatThrownBy(() -> elsewhere.seeds().add(Label.parse("acme-new"), TestSeeds.random(), NOW))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Not adding")
                        .hasMessageContaining("stale copy");
                assertThat(rotating.seeds().list()).isEmpty();
            }
        }
    }
}
