package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.crypto.SeedDecryptionException;
import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SeedRepositoryTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Label AWS = Label.parse("acme-aws");
    private static final Label GITHUB = Label.parse("acme-github");
    private static final Label DEMO = Label.parse("client-demo");

    @TempDir
    Path dir;

    private Store store(TestDatabase db) {
        return Store.open(db.database(), Keyring.createFile(dir.resolve("keyset.json")));
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void findSealed_anotherReadOfTheRowHangs_waitsAtMostLoadWaitThenReadsItself(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(AWS, TestSeeds.random(), NOW);   // not cached: the next read goes to the database
            var lock = store.seeds().loadLock(AWS);
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread stuckRead = Thread.ofPlatform().start(() -> {
                lock.lock();
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock.unlock();
                }
            });
            try {
                assertThat(held.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                long t0 = System.nanoTime();
                var row = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> store.seeds().findSealed(AWS));
                assertThat(row).as("read by the waiting request itself").isPresent();
                assertThat(row.orElseThrow().label()).isEqualTo(AWS);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("it waited for the other read first")
                        .isGreaterThanOrEqualTo(SeedRepository.LOAD_WAIT);
            } finally {
                release.countDown();
                stuckRead.join();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void add_newLabel_findReturnsSameSecretAndParameters(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            TotpParameters parameters = new TotpParameters(HmacAlgorithm.SHA256, 8, Duration.ofSeconds(60));
            TotpSeed seed = new TotpSeed(SecretBytes.copyOf(TestSeeds.randomBytes(32)), parameters, "AWS", "root@acme");

            store.seeds().add(AWS, seed, NOW);
            TotpSeed found = store.seeds().find(AWS).orElseThrow();

            assertThat(found.secret().equalsSecretBytes(seed.secret())).isTrue();
            assertThat(found.parameters()).isEqualTo(parameters);
            assertThat(found.issuer()).contains("AWS");
            assertThat(found.accountName()).contains("root@acme");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void find_unknownLabel_isEmpty(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            assertThat(store.seeds().find(AWS)).isEmpty();
            assertThat(store.seeds().info(AWS)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void add_labelTaken_throwsDuplicateNamingItAndKeepsTheFirst(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            TotpSeed first = TestSeeds.random();
            store.seeds().add(AWS, first, NOW);

            assertThatThrownBy(() -> store.seeds().add(AWS, TestSeeds.random(), NOW))
                    .isInstanceOfSatisfying(DuplicateLabelException.class, e -> assertThat(e.label()).isEqualTo(AWS))
                    .hasMessageContaining("'acme-aws' is already in the store");
            assertThat(store.seeds().find(AWS).orElseThrow().secret().equalsSecretBytes(first.secret())).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void addAll_oneLabelAlreadyStored_storesNothing(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(GITHUB, TestSeeds.random(), NOW);

            assertThatThrownBy(() -> store.seeds().addAll(List.of(
                            Map.entry(AWS, TestSeeds.random()),
                            Map.entry(GITHUB, TestSeeds.random()),
                            Map.entry(DEMO, TestSeeds.random())), NOW))
                    .isInstanceOf(DuplicateLabelException.class)
                    .hasMessageContaining("'acme-github'");
            assertThat(store.seeds().list()).extracting(SeedInfo::label).containsExactly(GITHUB);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void addAll_labelTwiceInBatch_storesNothing(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            assertThatThrownBy(() -> store.seeds().addAll(List.of(
                            Map.entry(AWS, TestSeeds.random()),
                            Map.entry(DEMO, TestSeeds.random()),
                            Map.entry(Label.parse("ACME-AWS"), TestSeeds.random())), NOW))
                    .isInstanceOf(DuplicateLabelException.class)
                    .hasMessageContaining("'acme-aws' appears more than once in the batch");
            assertThat(store.seeds().list()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void addAll_lastEntryUnencodable_storesNothing(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            TotpSeed tooLongIssuer = new TotpSeed(SecretBytes.copyOf(TestSeeds.randomBytes(20)), TotpParameters.DEFAULT,
                    "x".repeat(70_000), null);

            assertThatThrownBy(() -> store.seeds().addAll(List.of(
                            Map.entry(AWS, TestSeeds.random()),
                            Map.entry(DEMO, tooLongIssuer)), NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("issuer");
            assertThat(store.seeds().list()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void addAll_severalNewLabels_storesAll(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().addAll(List.of(
                    Map.entry(DEMO, TestSeeds.random()),
                    Map.entry(AWS, TestSeeds.random()),
                    Map.entry(GITHUB, TestSeeds.random())), NOW);

            assertThat(store.seeds().list()).extracting(SeedInfo::label).containsExactly(AWS, GITHUB, DEMO);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void list_storedSeeds_showsParametersInLabelOrder(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(GITHUB, new TotpSeed(SecretBytes.copyOf(TestSeeds.randomBytes(20)),
                    new TotpParameters(HmacAlgorithm.SHA512, 7, Duration.ofSeconds(45)), "GitHub", "ops"), NOW);
            store.seeds().add(AWS, TestSeeds.random(), NOW.plusSeconds(1));

            assertThat(store.seeds().list()).containsExactly(
                    new SeedInfo(AWS, HmacAlgorithm.SHA1, 6, 30, null, null, 1, NOW.plusSeconds(1)),
                    new SeedInfo(GITHUB, HmacAlgorithm.SHA512, 7, 45, "GitHub", "ops", 1, NOW));
            assertThat(store.seeds().info(GITHUB)).contains(
                    new SeedInfo(GITHUB, HmacAlgorithm.SHA512, 7, 45, "GitHub", "ops", 1, NOW));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void remove_storedLabel_removesItOnlyOnce(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(AWS, TestSeeds.random(), NOW);
            store.seeds().add(GITHUB, TestSeeds.random(), NOW);

            assertThat(store.seeds().remove(AWS)).isTrue();
            assertThat(store.seeds().remove(AWS)).isFalse();
            assertThat(store.seeds().find(AWS)).isEmpty();
            assertThat(store.seeds().list()).extracting(SeedInfo::label).containsExactly(GITHUB);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void add_afterRemove_getsNextVersion(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(AWS, TestSeeds.random(), NOW);
            store.seeds().remove(AWS);
            TotpSeed second = TestSeeds.random();

            store.seeds().add(AWS, second, NOW);

            assertThat(store.seeds().info(AWS).orElseThrow().version()).isEqualTo(2);
            assertThat(store.seeds().find(AWS).orElseThrow().secret().equalsSecretBytes(second.secret())).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void find_ciphertextCopiedFromAnotherLabel_throwsSayingItDoesNotBelong(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(AWS, TestSeeds.random(), NOW);
            store.seeds().add(GITHUB, TestSeeds.random(), NOW);

            db.database().jdbi().useHandle(h -> h.execute("UPDATE seeds SET"
                    + " kek_id = (SELECT kek_id FROM seeds WHERE label = 'acme-github'),"
                    + " wrapped_key = (SELECT wrapped_key FROM seeds WHERE label = 'acme-github'),"
                    + " ciphertext = (SELECT ciphertext FROM seeds WHERE label = 'acme-github')"
                    + " WHERE label = 'acme-aws'"));

            assertThatThrownBy(() -> store.seeds().find(AWS))
                    .isInstanceOfSatisfying(SeedDecryptionException.class, e -> {
                        assertThat(e.label()).isEqualTo(AWS);
                        assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.NOT_THIS_LABEL);
                    })
                    .hasMessageContaining("seed 'acme-aws'")
                    .hasMessageContaining("does not belong to it");
            assertThat(store.seeds().find(GITHUB)).isPresent();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void find_oldVersionsCiphertextRestored_throwsSayingItDoesNotBelong(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.seeds().add(AWS, TestSeeds.random(), NOW);
            Map<String, Object> v1 = db.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT kek_id, wrapped_key, ciphertext FROM seeds WHERE label = 'acme-aws'").mapToMap().one());
            store.seeds().remove(AWS);
            store.seeds().add(AWS, TestSeeds.random(), NOW);

            db.database().jdbi().useHandle(h -> h.createUpdate(
                            "UPDATE seeds SET kek_id = :k, wrapped_key = :w, ciphertext = :c WHERE label = 'acme-aws'")
                    .bind("k", (String) v1.get("kek_id"))
                    .bind("w", (byte[]) v1.get("wrapped_key"))
                    .bind("c", (byte[]) v1.get("ciphertext"))
                    .execute());

            assertThatThrownBy(() -> store.seeds().find(AWS))
                    .isInstanceOf(SeedDecryptionException.class)
                    .hasMessageContaining("'acme-aws' (version 2) does not belong to it");
        }
    }

    @Test
    void sqliteFileAndWal_afterAdds_holdNoSecretInClear() throws Exception {
        byte[] secret = TestSeeds.randomBytes(20);
        String base32 = TestSeeds.base32(secret);
        try (TestDatabase db = TestDatabases.sqlite(dir); Store store = store(db)) {
            store.seeds().add(AWS, TotpSeed.of(SecretBytes.copyOf(secret), TotpParameters.DEFAULT), NOW);
            store.seeds().find(AWS).orElseThrow();
            Path file = db.sqliteFile().orElseThrow();
            Path wal = file.resolveSibling(file.getFileName() + "-wal");
            assertThat(wal).exists();

            assertNoSecret(file, secret, base32);
            assertNoSecret(wal, secret, base32);
        }
        // Closing checkpoints the WAL into the main file.
        assertNoSecret(dir.resolve("mfagate-test.db"), secret, base32);
    }

    private static void assertNoSecret(Path file, byte[] secret, String base32) throws Exception {
        byte[] content = Files.readAllBytes(file);
        assertThat(content.length).as(file + " size").isPositive();
        assertThat(TestSeeds.contains(content, secret)).as("secret bytes in " + file.getFileName()).isFalse();
        for (String text : new String[] {base32, base32.toLowerCase(), HexFormat.of().formatHex(secret)}) {
            assertThat(TestSeeds.contains(content, text.getBytes(StandardCharsets.US_ASCII)))
                    .as("secret text in " + file.getFileName()).isFalse();
        }
    }

    @Test
    void seedInfo_outOfRangeFields_throwNamingValueAndRule() {
        assertThatThrownBy(() -> new SeedInfo(AWS, HmacAlgorithm.SHA1, 9, 30, null, null, 1, NOW))
                .hasMessage("Invalid digits 9; must be from 6 to 8");
        assertThatThrownBy(() -> new SeedInfo(AWS, HmacAlgorithm.SHA1, 6, 30, null, null, 0, NOW))
                .hasMessage("Invalid version 0; must be at least 1");
    }
}
