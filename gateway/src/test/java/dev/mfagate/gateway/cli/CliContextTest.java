package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.gateway.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What commands read of the world comes from their {@link CliContext}: option defaults from its
 * environment (taken as they are, never from the test process's own), times from its clock.
 */
class CliContextTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void envDefault_dataDirInTheContextEnvironment_usedExactlyDollarSignsIncluded() {
        Path data = dir.resolve("da$ta${HOME}$$");
        InProcessCli cli = InProcessCli.in(null).withEnv(Map.of("MFAGATE_DATA_DIR", data.toString()));

        InProcessCli.Result init = cli.run("init");

        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(data.resolve("keyset.json")).exists();
        assertThat(cli.run("seed", "list").exitCode()).isZero();
    }

    @Test
    void envDefault_variableUnset_optionOwnDefaultShown() {
        InProcessCli.Result help = InProcessCli.in(null).run("seed", "list", "--help");

        assertThat(help.out().replaceAll("\\s+", " ")).contains("env MFAGATE_DATA_DIR; default mfagate-data");
    }

    @Test
    void envDefault_variableSet_helpShowsTheDefaultInForce() {
        InProcessCli.Result help = InProcessCli.in(null).withEnv(Map.of("MFAGATE_PORT", "9090")).run("serve", "--help");

        assertThat(help.out().replaceAll("\\s+", " ")).contains("env MFAGATE_PORT; default 9090");
    }

    @Test
    void terminal_askedOnlyByACommandThatReadsASeed() {
        Path data = dir.resolve("data");
        assertThat(InProcessCli.in(data).run("init").exitCode()).isZero();
        AtomicInteger lookups = new AtomicInteger();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliContext cli = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
                new ByteArrayInputStream("JBSWY3DPEHPK3PXP\n".getBytes(StandardCharsets.UTF_8)), () -> {
                    lookups.incrementAndGet();
                    return Optional.empty();
                }, Map.of("MFAGATE_DATA_DIR", data.toString()), Clock.systemUTC(), onStop -> { });

        assertThat(MfagateCommand.run(cli, new String[] {"seed", "list"})).isZero();
        assertThat(MfagateCommand.run(cli.withClock(Clock.systemUTC()), new String[] {"token", "list"})).isZero();
        assertThat(lookups).as("no terminal looked up for commands that read none").hasValue(0);

        assertThat(MfagateCommand.run(cli, new String[] {"seed", "add", "acme-aws"})).isZero();
        assertThat(lookups).as("seed add asks, once").hasValue(1);
        assertThat(MfagateCommand.run(cli, new String[] {"seed", "list"})).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("acme-aws").doesNotContain("JBSWY3DPEHPK3PXP");
    }

    @Test
    void ofProcess_noTerminalAsked_none() {
        assertThat(CliContext.ofProcess(false).terminal()).isEmpty();
    }

    @Test
    void clock_tokenExpiryAndState_followTheContextClock() {
        InProcessCli at = InProcessCli.in(dir.resolve("data")).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(at.run("init").exitCode()).isZero();
        InProcessCli.Result created = at.run("token", "create", "--name", "ops", "--expires", "1d");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.err()).contains("expires 2030-01-02T00:00:00Z");

        assertThat(at.run("token", "list").out()).containsPattern("ops\\s+\\*\\s+no\\s+active\\s+2030-01-02T00:00:00Z");
        InProcessCli later = at.withClock(Clock.fixed(NOW.plusSeconds(86_400), ZoneOffset.UTC));
        assertThat(later.run("token", "list").out()).containsPattern("ops\\s+\\*\\s+no\\s+expired");
    }

    @Test
    void clock_adminAuditEntry_stampedWithTheContextClock() throws Exception {
        InProcessCli at = InProcessCli.in(dir.resolve("data")).withClock(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(at.run("init").exitCode()).isZero();
        assertThat(at.run("grant", "user:42", "acme-*", "--id", "r1").exitCode()).isZero();

        Path export = dir.resolve("audit.jsonl");
        assertThat(at.run("audit", "export", "--output", export.toString()).exitCode()).isZero();

        assertThat(Files.readString(export)).contains("\"time\":\"2030-01-01T00:00:00").contains("cli:grant");
    }
}
