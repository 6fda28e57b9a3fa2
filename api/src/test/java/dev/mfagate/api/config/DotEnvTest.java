package dev.mfagate.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DotEnvTest {

    /** Stands for a seed or token: must never appear in an error. */
    private static final String SECRET = "JBSWY3DPEHPK3PXPQZ7TOKENVALUE";

    @Test
    void parse_everySupportedForm_readsValues() throws Exception {
        Map<String, String> vars = DotEnv.parse("""
                \uFEFF# seeds for the demo
                PLAIN=abc
                export EXPORTED=def
                SPACED = g h i   # trailing comment
                DOUBLE="quoted # not a comment" # comment
                ESCAPED="say \\"hi\\" \\\\ ok"
                SINGLE='lit\\eral $HOME'
                EMPTY=
                FRAGMENT=https://example.com/#anchor
                HASH_NO_SPACE=abc#def
                  INDENTED=1
                  # indented comment
                TAB_COMMENT=value\t# after a tab
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
                Map.entry("HASH_NO_SPACE", "abc#def"),
                Map.entry("INDENTED", "1"),
                Map.entry("TAB_COMMENT", "value"));
    }

    @Test
    void parse_lineWithoutEquals_namesLineNotContent() {
        assertRejected(() -> DotEnv.parse("OK=1\nMFAGATE_SEED_ACME_AWS " + SECRET + "\n"), "line 2: expected KEY=VALUE");
    }

    @Test
    void parse_badKey_isRejected() {
        assertRejected(() -> DotEnv.parse("1KEY=" + SECRET), "line 1: expected KEY=VALUE");
        assertRejected(() -> DotEnv.parse("MY-KEY=" + SECRET), "line 1: expected KEY=VALUE");
        assertRejected(() -> DotEnv.parse("=" + SECRET), "line 1: expected KEY=VALUE");
    }

    @Test
    void parse_unclosedQuote_isRejected() {
        assertRejected(() -> DotEnv.parse("KEY=\"" + SECRET + "\n\"\n"), "line 1: quote \" is not closed");
        assertRejected(() -> DotEnv.parse("A=1\nKEY='" + SECRET), "line 2: quote ' is not closed");
    }

    @Test
    void parse_textAfterClosingQuote_isRejected() {
        assertRejected(() -> DotEnv.parse("KEY='" + SECRET + "' more"), "line 1: only a '#' comment may follow a quoted value");
    }

    @Test
    void parse_keyGivenTwice_isRejectedNotOverwritten() {
        assertRejected(() -> DotEnv.parse("KEY=" + SECRET + "\n\nexport KEY=" + SECRET), "line 3: KEY is already set on line 1");
    }

    @Test
    void read_badFile_namesFileAndLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve(".env"), "GOOD=1\n" + SECRET + "\n");

        DotEnvException e = assertRejected(() -> DotEnv.read(file), "line 2: expected KEY=VALUE");
        assertThat(e.getMessage()).startsWith(file + ": line 2:");
    }

    @Test
    void read_oversizedFile_isRejectedBeforeReading(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve(".env"), "K=" + "x".repeat((int) DotEnv.MAX_FILE_SIZE_BYTES));

        assertRejected(() -> DotEnv.read(file), "must be at most " + DotEnv.MAX_FILE_SIZE_BYTES);
    }

    @Test
    void read_endlessDevice_isRejectedAfterTheBound() {
        // A device reports size 0; read whole, /dev/zero ended the process with an OutOfMemoryError.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero on this system");
        assertRejected(() -> DotEnv.read(Path.of("/dev/zero")), "must be at most " + DotEnv.MAX_FILE_SIZE_BYTES);
    }

    @Test
    void read_notUtf8_isRefusedAsBefore(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve(".env"), new byte[] {'K', '=', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> DotEnv.read(file)).isInstanceOf(java.nio.charset.CharacterCodingException.class);
    }

    private static DotEnvException assertRejected(ThrowingCallable call, String rule) {
        DotEnvException e = catchThrowableOfType(DotEnvException.class, call);
        assertThat(e).as("expected a DotEnvException").isNotNull();
        assertThat(e.getMessage()).contains(rule).doesNotContain("\n").doesNotContain(SECRET.substring(0, 8))
                .doesNotContain(SECRET.substring(SECRET.length() - 8));
        return e;
    }
}
