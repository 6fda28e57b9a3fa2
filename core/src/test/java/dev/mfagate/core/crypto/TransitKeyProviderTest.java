package dev.mfagate.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.testing.TransitDouble;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vault/OpenBao Transit provider against {@link TransitDouble}, a stand-in that follows
 * Vault's documented HTTP API over real HTTP on loopback; not tested against Vault itself. Pages
 * followed: Vault "Transit secrets engine (API)"
 * (https://developer.hashicorp.com/vault/api-docs/secret/transit: encrypt, decrypt, rotate,
 * {@code min_decryption_version}, the {@code vault:vN:} ciphertext), "AppRole auth method (API)"
 * (https://developer.hashicorp.com/vault/api-docs/auth/approle: login), the HTTP API overview
 * (https://developer.hashicorp.com/vault/api-docs: {@code X-Vault-Token}, {@code {"errors":[...]}},
 * 403 permission denied, 400 invalid request, 503 sealed), and OpenBao's transit API page
 * (https://openbao.org/api-docs/secret/transit/: {@code associated_data}).
 */
class TransitKeyProviderTest {

    private TransitDouble vault;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        vault = TransitDouble.start("transit");
        vault.createKey("mfagate");
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private KeyProvider open(Map<String, String> env) {
        return KeyProviders.open(vault.reference("mfagate"), env);
    }

    private Map<String, String> tokenEnv() {
        return Map.of("VAULT_TOKEN", vault.issueToken());
    }

    @Test
    void wrapThenUnwrap_token_vaultV1CiphertextWithAssociatedData() {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        try (KeyProvider provider = open(tokenEnv())) {
            byte[] wrapped = provider.wrapKey(key, KeyScope.INSTALLATION);

            assertThat(new String(wrapped, StandardCharsets.US_ASCII)).startsWith("vault:v1:");
            assertThat(provider.unwrapKey(wrapped, KeyScope.INSTALLATION)).isEqualTo(key);
        }
        assertThat(vault.requests()).extracting(TransitDouble.Request::path)
                .containsExactly("/v1/transit/encrypt/mfagate", "/v1/transit/decrypt/mfagate");
        assertThat(vault.requests()).allSatisfy(r -> assertThat(r.hadAssociatedData()).isTrue());
    }

    @Test
    void keyVersions_afterTransitRotation_newWrapsUseTheLatestAndOldOnesStillOpenUntilTooOld() {
        try (KeyProvider provider = open(tokenEnv())) {
            byte[] v1 = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);
            vault.rotate("mfagate");
            byte[] v2 = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);

            assertThat(new String(v2, StandardCharsets.US_ASCII)).startsWith("vault:v2:");
            assertThat(provider.unwrapKey(v1, KeyScope.INSTALLATION)).hasSize(32);
            assertThat(provider.unwrapKey(v2, KeyScope.INSTALLATION)).hasSize(32);

            vault.setMinDecryptionVersion("mfagate", 2);

            assertThatThrownBy(() -> provider.unwrapKey(v1, KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.BAD_CIPHERTEXT))
                    .hasMessageContaining("HTTP 400");
            assertThat(provider.unwrapKey(v2, KeyScope.INSTALLATION)).hasSize(32);
        }
    }

    @Test
    void store_rotateAfterTransitKeyRotation_rewrapsTheKeysetUnderTheLatestVersion() throws Exception {
        Map<String, String> env = tokenEnv();
        Path data = dir.resolve("data");
        Label label = Label.parse("acme-aws");
        TotpSeed seed = TestSeeds.random();
        try (Store store = Store.init(data, vault.reference("mfagate"), env)) {
            store.seeds().add(label, seed, Instant.parse("2025-03-01T12:00:00Z"));
            vault.rotate("mfagate");
            store.rotateKeys();
            byte[] row = store.database().jdbi().withHandle(h -> h.createQuery("SELECT wrapped_keyset FROM key_provider")
                    .mapTo(byte[].class).one());
            String wrappedKey = new com.fasterxml.jackson.databind.ObjectMapper().readTree(row).get("wrapped_key").asText();
            assertThat(new String(java.util.Base64.getDecoder().decode(wrappedKey), StandardCharsets.US_ASCII))
                    .startsWith("vault:v2:");
        }
        vault.setMinDecryptionVersion("mfagate", 2);
        try (Store store = Store.open(data, env)) {
            assertThat(store.seeds().find(label).orElseThrow().secret().equalsSecretBytes(seed.secret())).isTrue();
        }
    }

    @Test
    void appRole_tokenExpires_logsInAgainAndCarriesOn() {
        vault.enableAppRole("role-1234", "secret-5678");
        try (KeyProvider provider = open(Map.of("VAULT_ROLE_ID", "role-1234", "VAULT_SECRET_ID", "secret-5678"))) {
            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);
            vault.revokeTokens();

            assertThat(provider.unwrapKey(wrapped, KeyScope.INSTALLATION)).hasSize(32);
        }
        assertThat(vault.requests()).extracting(TransitDouble.Request::path).containsExactly(
                "/v1/auth/approle/login", "/v1/transit/encrypt/mfagate", "/v1/transit/decrypt/mfagate",
                "/v1/auth/approle/login", "/v1/transit/decrypt/mfagate");
    }

    @Test
    void appRole_wrongSecret_refusedWithoutEchoingIt() {
        vault.enableAppRole("role-1234", "secret-5678");
        assertThatThrownBy(() -> open(Map.of("VAULT_ROLE_ID", "role-1234", "VAULT_SECRET_ID", "not-the-secret-999")))
                .isInstanceOf(KeyProviderException.class)
                .hasMessageContaining("logging in with AppRole failed")
                .hasMessageNotContaining("not-the-secret-999");
    }

    @Test
    void call_tokenRevoked_permissionDenied() {
        try (KeyProvider provider = open(tokenEnv())) {
            vault.revokeTokens();

            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.ACCESS_DENIED))
                    .hasMessageContaining("(key transit/mfagate)")
                    .hasMessageContaining("HTTP 403: permission denied");
        }
    }

    @Test
    void unwrap_alteredCiphertextOrOtherScope_badCiphertext() {
        try (KeyProvider provider = open(tokenEnv())) {
            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);
            String text = new String(wrapped, StandardCharsets.US_ASCII);
            byte[] altered = (text.substring(0, text.length() - 4) + (text.endsWith("AAAA") ? "BBBB" : "AAAA"))
                    .getBytes(StandardCharsets.US_ASCII);

            assertThatThrownBy(() -> provider.unwrapKey(altered, KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.BAD_CIPHERTEXT));
            assertThatThrownBy(() -> provider.unwrapKey(wrapped, new KeyScope("tenant", "acme")))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.BAD_CIPHERTEXT))
                    .hasMessageContaining("message authentication failed");
        }
    }

    @Test
    void call_sealedOrServerError_unavailable() {
        try (KeyProvider provider = open(tokenEnv())) {
            vault.seal(true);
            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.UNAVAILABLE))
                    .hasMessageContaining("HTTP 503: Vault is sealed");
            vault.seal(false);
            vault.failWith(500);
            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.UNAVAILABLE));
        }
    }

    @Test
    void call_serverGone_unreachable() {
        try (KeyProvider provider = open(tokenEnv())) {
            vault.close();
            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.UNREACHABLE))
                    .hasMessageContaining(vault.address());
        }
    }

    @Test
    void open_noCredentials_saysWhichVariables() {
        assertThatThrownBy(() -> open(Map.of())).isInstanceOf(KeyProviderException.class)
                .hasMessageContaining("VAULT_TOKEN").hasMessageContaining("VAULT_ROLE_ID");
    }

    @Test
    void normalize_referenceForms_canonicalOrRefused() {
        assertThat(KeyProviders.normalize("transit:https://vault.example:8200/v1/team/transit/mfagate/"))
                .isEqualTo("transit:https://vault.example:8200/team/transit/mfagate");
        assertThatThrownBy(() -> KeyProviders.normalize("transit:https://user:pw@vault.example/transit/k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
        assertThatThrownBy(() -> KeyProviders.normalize("transit:https://vault.example/k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/MOUNT/KEY");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "transit:http://vault.example:8200/transit/k",
        "transit:http://10.0.0.5:8200/transit/k",
        "transit:http://127.example.com/transit/k",
        "transit:http://127.0.0.1.example.com/transit/k",
        "transit:http://[2001:db8::1]:8200/transit/k",
    })
    void normalize_plainHttpOffLoopback_refusedSoTheTokenIsNotSentInClear(String reference) {
        assertThatThrownBy(() -> KeyProviders.normalize(reference))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an https URL (http only for a Vault on loopback)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "transit:http://127.0.0.1:8200/transit/k",
        "transit:http://127.1.2.3:8200/transit/k",
        "transit:http://localhost:8200/transit/k",
        "transit:http://[::1]:8200/transit/k",
        "transit:https://vault.example:8200/transit/k",
    })
    void normalize_httpsOrPlainHttpOnLoopback_accepted(String reference) {
        assertThat(KeyProviders.normalize(reference)).isEqualTo(reference);
    }
}
