package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import dev.mfagate.core.testing.TestSeeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenRepositoryTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final String TOKEN_SHAPE = "mfg_[a-z2-7]{16}_[A-Za-z0-9_-]{43}";

    @TempDir
    Path dir;

    private Store store(TestDatabase db) {
        return Store.open(db.database(), Keyring.createFile(dir.resolve("keyset.json")));
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void create_validInput_returnsWellFormedTokenThatAuthenticates(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            CreatedToken created = store.tokens().create("Zulip-Bot", "acme-*", true, Optional.empty(), NOW);

            assertThat(created.plaintext()).matches(TOKEN_SHAPE).startsWith("mfg_" + created.info().id() + "_");
            assertThat(created.info()).isEqualTo(new TokenInfo(created.info().id(), "zulip-bot", "acme-*", true, NOW,
                    Optional.empty(), Optional.empty()));
            assertThat(store.tokens().authenticate(created.plaintext(), NOW.plusSeconds(60))).contains(created.info());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void create_twice_givesDifferentIdsAndSecrets(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            CreatedToken a = store.tokens().create("a", "*", false, Optional.empty(), NOW);
            CreatedToken b = store.tokens().create("b", "*", false, Optional.empty(), NOW);

            assertThat(a.info().id()).isNotEqualTo(b.info().id());
            assertThat(a.plaintext().substring(21)).isNotEqualTo(b.plaintext().substring(21));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void authenticate_rightIdWrongSecret_isEmpty(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            String token = store.tokens().create("bot", "*", false, Optional.empty(), NOW).plaintext();
            char last = token.charAt(token.length() - 1);
            String forged = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

            assertThat(store.tokens().authenticate(forged, NOW)).isEmpty();
            assertThat(store.tokens().authenticate(token, NOW)).isPresent();
        }
    }

    static Stream<Arguments> malformedTokens() {
        String good = "mfg_abcdefghijklmnop_" + "A".repeat(43);
        return Stream.of(
                Arguments.of("null", null),
                Arguments.of("empty", ""),
                Arguments.of("prefix only", "mfg_"),
                Arguments.of("wrong prefix", "mfx_abcdefghijklmnop_" + "A".repeat(43)),
                Arguments.of("upper-case id", "mfg_ABCDEFGHIJKLMNOP_" + "A".repeat(43)),
                Arguments.of("base32 digit 8 in id", "mfg_abcdefghijklmno8_" + "A".repeat(43)),
                Arguments.of("missing separator", "mfg_abcdefghijklmnopA" + "A".repeat(43)),
                Arguments.of("secret one short", good.substring(0, good.length() - 1)),
                Arguments.of("secret one long", good + "A"),
                Arguments.of("padding in secret", good.substring(0, good.length() - 1) + "="),
                Arguments.of("non-ASCII letter", good.substring(0, good.length() - 1) + "é"),
                Arguments.of("Arabic-Indic digit", good.substring(0, good.length() - 1) + "\u0663"),
                Arguments.of("surrounding space", " " + good.substring(1)),
                Arguments.of("SQL", "mfg_' OR '1'='1' --_" + "A".repeat(43)),
                Arguments.of("Bearer prefix", "Bearer " + good),
                Arguments.of("one megabyte", "mfg_" + "a".repeat(1 << 20)),
                Arguments.of("well-formed, unknown id", good));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedTokens")
    void authenticate_malformedOrUnknown_isEmptyAndNeverThrows(String what, String presented) {
        try (TestDatabase db = TestDatabases.sqlite(dir); Store store = store(db)) {
            store.tokens().create("bot", "*", false, Optional.empty(), NOW);

            assertThat(store.tokens().authenticate(presented, NOW)).as(what).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void authenticate_atOrAfterExpiry_isEmpty(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            Instant expiry = NOW.plus(Duration.ofHours(1));
            String token = store.tokens().create("temp", "client-demo", false, Optional.of(expiry), NOW).plaintext();

            assertThat(store.tokens().authenticate(token, expiry.minusMillis(1))).isPresent();
            assertThat(store.tokens().authenticate(token, expiry)).isEmpty();
            assertThat(store.tokens().authenticate(token, expiry.plusSeconds(3600))).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void revoke_byIdOrByName_rejectsTheTokenAtOnce(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            CreatedToken byId = store.tokens().create("one", "*", false, Optional.empty(), NOW);
            CreatedToken byName = store.tokens().create("two", "*", false, Optional.empty(), NOW);
            assertThat(store.tokens().authenticate(byId.plaintext(), NOW)).isPresent();
            assertThat(store.tokens().authenticate(byName.plaintext(), NOW)).isPresent();

            assertThat(store.tokens().revoke(byId.info().id(), NOW.plusSeconds(1))).isTrue();
            assertThat(store.tokens().revoke("TWO", NOW.plusSeconds(1))).isTrue();

            assertThat(store.tokens().authenticate(byId.plaintext(), NOW.plusSeconds(1))).isEmpty();
            assertThat(store.tokens().authenticate(byName.plaintext(), NOW.plusSeconds(1))).isEmpty();
            assertThat(store.tokens().list()).extracting(TokenInfo::revokedAt)
                    .containsOnly(Optional.of(NOW.plusSeconds(1)));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void revoke_unknownOrAlreadyRevoked_returnsFalse(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.tokens().create("bot", "*", false, Optional.empty(), NOW);

            assertThat(store.tokens().revoke("nobody", NOW)).isFalse();
            assertThat(store.tokens().revoke("bot", NOW)).isTrue();
            assertThat(store.tokens().revoke("bot", NOW.plusSeconds(5))).isFalse();
            assertThat(store.tokens().list().get(0).revokedAt()).contains(NOW);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void revoke_inAnotherProcess_takesEffectWithinCacheTtl(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store gateway = store(db);
                Store cli = Store.open(db.openAnother(), Keyring.openFile(dir.resolve("keyset.json")))) {
            String token = gateway.tokens().create("bot", "*", false, Optional.empty(), NOW).plaintext();
            assertThat(gateway.tokens().authenticate(token, NOW)).isPresent();

            cli.tokens().revoke("bot", NOW);

            assertThat(gateway.tokens().authenticate(token, NOW.plus(TokenRepository.CACHE_TTL))).isEmpty();
            assertThat(cli.tokens().authenticate(token, NOW)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void create_nameTaken_throwsNamingIt(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            store.tokens().create("bot", "*", false, Optional.empty(), NOW);

            assertThatThrownBy(() -> store.tokens().create("BOT", "acme-*", false, Optional.empty(), NOW))
                    .isInstanceOf(DuplicateTokenNameException.class)
                    .hasMessage("Token name 'bot' is already taken; names must be unique");
            assertThat(store.tokens().list()).hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void create_nameIsAnotherTokensId_throwsSayingWhy(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            String id = store.tokens().create("bot", "*", false, Optional.empty(), NOW).info().id();

            assertThatThrownBy(() -> store.tokens().create(id, "*", false, Optional.empty(), NOW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("it is another token's id");
        }
    }

    @Test
    void create_invalidValues_throwNamingTheRule() {
        try (TestDatabase db = TestDatabases.sqlite(dir); Store store = store(db)) {
            TokenRepository tokens = store.tokens();

            assertThatThrownBy(() -> tokens.create("bad name", "*", false, Optional.empty(), NOW))
                    .hasMessage("Invalid token name 'bad name': " + TokenInfo.NAME_RULE);
            assertThatThrownBy(() -> tokens.create("", "*", false, Optional.empty(), NOW))
                    .hasMessage("Invalid token name: 0 characters; must be from 1 to 64");
            assertThatThrownBy(() -> tokens.create("bot", "acme-[a]", false, Optional.empty(), NOW))
                    .hasMessage("Invalid label pattern 'acme-[a]': must use only a-z, 0-9, '_', '.', '-' and '*'");
            assertThatThrownBy(() -> tokens.create("bot", "*", false, Optional.of(NOW), NOW))
                    .hasMessageContaining("Invalid expiresAt").hasMessageContaining("must be after now");
            assertThat(tokens.list()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void list_severalTokens_oldestFirstWithScope(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            TokenInfo b = store.tokens().create("b", "client-demo", false, Optional.of(NOW.plusSeconds(60)), NOW.plusSeconds(1)).info();
            TokenInfo a = store.tokens().create("a", "acme-*", true, Optional.empty(), NOW).info();

            assertThat(store.tokens().list()).containsExactly(a, b);
            assertThat(a.covers(Label.parse("acme-aws"))).isTrue();
            assertThat(a.covers(Label.parse("client-demo"))).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void database_afterCreate_holdsOnlyTheTokensSha256(Dialect backend) throws Exception {
        try (TestDatabase db = TestDatabases.open(backend, dir); Store store = store(db)) {
            CreatedToken created = store.tokens().create("bot", "*", false, Optional.empty(), NOW);
            String secret = created.plaintext().substring(21);

            List<Map<String, Object>> rows = db.database().jdbi().withHandle(h ->
                    h.createQuery("SELECT * FROM api_tokens").mapToMap().list());

            assertThat(rows).hasSize(1);
            for (Object value : rows.get(0).values()) {
                String text = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : String.valueOf(value);
                assertThat(text).doesNotContain(secret);
            }
            assertThat((byte[]) rows.get(0).get("token_sha256")).isEqualTo(MessageDigest.getInstance("SHA-256")
                    .digest(created.plaintext().getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void sqliteFileAndWal_afterCreate_holdNoTokenInClear() throws Exception {
        String secret;
        try (TestDatabase db = TestDatabases.sqlite(dir); Store store = store(db)) {
            secret = store.tokens().create("bot", "*", false, Optional.empty(), NOW).plaintext().substring(21);
            Path file = db.sqliteFile().orElseThrow();
            for (Path p : new Path[] {file, file.resolveSibling(file.getFileName() + "-wal")}) {
                assertThat(TestSeeds.contains(Files.readAllBytes(p), secret.getBytes(StandardCharsets.US_ASCII)))
                        .as("token secret in " + p.getFileName()).isFalse();
            }
        }
        assertThat(TestSeeds.contains(Files.readAllBytes(dir.resolve("mfagate-test.db")), secret.getBytes(StandardCharsets.US_ASCII)))
                .isFalse();
    }

    @Test
    void createdToken_toString_hidesTheToken() {
        try (TestDatabase db = TestDatabases.sqlite(dir); Store store = store(db)) {
            CreatedToken created = store.tokens().create("bot", "*", false, Optional.empty(), NOW);

            assertThat(created.toString()).contains("token hidden", "bot").doesNotContain(created.plaintext().substring(21));
        }
    }
}
