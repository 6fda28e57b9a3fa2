package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bot's logging set up in code: what its logback.xml did (formats, levels), with no XML parser. */
class LogConfigurationTest {

    @Test
    void configure_logbackTestXmlOnClassPath_logbackTakesOver() {
        // The tests' class path holds logback-test.xml: Logback goes on to it.
        assertThat(new LogConfiguration().configure(new LoggerContext())).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    }

    @Test
    void configure_unset_infoAndJsonLinesOnStandardError() throws Exception {
        LoggerContext context = configured(Map.of());
        assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("jdk.internal.httpclient").getLevel()).isEqualTo(Level.WARN);
        String out = captureStandardError(() -> {
            context.getLogger("dev.mfagate.bot.MfaBot").debug("not shown: below INFO");
            context.getLogger("jdk.internal.httpclient.Http1Exchange").info("not shown: below WARN");
            context.getLogger("dev.mfagate.bot.MfaBot").info("bot started");
        });
        String[] lines = out.strip().split("\n");
        assertThat(lines).as(out).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertThat(line.get("message").asText()).isEqualTo("bot started");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("logger_name").asText()).isEqualTo("dev.mfagate.bot.MfaBot");
        assertThat(line.has("@timestamp") && line.has("thread_name")).as(lines[0]).isTrue();
    }

    @Test
    void configure_plainAndWarn_textLinesAtWarnAndAbove() {
        LoggerContext context = configured(Map.of("MFAGATE_LOG_FORMAT", "plain", "MFAGATE_LOG_LEVEL", "WARN"));
        String out = captureStandardError(() -> {
            context.getLogger("dev.mfagate.bot.MfaBot").info("not shown: below WARN");
            context.getLogger("dev.mfagate.bot.MfaBot").warn("event poll failed");
        });
        String[] lines = out.strip().split("\n");
        assertThat(lines).as(out).hasSize(1);
        assertThat(lines[0]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  d\\.mfagate\\.bot\\.MfaBot - event poll failed");
    }

    @Test
    void configure_unknownFormat_stillWritesJsonLines() throws Exception {
        // Main refuses it at start; should anything log before that check, a log rather than none.
        LoggerContext context = configured(Map.of("MFAGATE_LOG_FORMAT", "xml"));
        String out = captureStandardError(() -> context.getLogger("dev.mfagate.bot.MfaBot").error("shown"));
        assertThat(new ObjectMapper().readTree(out.strip()).get("message").asText()).isEqualTo("shown");
    }

    private static LoggerContext configured(Map<String, String> variables) {
        LoggerContext context = new LoggerContext();
        // What logback's service provider gives the context it configures.
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        LogConfiguration.configure(context, variables::get);
        return context;
    }

    private static synchronized String captureStandardError(Runnable logging) {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setErr(err);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
