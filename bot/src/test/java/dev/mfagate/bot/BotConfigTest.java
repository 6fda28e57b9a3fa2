package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.api.config.DotEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BotConfigTest {
    private static final String KEY = "zulip-key-ABCdef0123456789";
    private static final String TOKEN = "mfg_gateway-token-0123456789";

    @TempDir
    Path dir;

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("ZULIP_SITE", "https://chat.example.com");
        env.put("ZULIP_EMAIL", "mfa-bot@chat.example.com");
        env.put("ZULIP_API_KEY", KEY);
        env.put("MFAGATE_GATEWAY_URL", "http://127.0.0.1:8080");
        env.put("MFAGATE_GATEWAY_TOKEN", TOKEN);
        return env;
    }

    @Test
    void load_fullEnvironment_usesDefaultsForTheRest() throws Exception {
        BotConfig c = BotConfig.load(env(), null, null);
        assertThat(c.zulipSite()).hasToString("https://chat.example.com");
        assertThat(c.zulipEmail()).isEqualTo("mfa-bot@chat.example.com");
        assertThat(c.zulipApiKey().reveal()).isEqualTo(KEY);
        assertThat(c.gatewayToken().reveal()).isEqualTo(TOKEN);
        assertThat(c.expiryAction()).as("delete by default: an edit leaves the code in the edit history").isEqualTo(ExpiryAction.DELETE);
        assertThat(c.auditMode()).isEqualTo(AuditMode.OFF);
        assertThat(c.auditTopic()).isEqualTo("channel events");
        assertThat(c.clockSkewThreshold()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.adminAddress().getPort()).isEqualTo(BotConfig.DEFAULT_ADMIN_PORT);
        assertThat(c.toString()).as("a config printed by accident shows no secret").doesNotContain(KEY).doesNotContain(TOKEN);
    }

    @Test
    void load_originalBotNames_areAccepted() throws Exception {
        Map<String, String> env = env();
        env.remove("ZULIP_SITE");
        env.remove("ZULIP_EMAIL");
        env.remove("ZULIP_API_KEY");
        env.put("ZULIP_ORG_URL", "https://old.example.com/");
        env.put("ZULIP_BOT_EMAIL", "old-bot@old.example.com");
        env.put("ZULIP_BOT_TOKEN", "old-key");
        BotConfig c = BotConfig.load(env, null, null);
        assertThat(c.zulipSite()).hasToString("https://old.example.com");
        assertThat(c.zulipEmail()).isEqualTo("old-bot@old.example.com");
        assertThat(c.zulipApiKey().reveal()).isEqualTo("old-key");
    }

    @Test
    void load_zuliprc_suppliesZulipSettings() throws Exception {
        Path rc = dir.resolve("zuliprc");
        Files.writeString(rc, "[api]\nemail=rc-bot@chat.example.com\nkey=" + KEY + "\nsite=chat.example.com\n");
        Map<String, String> env = env();
        env.remove("ZULIP_SITE");
        env.remove("ZULIP_EMAIL");
        env.remove("ZULIP_API_KEY");
        BotConfig c = BotConfig.load(env, null, rc);
        assertThat(c.zulipSite()).as("a host-only site gets https://, as Zulip's bindings do").hasToString("https://chat.example.com");
        assertThat(c.zulipEmail()).isEqualTo("rc-bot@chat.example.com");
    }

    @Test
    void load_dotEnv_fillsWhatTheEnvironmentLacks() throws Exception {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "# comment\nexport MFAGATE_GATEWAY_TOKEN=\"" + TOKEN + "\"\nMFAGATE_BOT_EXPIRY_ACTION=edit\n");
        Map<String, String> env = env();
        env.remove("MFAGATE_GATEWAY_TOKEN");
        BotConfig c = BotConfig.load(env, dotEnv, null);
        assertThat(c.gatewayToken().reveal()).isEqualTo(TOKEN);
        assertThat(c.expiryAction()).isEqualTo(ExpiryAction.EDIT);
    }

    @Test
    void load_dotEnvCommentAfterValue_isNotPartOfTheValue() throws Exception {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "MFAGATE_BOT_EXPIRY_ACTION=edit # keep the edit history in mind\n");
        assertThat(BotConfig.load(env(), dotEnv, null).expiryAction()).isEqualTo(ExpiryAction.EDIT);
    }

    @Test
    void load_dotEnvKeyGivenTwice_refusedNamingFileAndLineNotValue() throws Exception {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "MFAGATE_GATEWAY_TOKEN=" + TOKEN + "\n# later\nMFAGATE_GATEWAY_TOKEN=" + TOKEN + "x\n");
        Map<String, String> env = env();
        env.remove("MFAGATE_GATEWAY_TOKEN");
        assertThatThrownBy(() -> BotConfig.load(env, dotEnv, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dotEnv + ": line 3: MFAGATE_GATEWAY_TOKEN is already set on line 1")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void load_dotEnvMalformedLine_refusedNamingFileAndLineNotContent() throws Exception {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "MFAGATE_BOT_EXPIRY_ACTION=edit\n" + TOKEN + "\n");
        assertThatThrownBy(() -> BotConfig.load(env(), dotEnv, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dotEnv + ": line 2: expected KEY=VALUE")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void load_dotEnvUnclosedQuote_refusedNamingFileAndLine() throws Exception {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "MFAGATE_GATEWAY_TOKEN=\"" + TOKEN + "\n");
        assertThatThrownBy(() -> BotConfig.load(env(), dotEnv, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dotEnv + ": line 1: quote \" is not closed")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void load_environmentAndDotEnv_environmentWins() throws Exception {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "MFAGATE_GATEWAY_URL=http://10.0.0.1:1\n");
        assertThat(BotConfig.load(env(), dotEnv, null).gatewayUrl()).hasToString("http://127.0.0.1:8080");
    }

    @Test
    void load_missingKey_namesTheSettingWithoutValue() {
        Map<String, String> env = env();
        env.remove("ZULIP_API_KEY");
        assertThatThrownBy(() -> BotConfig.load(env, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ZULIP_API_KEY")
                .hasMessageContaining("required");
    }

    @Test
    void load_malformedToken_namesTheSettingAndNeverPrintsTheValue() {
        Map<String, String> env = env();
        env.put("MFAGATE_GATEWAY_TOKEN", "secret with spaces");
        assertThatThrownBy(() -> BotConfig.load(env, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MFAGATE_GATEWAY_TOKEN")
                .hasMessageNotContaining("secret with spaces");
    }

    @Test
    void load_malformedUrl_namesTheSetting() {
        Map<String, String> env = env();
        env.put("MFAGATE_GATEWAY_URL", "ftp://gateway");
        assertThatThrownBy(() -> BotConfig.load(env, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("MFAGATE_GATEWAY_URL: must be an http:// or https:// URL");
    }

    @Test
    void load_emailWithoutAt_namesTheSetting() {
        Map<String, String> env = env();
        env.put("ZULIP_EMAIL", "not-an-email");
        assertThatThrownBy(() -> BotConfig.load(env, null, null)).hasMessageStartingWith("ZULIP_EMAIL:");
    }

    @Test
    void load_auditWithoutChannel_namesTheMissingChannel() {
        Map<String, String> env = env();
        env.put("MFAGATE_BOT_AUDIT", "client");
        assertThatThrownBy(() -> BotConfig.load(env, null, null)).hasMessageStartingWith("MFAGATE_BOT_AUDIT_CHANNEL:");
    }

    @Test
    void load_unknownExpiryAction_listsAllowedValues() {
        Map<String, String> env = env();
        env.put("MFAGATE_BOT_EXPIRY_ACTION", "shred");
        assertThatThrownBy(() -> BotConfig.load(env, null, null))
                .hasMessage("MFAGATE_BOT_EXPIRY_ACTION: must be one of edit, delete");
    }

    @Test
    void load_badNumber_namesTheSettingAndRange() {
        Map<String, String> env = env();
        env.put("MFAGATE_BOT_BACKOFF_BASE_MS", "+5");
        assertThatThrownBy(() -> BotConfig.load(env, null, null)).hasMessageStartingWith("MFAGATE_BOT_BACKOFF_BASE_MS: must be a whole number");
    }

    @Test
    void load_backoffBaseAboveMax_namesBothSettings() {
        Map<String, String> env = env();
        env.put("MFAGATE_BOT_BACKOFF_BASE_MS", "5000");
        env.put("MFAGATE_BOT_BACKOFF_MAX_MS", "1000");
        assertThatThrownBy(() -> BotConfig.load(env, null, null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("MFAGATE_BOT_BACKOFF_BASE_MS: must be at most MFAGATE_BOT_BACKOFF_MAX_MS (1000)");
    }

    @Test
    void load_backoffBaseEqualToMax_isAccepted() throws Exception {
        Map<String, String> env = env();
        env.put("MFAGATE_BOT_BACKOFF_BASE_MS", "1000");
        env.put("MFAGATE_BOT_BACKOFF_MAX_MS", "1000");
        assertThat(BotConfig.load(env, null, null).backoffBase()).isEqualTo(Duration.ofSeconds(1));
    }

    static Stream<Arguments> badLogSettings() {
        String format = "MFAGATE_LOG_FORMAT: must be json or plain (in lower case)";
        String level = "MFAGATE_LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (in any case)";
        return Stream.of(
                //            setting                value    message
                Arguments.of("MFAGATE_LOG_FORMAT", "xml",   format),
                Arguments.of("MFAGATE_LOG_FORMAT", "text",  format),
                Arguments.of("MFAGATE_LOG_FORMAT", "JSON",  format),
                Arguments.of("MFAGATE_LOG_LEVEL",  "bogus", level));
    }

    @ParameterizedTest
    @MethodSource("badLogSettings")
    void load_badLogSetting_refusedNamingTheSettingAndRule(String setting, String value, String message) {
        Map<String, String> env = env();
        env.put(setting, value);
        assertThatThrownBy(() -> BotConfig.load(env, null, null)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void load_badLogFormatInDotEnv_refused() throws Exception {
        Path dotEnv = Files.writeString(dir.resolve(".env"), "MFAGATE_LOG_FORMAT=xml\n");
        assertThatThrownBy(() -> BotConfig.load(env(), dotEnv, null)).hasMessageStartingWith("MFAGATE_LOG_FORMAT: must be json or plain");
    }

    @Test
    void load_validLogSettings_accepted() throws Exception {
        Map<String, String> env = env();
        env.put("MFAGATE_LOG_FORMAT", "plain");
        env.put("MFAGATE_LOG_LEVEL", "debug");
        assertThat(BotConfig.load(env, null, null)).isNotNull();
    }

    @Test
    void load_logSettings_environmentThenDotEnv() throws Exception {
        Path dotEnv = Files.writeString(dir.resolve(".env"), "MFAGATE_LOG_FORMAT=plain\nMFAGATE_LOG_LEVEL=debug\n");
        Map<String, String> env = env();
        env.put("MFAGATE_LOG_LEVEL", "WARN");
        BotConfig c = BotConfig.load(env, dotEnv, null);
        assertThat(c.logFormat()).isEqualTo("plain");
        assertThat(c.logLevel()).as("the environment wins").isEqualTo("WARN");
        assertThat(BotConfig.load(env(), null, null).logFormat()).as("unset").isNull();
    }

    @Test
    void load_zuliprcEndlessDevice_isRefusedInOneLine() {
        // A device reports size 0; read whole, --zuliprc /dev/zero ended the bot with an OutOfMemoryError.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero on this system");
        assertThatThrownBy(() -> BotConfig.load(env(), null, Path.of("/dev/zero")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("zuliprc: holds more than " + DotEnv.MAX_FILE_SIZE_BYTES + " bytes: /dev/zero is not a zuliprc");
    }

    @Test
    void load_zuliprcWithoutApiSection_isRefused() throws Exception {
        Path rc = dir.resolve("zuliprc");
        Files.writeString(rc, "email=x@y\n");
        assertThatThrownBy(() -> BotConfig.load(env(), null, rc)).hasMessageStartingWith("zuliprc: has no [api] section");
    }

    @Test
    void load_adminPortOff_disablesAdminPort() throws Exception {
        Map<String, String> env = env();
        env.put("MFAGATE_BOT_ADMIN_PORT", "off");
        assertThat(BotConfig.load(env, null, null).adminAddress()).isNull();
    }
}
