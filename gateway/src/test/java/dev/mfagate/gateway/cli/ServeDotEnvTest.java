package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.gateway.InProcessCli;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --env-file} reads the file with the project's one strict reader ({@code api.config.DotEnv}) before
 * anything else: a bad file stops it with exit 2 and one line naming the file and line, never the value,
 * and so does a file named by {@code --env-file} or {@code MFAGATE_ENV_FILE} that is not there.
 */
class ServeDotEnvTest {
    private static final String SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    @TempDir
    Path dir;

    private int serve(StringWriter err, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        InProcessCli.Result result = InProcessCli.in(null).run(all);
        err.write(result.err());
        return result.exitCode();
    }

    @Test
    void serve_dotEnvKeyGivenTwice_exits2NamingFileAndLineNotTheSeed() throws Exception {
        Path env = Files.writeString(dir.resolve("gateway.env"),
                "MFAGATE_SEED_ACME_AWS=" + SEED + "\n# again\nMFAGATE_SEED_ACME_AWS=" + SEED + "\n");
        StringWriter err = new StringWriter();

        int exit = serve(err, "--port", "0", "--env-file", env.toString(), "--data-dir", dir.resolve("none").toString());

        assertThat(exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString().strip())
                .isEqualTo("mfagate: " + env + ": line 3: MFAGATE_SEED_ACME_AWS is already set on line 1")
                .doesNotContain(SEED.substring(0, 8));
    }

    @Test
    void serve_dotEnvUnclosedQuote_exits2NamingFileAndLine() throws Exception {
        Path env = Files.writeString(dir.resolve("gateway.env"), "MFAGATE_SEED_ACME_AWS=\"" + SEED + "\n");
        StringWriter err = new StringWriter();

        int exit = serve(err, "--port", "0", "--env-file", env.toString(), "--data-dir", dir.resolve("none").toString());

        assertThat(exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains(env + ": line 1: quote \" is not closed").doesNotContain(SEED.substring(0, 8));
    }

    @Test
    void serve_envFileGivenButMissingOrADirectory_exits2NamingIt() throws Exception {
        Path missing = dir.resolve("nonexistent.env");
        //        --env-file  what serve says
        for (Object[] bad : new Object[][] {
                {missing,     "mfagate: No file " + missing + " (--env-file)"},
                {dir,         "mfagate: " + dir + " is not a file (--env-file)"}}) {
            StringWriter err = new StringWriter();

            int exit = serve(err, "--port", "0", "--env-file", bad[0].toString(), "--data-dir", dir.resolve("none").toString());

            assertThat(exit).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(err.toString().strip()).isEqualTo(bad[1]);
        }
    }

    @Test
    void serve_envFileFromTheEnvironmentMissing_exits2NamingIt() {
        Path missing = dir.resolve("nonexistent.env");

        InProcessCli.Result r = InProcessCli.in(null).withEnv(java.util.Map.of("MFAGATE_ENV_FILE", missing.toString()))
                .run("serve", "--port", "0", "--data-dir", dir.resolve("none").toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).isEqualTo("mfagate: No file " + missing + " (--env-file)");
    }
}
