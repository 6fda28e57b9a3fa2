package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.gateway.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code serve --lockout-after}, {@code --lockout-window} and {@code --lockout-for} out of range: exit 2
 * with one line naming the flag and what it accepts, before the store is opened, never the policy
 * record's field names.
 */
class ServeLockoutFlagsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # flag            | value  | serve says
            --lockout-after   | 0      | Invalid --lockout-after: must be a whole number of denials from 1 to 2147483647
            --lockout-after   | -3     | Invalid --lockout-after: must be a whole number of denials from 1 to 2147483647
            --lockout-window  | 0s     | Invalid --lockout-window: must be at least 1ms, such as 10m
            --lockout-for     | 0s     | Invalid --lockout-for: must be at least 1ms, such as 15m
            --lockout-for     | PT-5M  | Invalid --lockout-for: must be at least 1ms, such as 15m
            """)
    void serve_lockoutFlagOutOfRange_exit2NamingTheFlagAndRange(String flag, String value, String message) throws Exception {
        // An empty .env of its own, so no file in the working directory is read.
        Path noSeeds = Files.writeString(dir.resolve("empty.env"), "");

        InProcessCli.Result r = InProcessCli.in(null).run("serve", "--port", "0", flag, value,
                "--env-file", noSeeds.toString(), "--data-dir", dir.resolve("none").toString());

        assertThat(r.exitCode()).as(r.all()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).isEqualTo("mfagate: " + message);
    }
}
