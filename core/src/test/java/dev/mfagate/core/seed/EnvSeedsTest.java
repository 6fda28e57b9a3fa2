package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.Rejections.assertRejected;
import static dev.mfagate.core.seed.Rejections.randomBase32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvSeedsTest {

    private final Random random = new Random(12);
    private final String secret = randomBase32(random, 20);

    @Test
    void from_seedVariables_mapsNamesToLabels() throws Exception {
        Map<String, String> env = Map.of(
                "MFAGATE_SEED_ACME_AWS_PROD", secret,
                "MFAGATE_SEED_CLIENT_DEMO", "otpauth://totp/Demo:x?secret=" + randomBase32(random, 32) + "&algorithm=SHA256&digits=8",
                "PATH", "/usr/bin",
                "MFAGATE_SEEDLESS", "ignored",
                "mfagate_seed_lower_case", "ignored");

        Map<Label, TotpSeed> seeds = EnvSeeds.from(env);

        assertThat(seeds.keySet()).containsExactly(Label.parse("acme-aws-prod"), Label.parse("client-demo"));
        assertThat(seeds.get(Label.parse("client-demo")).parameters().algorithm()).isEqualTo(HmacAlgorithm.SHA256);
        assertThat(seeds.get(Label.parse("client-demo")).parameters().digits()).isEqualTo(8);
    }

    @Test
    void from_noSeedVariables_isEmpty() throws Exception {
        assertThat(EnvSeeds.from(Map.of("HOME", "/root"))).isEmpty();
    }

    @Test
    void from_badValue_namesVariableNotValue() {
        String bad = secret.substring(0, 12) + "8" + secret.substring(13);

        assertRejected(() -> EnvSeeds.from(Map.of("MFAGATE_SEED_ACME_AWS", bad)), Kind.BAD_BASE32,
                "variable 'MFAGATE_SEED_ACME_AWS': secret is not base32: character 13", secret);
    }

    @Test
    void from_emptyValue_isEmptyInput() {
        assertRejected(() -> EnvSeeds.from(Map.of("MFAGATE_SEED_ACME_AWS", " ")), Kind.EMPTY_INPUT,
                "variable 'MFAGATE_SEED_ACME_AWS': input is empty");
    }

    @Test
    void from_hotpUri_isNotTotp() {
        assertRejected(() -> EnvSeeds.from(Map.of("MFAGATE_SEED_ACME_AWS", "otpauth://hotp/x?secret=" + secret)),
                Kind.NOT_TOTP, "variable 'MFAGATE_SEED_ACME_AWS': otpauth://hotp/", secret);
    }

    @Test
    void from_nameWithoutService_isBadMapping() {
        assertRejected(() -> EnvSeeds.from(Map.of("MFAGATE_SEED_ACME", secret)), Kind.BAD_MAPPING,
                "variable 'MFAGATE_SEED_ACME': name must be MFAGATE_SEED_<CLIENT>_<SERVICE>", secret);
        assertRejected(() -> EnvSeeds.from(Map.of("MFAGATE_SEED__AWS", secret)), Kind.BAD_MAPPING,
                "name must be MFAGATE_SEED_<CLIENT>_<SERVICE>", secret);
    }

    @Test
    void from_nameThatIsNoLabel_isBadMapping() {
        assertRejected(() -> EnvSeeds.from(Map.of("MFAGATE_SEED_AC$ME_AWS", secret)), Kind.BAD_MAPPING,
                "variable 'MFAGATE_SEED_AC$ME_AWS': Invalid label client part", secret);
    }

    @Test
    void from_twoNamesForOneLabel_isDuplicateLabel() {
        Map<String, String> env = Map.of("MFAGATE_SEED_ACME_AWS", secret, "MFAGATE_SEED_acme_AWS", randomBase32(random, 20));

        assertRejected(() -> EnvSeeds.from(env), Kind.DUPLICATE_LABEL,
                "variable 'MFAGATE_SEED_acme_AWS': label acme-aws is already given by 'MFAGATE_SEED_ACME_AWS'", secret);
    }

    @Test
    void from_dotEnvFileOfSeeds_mapsNamesToLabels(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve(".env"),
                "export MFAGATE_SEED_ACME_AWS_PROD=\"" + secret + "\"\nOTHER=1\n");

        assertThat(EnvSeeds.from(dev.mfagate.api.config.DotEnv.read(file))).containsOnlyKeys(Label.parse("acme-aws-prod"));
    }
}
