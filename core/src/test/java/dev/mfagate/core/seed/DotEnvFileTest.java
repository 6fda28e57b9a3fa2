package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.Rejections.assertRejected;
import static dev.mfagate.core.seed.Rejections.randomBase32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.seed.SeedImportException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DotEnvFileTest {

    private final String secret = randomBase32(new Random(3), 20);

    @Test
    void parse_everySupportedForm_readsValues() throws Exception {
        Map<String, String> vars = DotEnvFile.parse("""
                \uFEFF# seeds for the demo
                PLAIN=abc
                export EXPORTED=def
                SPACED = g h i   # trailing comment
                DOUBLE="quoted # not a comment" # comment
                ESCAPED="say \\"hi\\" \\\\ ok"
                SINGLE='lit\\eral $HOME'
                EMPTY=
                FRAGMENT=https://example.com/#anchor
                  INDENTED=1
                """);

        assertThat(vars).containsExactly(
                Map.entry("PLAIN", "abc"),
                Map.entry("EXPORTED", "def"),
                Map.entry("SPACED", "g h i"),
                Map.entry("DOUBLE", "quoted # not a comment"),
                Map.entry("ESCAPED", "say \"hi\" \\ ok"),
                Map.entry("SINGLE", "lit\\eral $HOME"),
                Map.entry("EMPTY", ""),
                Map.entry("FRAGMENT", "https://example.com/#anchor"),
                Map.entry("INDENTED", "1"));
    }

    @Test
    void parse_lineWithoutEquals_namesLineNotContent() {
        assertRejected(() -> DotEnvFile.parse("OK=1\nMFAGATE_SEED_ACME_AWS " + secret + "\n"), Kind.BAD_ENV_FILE,
                "line 2: expected KEY=VALUE", secret);
    }

    @Test
    void parse_badKey_isRejected() {
        assertRejected(() -> DotEnvFile.parse("1KEY=" + secret), Kind.BAD_ENV_FILE, "line 1: expected KEY=VALUE", secret);
        assertRejected(() -> DotEnvFile.parse("MY-KEY=" + secret), Kind.BAD_ENV_FILE, "line 1: expected KEY=VALUE", secret);
    }

    @Test
    void parse_unclosedQuote_isRejected() {
        assertRejected(() -> DotEnvFile.parse("KEY=\"" + secret + "\n\"\n"), Kind.BAD_ENV_FILE, "line 1: quote \" is not closed", secret);
    }

    @Test
    void parse_textAfterClosingQuote_isRejected() {
        assertRejected(() -> DotEnvFile.parse("KEY='" + secret + "' more"), Kind.BAD_ENV_FILE,
                "line 1: only a '#' comment may follow a quoted value", secret);
    }

    @Test
    void parse_keyGivenTwice_isRejected() {
        assertRejected(() -> DotEnvFile.parse("KEY=" + secret + "\n\nexport KEY=" + secret), Kind.BAD_ENV_FILE,
                "line 3: KEY is already set on line 1", secret);
    }

    @Test
    void read_fileOfSeeds_feedsEnvSeeds(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve(".env"), "export MFAGATE_SEED_ACME_AWS_PROD=\"" + secret + "\"\nOTHER=1\n");

        assertThat(EnvSeeds.from(DotEnvFile.read(file))).containsOnlyKeys(Label.parse("acme-aws-prod"));
    }

    @Test
    void read_badFile_namesFileAndLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve(".env"), "GOOD=1\n" + secret + "\n");

        assertRejected(() -> DotEnvFile.read(file), Kind.BAD_ENV_FILE, file + ": line 2: expected KEY=VALUE", secret);
    }
}
