package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    private static final String TOKEN = "gateway-token-never-printed";

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("ZULIP_SITE", "http://127.0.0.1:1");
        env.put("ZULIP_EMAIL", "bot@example.com");
        env.put("MFAGATE_GATEWAY_URL", "http://127.0.0.1:2");
        env.put("MFAGATE_GATEWAY_TOKEN", TOKEN);
        return env;
    }

    private static int run(Map<String, String> env, ByteArrayOutputStream err, String... args) {
        return new CommandLine(new Main(env, new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
    }

    @Test
    void start_missingApiKey_exits2NamingTheSetting() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = run(env(), err);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(2);
        assertThat(text).contains("ZULIP_API_KEY or ZULIP_BOT_TOKEN").contains("required").doesNotContain(TOKEN);
    }

    @Test
    void start_malformedGatewayUrl_exits2NamingTheSetting() {
        Map<String, String> env = env();
        env.put("ZULIP_API_KEY", "key");
        env.put("MFAGATE_GATEWAY_URL", "not a url");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(env, err)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("mfagate-bot: MFAGATE_GATEWAY_URL:").doesNotContain(TOKEN);
    }

    @Test
    void start_badDotEnv_exits2WithOneLineNamingFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path dotEnv = java.nio.file.Files.writeString(dir.resolve("bot.env"),
                "ZULIP_API_KEY=key\nZULIP_API_KEY=" + TOKEN + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(env(), err, "--env-file", dotEnv.toString())).isEqualTo(2);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("mfagate-bot: .env file: " + dotEnv + ": line 2: ZULIP_API_KEY is already set on line 1"
                + System.lineSeparator());
        assertThat(text).doesNotContain(TOKEN);
    }

    @Test
    void start_backoffBaseAboveMax_exits2WithOneLineNamingBothSettings() {
        Map<String, String> env = env();
        env.put("ZULIP_API_KEY", "key");
        env.put("MFAGATE_BOT_BACKOFF_BASE_MS", "5000");
        env.put("MFAGATE_BOT_BACKOFF_MAX_MS", "1000");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(env, err)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
                "mfagate-bot: MFAGATE_BOT_BACKOFF_BASE_MS: must be at most MFAGATE_BOT_BACKOFF_MAX_MS (1000)" + System.lineSeparator());
    }

    @Test
    void unexpected_failure_oneLineWithoutItsMessage_stackOnlyWithDebug() {
        // picocli's default printed the stack trace and the message, which may quote a setting.
        RuntimeException ex = new IllegalStateException("cannot use " + TOKEN);
        java.io.StringWriter quiet = new java.io.StringWriter();
        assertThat(Main.unexpected(ex, new java.io.PrintWriter(quiet), Map.of())).isEqualTo(1);
        assertThat(quiet.toString()).isEqualTo("mfagate-bot: cannot start: unexpected IllegalStateException;"
                + " run with MFAGATE_DEBUG=1 for details" + System.lineSeparator());
        java.io.StringWriter debug = new java.io.StringWriter();
        Main.unexpected(ex, new java.io.PrintWriter(debug), Map.of("MFAGATE_DEBUG", "1"));
        assertThat(debug.toString()).contains("\tat dev.mfagate.bot.MainTest");
        assertThat(Main.commandLine(new Main(env(), System.err), Map.of()).getExecutionExceptionHandler()).isNotNull();
    }

    @Test
    void start_unknownLogFormat_exits2WithOneLine() {
        Map<String, String> env = env();
        env.put("ZULIP_API_KEY", "key");
        env.put("MFAGATE_LOG_FORMAT", "xml");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(env, err)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
                "mfagate-bot: MFAGATE_LOG_FORMAT: must be json or plain (in lower case)" + System.lineSeparator());
    }

    @Test
    void logProperties_settingsFromDotEnv_handedOnUnlessGivenAsSystemProperty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path dotEnv = java.nio.file.Files.writeString(dir.resolve("bot.env"),
                "MFAGATE_LOG_FORMAT=plain\nMFAGATE_LOG_LEVEL=debug\n");
        Map<String, String> env = env();
        env.put("ZULIP_API_KEY", "key");
        BotConfig config = BotConfig.load(env, dotEnv, null);
        assertThat(Main.logProperties(config, name -> null))
                .isEqualTo(Map.of("MFAGATE_LOG_FORMAT", "plain", "MFAGATE_LOG_LEVEL", "debug"));
        assertThat(Main.logProperties(config, Map.of("MFAGATE_LOG_FORMAT", "json")::get))
                .as("a -D system property is read first by the logging, so it still wins")
                .isEqualTo(Map.of("MFAGATE_LOG_LEVEL", "debug"));
        assertThat(Main.logProperties(BotConfig.load(env, null, null), name -> null)).as("unset: the defaults").isEmpty();
    }
}
