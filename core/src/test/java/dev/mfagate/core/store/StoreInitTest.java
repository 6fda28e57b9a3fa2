package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreInitTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Label AWS = Label.parse("acme-aws");

    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void init_missingDirectory_createsDir0700Keyset0600AndDatabase0600() throws Exception {
        Path dataDir = tmp.resolve("data");

        try (Store store = Store.init(dataDir)) {
            store.seeds().add(AWS, TestSeeds.random(), NOW);

            assertThat(mode(dataDir)).isEqualTo("rwx------");
            assertThat(mode(dataDir.resolve("keyset.json"))).isEqualTo("rw-------");
            assertThat(mode(dataDir.resolve("mfagate.db"))).isEqualTo("rw-------");
            assertThat(mode(dataDir.resolve("mfagate.db-wal"))).isEqualTo("rw-------");
            int secureDelete = store.database().jdbi().withHandle(h -> h.createQuery("PRAGMA secure_delete").mapTo(Integer.class).one());
            assertThat(secureDelete).isEqualTo(1);
        }
    }

    @Test
    void init_keysetExists_refusesAndLeavesItUntouched() throws Exception {
        Files.writeString(tmp.resolve("keyset.json"), "precious");

        assertThatThrownBy(() -> Store.init(tmp))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Refusing to initialise")
                .hasMessageContaining("keyset.json already exists")
                .hasMessageContaining("never overwritten");
        assertThat(Files.readString(tmp.resolve("keyset.json"))).isEqualTo("precious");
        assertThat(tmp.resolve("mfagate.db")).doesNotExist();
    }

    @Test
    void init_databaseExists_refusesAndCreatesNoKeyset() throws Exception {
        Files.writeString(tmp.resolve("mfagate.db"), "precious");

        assertThatThrownBy(() -> Store.init(tmp))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mfagate.db already exists");
        assertThat(Files.readString(tmp.resolve("mfagate.db"))).isEqualTo("precious");
        assertThat(tmp.resolve("keyset.json")).doesNotExist();
    }

    @Test
    void init_twice_secondRefusesAndStoreStillOpens() {
        Store.init(tmp).close();

        assertThatThrownBy(() -> Store.init(tmp)).isInstanceOf(IllegalStateException.class);
        Store.open(tmp).close();
    }

    @Test
    void open_emptyDirectory_saysRunInit() {
        assertThatThrownBy(() -> Store.open(tmp))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("No mfagate store in " + tmp.toAbsolutePath() + "; run mfagate init");
    }

    @Test
    void open_missingDirectory_saysRunInit() {
        assertThatThrownBy(() -> Store.open(tmp.resolve("nowhere")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("run mfagate init");
    }

    @Test
    void open_keysetMissing_saysRestoreItAndNotToInit() throws Exception {
        Store.init(tmp).close();
        Files.delete(tmp.resolve("keyset.json"));

        assertThatThrownBy(() -> Store.open(tmp))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no keyset.json")
                .hasMessageContaining("restore it from a backup");
    }

    @Test
    void open_emptyDatabaseFile_refusesAndLeavesItEmpty() throws Exception {
        Path data = tmp.resolve("data");
        Store.init(data).close();
        Files.write(data.resolve(Store.DATABASE_FILE_NAME), new byte[0]);
        Files.deleteIfExists(data.resolve(Store.DATABASE_FILE_NAME + "-wal"));
        Files.deleteIfExists(data.resolve(Store.DATABASE_FILE_NAME + "-shm"));
        assertThatThrownBy(() -> Store.open(data)).isInstanceOf(IllegalStateException.class)
                .hasMessage("The store in " + data.toAbsolutePath() + " has an empty mfagate.db; restore the database from a backup");
        assertThat(Files.size(data.resolve(Store.DATABASE_FILE_NAME))).isZero();
    }

    @Test
    void open_keysetNotJson_refusesWithTheKeysetsReasonAsWhenReadAlone() throws Exception {
        // The keyset is read on a thread of its own while the database opens: its failure is still
        // the one the caller gets, of the same type and words.
        Store.init(tmp).close();
        Files.writeString(tmp.resolve("keyset.json"), "{\"kek\": \"SUPERSECRETVALUE\"");

        assertThatThrownBy(() -> Store.open(tmp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not valid JSON")
                .message().doesNotContain("SUPERSECRETVALUE");
    }

    @Test
    void open_afterInit_findsSeedsStoredBefore() {
        TotpSeed seed = TestSeeds.random();
        try (Store store = Store.init(tmp)) {
            store.seeds().add(AWS, seed, NOW);
        }

        try (Store store = Store.open(tmp)) {
            assertThat(store.seeds().find(AWS).orElseThrow().secret().equalsSecretBytes(seed.secret())).isTrue();
        }
    }

    @Test
    void open_withAnotherStoresKeyset_refusesNamingTheKek() throws Exception {
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        Store.init(ours).close();
        Store.init(theirs).close();
        Files.copy(theirs.resolve("keyset.json"), ours.resolve("keyset.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> Store.open(ours))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not hold KEK")
                .hasMessageContaining("it is not this store's keyset");
    }

    @Test
    void open_withEnvironmentKeyset_findsSeeds() throws Exception {
        TotpSeed seed = TestSeeds.random();
        try (Store store = Store.init(tmp)) {
            store.seeds().add(AWS, seed, NOW);
        }
        Keyring fromEnv = Keyring.fromEnvironment(Map.of("MFAGATE_KEYSET", Files.readString(tmp.resolve("keyset.json"))));

        try (Store store = Store.open(Database.openSqlite(tmp.resolve("mfagate.db")), fromEnv)) {
            assertThat(store.seeds().find(AWS).orElseThrow().secret().equalsSecretBytes(seed.secret())).isTrue();
            assertThatThrownBy(store::rotateKeys)
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("environment variable MFAGATE_KEYSET")
                    .hasMessageContaining("read-only");
        }
    }
}
