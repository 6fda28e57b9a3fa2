package dev.mfagate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.Appender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The logging set up in code: levels and formats, and a one-shot command's appenders made when the first event comes. */
class LogConfigurationTest {

    @Test
    void aLogbackTestXmlOnTheClassPathTakesOver() {
        // The tests' class path holds logback-test.xml: Logback goes on to it.
        assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, new LogConfiguration().configure(new LoggerContext()));
    }

    @Test
    void serveMakesItsAppendersAtOnceAndQueuesAuditEntries() {
        LoggerContext context = configured(Map.of(), false);
        assertTrue(context.getLogger("ROOT").getAppender("json") instanceof ch.qos.logback.core.ConsoleAppender);
        assertTrue(context.getLogger("dev.mfagate.audit").getAppender("async-audit") instanceof ch.qos.logback.classic.AsyncAppender);
        assertFalse(context.getLogger("dev.mfagate.audit").isAdditive());
    }

    @Test
    void levelsAreThoseOfLogbackXml() {
        LoggerContext context = configured(Map.of("MFAGATE_LOG_LEVEL", "WARN", "MFAGATE_AUDIT_LOG", "OFF"));
        assertEquals(Level.WARN, context.getLogger("ROOT").getLevel());
        assertEquals(Level.WARN, context.getLogger("dev.mfagate").getLevel());
        assertEquals(Level.OFF, context.getLogger("dev.mfagate.audit").getLevel());
        assertFalse(context.getLogger("dev.mfagate.audit").isAdditive());
        assertEquals(Level.WARN, context.getLogger("com.zaxxer.hikari").getLevel());
        // A stack trace per pooled connection when the database goes away; StoreHealth logs one line instead.
        assertEquals(Level.ERROR, context.getLogger("com.zaxxer.hikari.pool.ProxyConnection").getLevel());
        assertEquals(Level.ERROR, context.getLogger("com.zaxxer.hikari.pool.PoolBase").getLevel());
        assertEquals(Level.OFF, context.getLogger("io.javalin.Javalin").getLevel());
        // Unset: the XML's defaults.
        LoggerContext defaults = configured(Map.of());
        assertEquals(Level.INFO, defaults.getLogger("dev.mfagate").getLevel());
        assertEquals(Level.INFO, defaults.getLogger("dev.mfagate.audit").getLevel());
    }

    @Test
    void jsonLinesWithTheEncodersFieldsMadeOnlyForTheFirstEvent() throws Exception {
        LoggerContext context = configured(Map.of());
        Appender<ILoggingEvent> root = context.getLogger("ROOT").getAppender("json");
        assertFalse(((LogConfiguration.OnFirstEvent) root).made(), "nothing is logged yet, so no encoder is made");
        String out = captureStandardError(() -> {
            context.getLogger("org.example.Library").info("not shown: below WARN");
            context.getLogger("org.example.Library").warn("disk nearly full");
            context.getLogger("dev.mfagate.core.Store").info("store opened");
        });
        assertTrue(((LogConfiguration.OnFirstEvent) root).made());
        String[] lines = out.strip().split("\n");
        assertEquals(2, lines.length, out);
        JsonNode warning = new ObjectMapper().readTree(lines[0]);
        assertEquals("disk nearly full", warning.get("message").asText());
        assertEquals("WARN", warning.get("level").asText());
        assertEquals("org.example.Library", warning.get("logger_name").asText());
        assertTrue(warning.has("@timestamp") && warning.has("thread_name"), lines[0]);
        assertFalse(warning.has("level_value") || warning.has("@version"), lines[0]);
        assertEquals("store opened", new ObjectMapper().readTree(lines[1]).get("message").asText());
    }

    @Test
    void auditEntriesAsTheyAreAndPlainTextWhenAskedFor() throws Exception {
        LoggerContext context = configured(Map.of("MFAGATE_LOG_FORMAT", "plain"));
        String out = captureStandardError(() -> {
            context.getLogger("dev.mfagate.audit").info("{\"seq\":1}");
            context.getLogger("org.example.Library").warn("disk nearly full");
        });
        String[] lines = out.strip().split("\n");
        assertEquals(2, lines.length, out);
        assertEquals("{\"seq\":1}", lines[0]);
        assertTrue(lines[1].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  org\\.example\\.Library +- disk nearly full"), lines[1]);
    }

    @Test
    void unknownFormatStillLogsJsonLines() {
        // Main refuses it at start; should anything log before that, a log rather than none.
        LoggerContext context = configured(Map.of("MFAGATE_LOG_FORMAT", "xml"));
        assertTrue(context.getLogger("ROOT").getAppender("json") != null, "a JSON appender");
    }

    private static LoggerContext configured(Map<String, String> variables) {
        return configured(variables, true);
    }

    private static LoggerContext configured(Map<String, String> variables, boolean oneShot) {
        LoggerContext context = new LoggerContext();
        // What logback's service provider gives the context it configures.
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        Function<String, String> lookup = variables::get;
        LogConfiguration.configure(context, lookup, oneShot);
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
