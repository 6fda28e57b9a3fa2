package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mfagate-bot} starts the shipped jar on a JDK 21+ (found as {@code bin/mfagate} finds
 * it) and, without settings, stops at once with one line naming the missing one: a JSON object
 * with the default log format, text with {@code plain}.
 */
class BotLauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        Path launcher = Path.of(System.getProperty("mfagate.bot.launcher", "../bin/mfagate-bot"));
        assertThat(launcher).isExecutable();
        // An empty working directory (no .env) and an environment without Zulip or bot settings.
        ProcessBuilder pb = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of(launcher.toString()), java.util.Arrays.stream(args)).toList()).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mfagate-bot stopped").isTrue();
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void start_noSettings_exits2WithOneJsonLineNamingTheSetting() throws Exception {
        Result r = run(Map.of());

        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.err()).singleElement();
        JsonNode line = JSON.readTree(r.err());
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("message").asText()).startsWith("mfagate-bot: ZULIP_SITE").contains("required");
        assertThat(line.get("logger_name").asText()).isEqualTo("mfagate-bot");
    }

    @Test
    void start_noSettingsPlainFormat_oneLineOfText() throws Exception {
        Result r = run(Map.of("MFAGATE_LOG_FORMAT", "plain"));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("mfagate-bot: ZULIP_SITE").hasLineCount(1);
    }

    @Test
    void version_printsTheBuildsVersion() throws Exception {
        Result r = run(Map.of(), "-V");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("mfagate-bot " + System.getProperty("mfagate.project.version"));
    }

    @Test
    void flags_c1AloneAndOnJdk25CompactHeadersAndTrimming() throws Exception {
        Result r = run(Map.of("JAVA_OPTS", "-XshowSettings:properties -XX:+PrintCommandLineFlags"), "-V");

        assertThat(r.exit()).as(r.err()).isZero();
        java.util.regex.Matcher spec = java.util.regex.Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(r.err());
        assertThat(spec.find()).as(r.err()).isTrue();
        String flags = r.out().lines().findFirst().orElseThrow();
        assertThat(flags).as("the bot's flags").contains("-XX:+UseSerialGC").contains("-XX:MaxHeapSize=67108864")
                .contains("-XX:MaxNewSize=6291456").contains("-XX:TieredStopAtLevel=1");
        if (Integer.parseInt(spec.group(1)) >= 25) {
            assertThat(flags).contains("-XX:+UseCompactObjectHeaders").contains("-XX:TrimNativeHeapInterval=1000");
        } else {
            assertThat(flags).doesNotContain("UseCompactObjectHeaders");
        }
    }
}
