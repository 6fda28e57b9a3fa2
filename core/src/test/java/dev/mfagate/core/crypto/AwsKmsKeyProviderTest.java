package dev.mfagate.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.KmsDouble;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS KMS provider (the real AWS SDK for Java v2 on the JDK's HTTP client) against
 * {@link KmsDouble}, a stand-in that follows the KMS JSON API over real HTTP on loopback. Not
 * tested against AWS itself. Pages followed, in the AWS KMS API Reference
 * (https://docs.aws.amazon.com/kms/latest/APIReference/): API_Encrypt.html and API_Decrypt.html
 * (request and answer members, the encryption context that must match on Decrypt, the error
 * types DisabledException, InvalidCiphertextException, IncorrectKeyException,
 * KMSInvalidStateException, NotFoundException), CommonErrors.html (AccessDeniedException,
 * ThrottlingException, HTTP 400 with a JSON {@code __type}) and CommonParameters.html (SigV4
 * headers); and the developer guide's concepts page on the encryption context
 * (https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
 */
class AwsKmsKeyProviderTest {

    private static final String REGION = "eu-west-1";
    private KmsDouble kms;
    private String arn;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        kms = KmsDouble.start(REGION);
        arn = kms.createKey();
    }

    @AfterEach
    void stop() {
        kms.close();
    }

    private Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", "AKIAMFAGATETEST00001", "AWS_SECRET_ACCESS_KEY", "test-secret-key-not-real",
                "AWS_ENDPOINT_URL_KMS", kms.endpoint(), "AWS_MAX_ATTEMPTS", "2");
    }

    private KeyProvider open() {
        return KeyProviders.open("awskms:" + arn, env());
    }

    @Test
    void wrapThenUnwrap_signedJsonCallsWithTheScopeAsEncryptionContext_roundTrips() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try (KeyProvider provider = open()) {
            byte[] wrapped = provider.wrapKey(key, KeyScope.INSTALLATION);
            assertThat(provider.unwrapKey(wrapped, KeyScope.INSTALLATION)).isEqualTo(key);
        }
        assertThat(kms.requests()).extracting(KmsDouble.Request::target)
                .containsExactly("TrentService.Encrypt", "TrentService.Decrypt");
        assertThat(kms.requests()).allSatisfy(r -> {
            assertThat(r.contentType()).isEqualTo("application/x-amz-json-1.1");
            assertThat(r.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AKIAMFAGATETEST00001/")
                    .contains("/" + REGION + "/kms/aws4_request");
            assertThat(r.encryptionContext())
                    .isEqualTo(Map.of("mfagate:purpose", "keyset/v1", "mfagate:scope", "installation"));
        });
    }

    @Test
    void unwrap_otherEncryptionContext_invalidCiphertext() {
        try (KeyProvider provider = open()) {
            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);

            assertThatThrownBy(() -> provider.unwrapKey(wrapped, new KeyScope("tenant", "acme")))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.BAD_CIPHERTEXT))
                    .hasMessageContaining("awskms:" + arn)
                    .hasMessageContaining("InvalidCiphertextException");
        }
    }

    @Test
    void unwrap_accessDenied_namesProviderKeyAndErrorType() {
        try (KeyProvider provider = open()) {
            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);
            kms.denyAll(true);

            assertThatThrownBy(() -> provider.unwrapKey(wrapped, KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.ACCESS_DENIED))
                    .hasMessageContaining("(key " + arn + ")")
                    .hasMessageContaining("unwrapping the keyset (Decrypt) failed: access denied (AccessDeniedException")
                    .hasMessageNotContaining("test-secret-key-not-real");
        }
    }

    @Test
    void wrap_throttledOnce_sdkRetriesAndSucceeds() {
        try (KeyProvider provider = open()) {
            kms.throttleNext(1);

            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);

            assertThat(wrapped).isNotEmpty();
            assertThat(kms.requests()).extracting(KmsDouble.Request::target)
                    .containsExactly("TrentService.Encrypt", "TrentService.Encrypt");
        }
    }

    @Test
    void wrap_throttledBeyondTheRetries_throttled() {
        try (KeyProvider provider = open()) {
            kms.throttleNext(5);

            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.THROTTLED))
                    .hasMessageContaining("ThrottlingException");
            assertThat(kms.requests()).as("AWS_MAX_ATTEMPTS=2").hasSize(2);
        }
    }

    @Test
    void unwrap_keyDisabledOrPendingDeletion_keyDisabled() {
        try (KeyProvider provider = open()) {
            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);

            kms.setState(arn, KmsDouble.KeyState.DISABLED);
            assertThatThrownBy(() -> provider.unwrapKey(wrapped, KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.KEY_DISABLED))
                    .hasMessageContaining("DisabledException");

            kms.setState(arn, KmsDouble.KeyState.PENDING_DELETION);
            assertThatThrownBy(() -> provider.unwrapKey(wrapped, KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.KEY_DISABLED))
                    .hasMessageContaining("KMSInvalidStateException");
        }
    }

    @Test
    void wrap_unknownKey_keyNotFound() {
        String other = arn.substring(0, arn.lastIndexOf('/') + 1) + "00000000-0000-0000-0000-000000000000";
        try (KeyProvider provider = KeyProviders.open("awskms:" + other, env())) {
            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.KEY_NOT_FOUND));
        }
    }

    @Test
    void wrap_serviceUnreachable_unreachable() {
        String endpoint = kms.endpoint();
        kms.close();
        Map<String, String> env = new java.util.HashMap<>(env());
        env.put("AWS_ENDPOINT_URL_KMS", endpoint);
        env.put("AWS_MAX_ATTEMPTS", "1");
        try (KeyProvider provider = KeyProviders.open("awskms:" + arn, env)) {
            assertThatThrownBy(() -> provider.wrapKey(new byte[32], KeyScope.INSTALLATION))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.UNREACHABLE));
        }
    }

    @Test
    void store_initRotateReopen_withKms_andADisabledKeyStopsTheOpenNamingIt() {
        Path data = dir.resolve("data");
        Label label = Label.parse("acme-aws");
        TotpSeed seed = TestSeeds.random();
        try (Store store = Store.init(data, "awskms:" + arn, env())) {
            store.seeds().add(label, seed, Instant.parse("2025-03-01T12:00:00Z"));
            store.rotateKeys();
        }
        try (Store store = Store.open(data, env())) {
            assertThat(store.seeds().find(label).orElseThrow().secret().equalsSecretBytes(seed.secret())).isTrue();
        }
        assertThat(data.resolve("keyset.json")).doesNotExist();

        kms.setState(arn, KmsDouble.KeyState.DISABLED);

        assertThatThrownBy(() -> Store.open(data, env()))
                .isInstanceOf(KeyProviderException.class)
                .hasMessageContaining("awskms:" + arn)
                .hasMessageContaining("unwrapping the keyset (Decrypt) failed: key disabled or not usable (DisabledException");
    }

    @Test
    void open_plainHttpEndpointOffLoopback_refusedSoDataKeysAreNotSentInClear() {
        Map<String, String> env = new java.util.HashMap<>(env());
        env.put("AWS_ENDPOINT_URL_KMS", "http://kms.example.com:4566");

        assertThatThrownBy(() -> KeyProviders.open("awskms:" + arn, env))
                .isInstanceOfSatisfying(KeyProviderException.class,
                        e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.MISCONFIGURED))
                .hasMessageContaining("AWS_ENDPOINT_URL_KMS must be an https URL (http only for an endpoint on loopback)");
    }

    @Test
    void normalize_notAKmsArn_refused() {
        assertThatThrownBy(() -> KeyProviders.normalize("awskms:arn:aws:s3:::bucket"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a KMS key or alias ARN");
    }
}
