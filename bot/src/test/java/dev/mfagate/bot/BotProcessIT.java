package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged bot ({@code bot/target/mfagate-bot.jar}) as a process of its own against the Zulip emulator:
 * what a service manager sees. The gateway is a closed port; nothing here asks it for a code.
 */
class BotProcessIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private ZulipEmulator zulip;
    private int bot;
    private int ada;
    private Process process;
    private Path errFile;

    /** The bot's working directory and its standard error's file, removed after each test. */
    @TempDir
    Path dir;

    @BeforeEach
    void startZulip() {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (process != null && process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    private List<String> stderr() throws IOException {
        return Files.readAllLines(errFile, StandardCharsets.UTF_8);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("mfagate.bot.jar", "target/mfagate-bot.jar"));
        assertThat(jar).as("the packaged bot; run through failsafe (./mvnw -pl bot -am verify)").isRegularFile();
        return jar;
    }

    private void startBot() throws Exception {
        startBot(Map.of("MFAGATE_LOG_FORMAT", "json"));
    }

    private void startBot(Map<String, String> extraEnvironment) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("ZULIP_") || k.startsWith("MFAGATE_"));
        env.putAll(BotHarness.testEnvironment(zulip, bot, BotConversationTest.closedPort(), "no-gateway-token"));
        env.put("MFAGATE_BOT_ADMIN_PORT", "off");
        env.putAll(extraEnvironment);
        pb.directory(dir.toFile()); // no stray ./.env
        errFile = dir.resolve("stderr.log");
        pb.redirectError(errFile.toFile());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        process = pb.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && zulip.waitingPolls(bot) == 0 && process.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(zulip.waitingPolls(bot)).as("the bot polls its queue; its log: %s", stderr()).isPositive();
    }

    @Test
    void sigterm_runningBot_stopsCleanlyAndExitsZero() throws Exception {
        startBot();
        zulip.sendDirectMessage(ada, List.of(bot), "help");
        zulip.awaitMessage(m -> m.senderId() == bot && m.content().contains("!mfa list"), WAIT);

        process.destroy(); // SIGTERM

        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stopped within %s", WAIT).isTrue();
        List<String> log = stderr();
        assertThat(process.exitValue()).as("exit code after SIGTERM; log: %s", log).isZero();
        assertThat(log).as("the log says so").anyMatch(l -> l.contains("mfagate-bot shut down cleanly") && l.contains("SIGTERM"));
        assertThat(zulip.eventQueueIds(bot)).as("the queue was deleted on the way out").isEmpty();
    }

    @Test
    void start_logSettingsInDotEnv_takeEffect() throws Exception {
        // The working directory's .env, read by default: its log settings count like every other setting.
        Files.writeString(dir.resolve(".env"), "MFAGATE_LOG_FORMAT=plain\nMFAGATE_LOG_LEVEL=DEBUG\n");
        startBot(Map.of());
        process.destroy();
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<String> log = stderr();
        assertThat(log).as("plain text lines, none of them JSON").isNotEmpty().noneMatch(l -> l.startsWith("{"));
        assertThat(log).as("DEBUG from .env").anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} DEBUG .*"));
        assertThat(log).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  .*mfagate-bot shut down cleanly.*"));
    }

    @Test
    void start_unknownLogFormat_exits2WithOneLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("ZULIP_") || k.startsWith("MFAGATE_"));
        pb.environment().putAll(BotHarness.testEnvironment(zulip, bot, BotConversationTest.closedPort(), "no-gateway-token"));
        pb.environment().put("MFAGATE_LOG_FORMAT", "xml");
        pb.directory(dir.toFile());
        errFile = dir.resolve("stderr.log");
        pb.redirectError(errFile.toFile());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        process = pb.start();
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        List<String> log = stderr();
        assertThat(log).as("one JSON line (the default format stands in for the refused one)").hasSize(1);
        assertThat(log.get(0)).contains("mfagate-bot: MFAGATE_LOG_FORMAT: must be json or plain");
    }
}
