package dev.mfagate.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.testing.SoftHsm;
import java.security.SecureRandom;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PKCS#11 provider against a real SoftHSM2 token (created for this JVM in a directory of its
 * own): AES-256-GCM inside the token, the scope as additional data, and failures that name the
 * provider, the key and what failed without the PIN.
 */
class Pkcs11KeyProviderTest {

    private static SoftHsm hsm;
    private static String label;

    @BeforeAll
    static void token() {
        hsm = SoftHsm.forThisJvm();
        label = "kek-" + UUID.randomUUID();
        hsm.generateAesKey(label);
    }

    private static Map<String, String> env() {
        return Map.of("MFAGATE_PKCS11_PIN", SoftHsm.PIN);
    }

    @Test
    void wrapThenUnwrap_tokenKey_roundTripsAndCiphertextIsNotThePlaintext() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try (KeyProvider provider = KeyProviders.open(hsm.reference(label), env())) {
            byte[] wrapped = provider.wrapKey(key, KeyScope.INSTALLATION);

            assertThat(wrapped).hasSize(12 + 32 + 16).isNotEqualTo(key);
            assertThat(provider.unwrapKey(wrapped, KeyScope.INSTALLATION)).isEqualTo(key);
            assertThat(provider.reference()).isEqualTo(hsm.reference(label));
        }
    }

    @Test
    void unwrap_otherScope_failsAsBadCiphertext() {
        try (KeyProvider provider = KeyProviders.open(hsm.reference(label), env())) {
            byte[] wrapped = provider.wrapKey(new byte[32], KeyScope.INSTALLATION);

            assertThatThrownBy(() -> provider.unwrapKey(wrapped, new KeyScope("tenant", "acme")))
                    .isInstanceOfSatisfying(KeyProviderException.class,
                            e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.BAD_CIPHERTEXT))
                    .hasMessageContaining("object=" + label);
        }
    }

    @Test
    void keyset_wrappedByToken_unwrapsToTheSameKeys() {
        Keyset keyset = Keyset.generate().withNewPrimaryKek();
        try (KeyProvider provider = KeyProviders.open(hsm.reference(label), env())) {
            byte[] wrapped = keyset.wrap(provider, KeyScope.INSTALLATION);

            assertThat(Keyset.unwrap(wrapped, provider, KeyScope.INSTALLATION, "test").sameKeyIdsAs(keyset)).isTrue();
        }
    }

    // A wrong PIN is tested in a process of its own (KeyProvidersIT): PKCS#11 logs a whole process in,
    // so in this JVM, logged in by the other cases, the token would not ask again.

    @Test
    void open_noSuchLabel_keyNotFound() {
        assertThatThrownBy(() -> KeyProviders.open(hsm.reference("no-such-key"), env()))
                .isInstanceOfSatisfying(KeyProviderException.class,
                        e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.KEY_NOT_FOUND))
                .hasMessageContaining("no secret key labelled 'no-such-key'");
    }

    @Test
    void open_noSuchSlot_unreachable() {
        String reference = "pkcs11:object=" + label + ";slot-id=4242?module-path=" + SoftHsm.LIBRARY;
        assertThatThrownBy(() -> KeyProviders.open(reference, env()))
                .isInstanceOfSatisfying(KeyProviderException.class,
                        e -> assertThat(e.failure()).isEqualTo(KeyProviderException.Failure.UNREACHABLE))
                .hasMessageContaining("slot-id=4242");
    }

    @Test
    void open_noPin_saysWhereToPutIt() {
        assertThatThrownBy(() -> KeyProviders.open(hsm.reference(label), Map.of()))
                .isInstanceOf(KeyProviderException.class)
                .hasMessageContaining("MFAGATE_PKCS11_PIN");
    }

    @Test
    void normalize_pinInReference_refusedWithoutEchoingIt() {
        assertThatThrownBy(() -> KeyProviders.normalize(hsm.reference(label) + "&pin-value=123456"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not hold the PIN")
                .hasMessageNotContaining("123456");
    }

    @Test
    void normalize_tokenLabel_refusedSayingSlotsAreUsed() {
        assertThatThrownBy(() -> KeyProviders.normalize("pkcs11:token=mfagate;object=k?module-path=/x.so"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slot");
    }
}
