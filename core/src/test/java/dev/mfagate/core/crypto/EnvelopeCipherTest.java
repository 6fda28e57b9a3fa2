package dev.mfagate.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

    private static final Keyring KEYRING = Keyring.fromJson(new String(KeysetDocument.generate().toJsonBytes()), "test");
    private static final Kek KEK = KEYRING.kek();
    private static final Label AWS = Label.parse("acme-aws");
    private static final Label GITHUB = Label.parse("acme-github");

    @Test
    void seal_thenOpen_returnsSameSecretParametersAndNames() {
        TotpParameters parameters = new TotpParameters(HmacAlgorithm.SHA512, 8, Duration.ofSeconds(60));
        TotpSeed seed = new TotpSeed(SecretBytes.copyOf(TestSeeds.randomBytes(64)), parameters, "Äcme Corp", "ops@acme.example");

        TotpSeed opened = EnvelopeCipher.open(KEK, AWS, 3, EnvelopeCipher.seal(KEK, AWS, 3, seed));

        assertThat(opened.secret().equalsSecretBytes(seed.secret())).isTrue();
        assertThat(opened.parameters()).isEqualTo(parameters);
        assertThat(opened.issuer()).contains("Äcme Corp");
        assertThat(opened.accountName()).contains("ops@acme.example");
    }

    @Test
    void seal_noIssuerOrAccount_opensWithBothAbsent() {
        TotpSeed seed = TestSeeds.random();

        TotpSeed opened = EnvelopeCipher.open(KEK, AWS, 1, EnvelopeCipher.seal(KEK, AWS, 1, seed));

        assertThat(opened.issuer()).isEmpty();
        assertThat(opened.accountName()).isEmpty();
    }

    @Test
    void open_sealedForOtherLabel_throwsNotThisLabelNamingTheLabel() {
        SealedSeed sealed = EnvelopeCipher.seal(KEK, GITHUB, 1, TestSeeds.random());

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 1, sealed))
                .isInstanceOfSatisfying(SeedDecryptionException.class, e -> {
                    assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.NOT_THIS_LABEL);
                    assertThat(e.label()).isEqualTo(AWS);
                })
                .hasMessageContaining("'acme-aws'")
                .hasMessageContaining("does not belong to it");
    }

    @Test
    void open_sealedForOtherVersion_throwsNotThisLabel() {
        SealedSeed sealed = EnvelopeCipher.seal(KEK, AWS, 1, TestSeeds.random());

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 2, sealed))
                .isInstanceOfSatisfying(SeedDecryptionException.class,
                        e -> assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.NOT_THIS_LABEL));
    }

    @Test
    void open_ciphertextUnderAnotherSeedsWrappedKey_throwsNotThisLabel() {
        SealedSeed aws = EnvelopeCipher.seal(KEK, AWS, 1, TestSeeds.random());
        SealedSeed other = EnvelopeCipher.seal(KEK, AWS, 1, TestSeeds.random());
        SealedSeed mixed = new SealedSeed(aws.kekId(), other.wrappedKey(), aws.ciphertext());

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 1, mixed))
                .isInstanceOfSatisfying(SeedDecryptionException.class,
                        e -> assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.NOT_THIS_LABEL));
    }

    @Test
    void open_oneCiphertextBitFlipped_throwsNotThisLabel() {
        SealedSeed sealed = EnvelopeCipher.seal(KEK, AWS, 1, TestSeeds.random());
        byte[] ciphertext = sealed.ciphertext();
        ciphertext[ciphertext.length / 2] ^= 1;

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 1, new SealedSeed(sealed.kekId(), sealed.wrappedKey(), ciphertext)))
                .isInstanceOf(SeedDecryptionException.class);
    }

    @Test
    void open_wrappedUnderKekNotHeld_throwsKekNotHeldNamingTheKek() {
        Kek otherKek = Keyring.fromJson(new String(KeysetDocument.generate().toJsonBytes()), "other").kek();
        SealedSeed sealed = EnvelopeCipher.seal(otherKek, AWS, 1, TestSeeds.random());

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 1, sealed))
                .isInstanceOfSatisfying(SeedDecryptionException.class,
                        e -> assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.KEK_NOT_HELD))
                .hasMessageContaining("KEK " + otherKek.primaryKeyId());
    }

    @Test
    void open_otherKekClaimingHeldId_failsAuthentication() {
        Kek otherKek = Keyring.fromJson(new String(KeysetDocument.generate().toJsonBytes()), "other").kek();
        SealedSeed sealed = EnvelopeCipher.seal(otherKek, AWS, 1, TestSeeds.random());
        SealedSeed lying = new SealedSeed(KEK.primaryKeyId(), sealed.wrappedKey(), sealed.ciphertext());

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 1, lying))
                .isInstanceOfSatisfying(SeedDecryptionException.class,
                        e -> assertThat(e.reason()).isEqualTo(SeedDecryptionException.Reason.NOT_THIS_LABEL));
    }

    @Test
    void seal_sameSeedTwice_usesFreshDataKeysAndNonces() {
        TotpSeed seed = TestSeeds.random();

        SealedSeed first = EnvelopeCipher.seal(KEK, AWS, 1, seed);
        SealedSeed second = EnvelopeCipher.seal(KEK, AWS, 1, seed);

        assertThat(first.wrappedKey()).isNotEqualTo(second.wrappedKey());
        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
    }

    @Test
    void seal_anySeed_sealedBytesHoldNoSecretInClear() {
        byte[] secret = TestSeeds.randomBytes(32);
        TotpSeed seed = TotpSeed.of(SecretBytes.copyOf(secret), TotpParameters.DEFAULT);

        SealedSeed sealed = EnvelopeCipher.seal(KEK, AWS, 1, seed);

        for (byte[] part : new byte[][] {sealed.wrappedKey(), sealed.ciphertext()}) {
            assertThat(TestSeeds.contains(part, secret)).as("secret bytes in sealed seed").isFalse();
            assertThat(TestSeeds.contains(part, TestSeeds.base32(secret).getBytes())).as("base32 secret in sealed seed").isFalse();
        }
        assertThat(sealed.toString()).doesNotContain(HexFormat.of().formatHex(sealed.wrappedKey()));
    }

    @Test
    void open_failure_messageCarriesNoKeyOrSeedMaterial() {
        byte[] secret = TestSeeds.randomBytes(20);
        SealedSeed sealed = EnvelopeCipher.seal(KEK, GITHUB, 1, TotpSeed.of(SecretBytes.copyOf(secret), TotpParameters.DEFAULT));

        assertThatThrownBy(() -> EnvelopeCipher.open(KEK, AWS, 1, sealed))
                .message()
                .doesNotContain(HexFormat.of().formatHex(secret))
                .doesNotContain(TestSeeds.base32(secret))
                .doesNotContain(Base64.getEncoder().encodeToString(sealed.wrappedKey()))
                .doesNotContain(HexFormat.of().formatHex(sealed.wrappedKey()));
    }

    @Test
    void rewrap_underNewPrimary_keepsCiphertextAndSecretAndOldKekCannotOpenIt() {
        KeysetDocument before = KeysetDocument.generate();
        Kek oldKek = before.toState().kek();
        Kek rotating = before.withNewPrimaryKek().toState().kek();
        TotpSeed seed = TestSeeds.random();
        SealedSeed sealed = EnvelopeCipher.seal(oldKek, AWS, 1, seed);

        SealedSeed rewrapped = EnvelopeCipher.rewrap(rotating, AWS, 1, sealed);

        assertThat(rewrapped.ciphertext()).isEqualTo(sealed.ciphertext());
        assertThat(rewrapped.kekId()).isEqualTo(rotating.primaryKeyId()).isNotEqualTo(oldKek.primaryKeyId());
        assertThat(EnvelopeCipher.open(rotating, AWS, 1, rewrapped).secret().equalsSecretBytes(seed.secret())).isTrue();
        assertThatThrownBy(() -> oldKek.unwrap(rewrapped.wrappedKey(), EnvelopeCipher.keyAssociatedData(AWS, 1)))
                .isInstanceOf(GeneralSecurityException.class);
    }
}
