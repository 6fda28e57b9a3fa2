package dev.mfagate.gateway;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.stacktrace.ShortenedThrowableConverter;

/**
 * The gateway's logging, set up in code rather than from an XML file: Logback's XML configuration
 * (Joran and the JDK's SAX parser) loads about 400 classes and takes about 0.1 s of every start.
 *
 * <p>Logs go to standard error, so standard output carries only command results (such as a new
 * token). {@code MFAGATE_LOG_FORMAT=json} (default) writes one JSON object a line; {@code plain} is
 * for local runs; {@code MFAGATE_LOG_LEVEL} (default INFO) is the level of the gateway's own
 * loggers; {@code MFAGATE_AUDIT_LOG=off} keeps audit entries out of the log (they stay in the audit
 * store). Each is read as a system property first, then from the environment. Nothing logged may
 * hold a code, seed or token; tests scan what is written.
 *
 * <p>Found by Logback through {@code META-INF/services}. When a {@code logback-test.xml} is on the
 * class path or {@code logback.configurationFile} names a file (tests, benchmarks), Logback's own
 * configuration runs instead.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {

    static final String FORMAT = "MFAGATE_LOG_FORMAT";
    static final String LEVEL = "MFAGATE_LOG_LEVEL";
    static final String AUDIT = "MFAGATE_AUDIT_LOG";

    /** Logback's reflection needs a public no-argument constructor. */
    public LogConfiguration() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext lc) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // As quiet as the XML's NopStatusListener: Logback prints nothing of its own set-up.
        lc.getStatusManager().add(new ch.qos.logback.core.status.NopStatusListener());
        // Audit entries are already one JSON object each (no code, no seed): written as they are, one per line.
        ConsoleAppender<ILoggingEvent> audit = console(lc, "audit", pattern(lc, "%msg%n"));
        AsyncAppender asyncAudit = new AsyncAppender();
        asyncAudit.setContext(lc);
        asyncAudit.setName("async-audit");
        asyncAudit.addAppender(audit);
        asyncAudit.setQueueSize(8192);
        asyncAudit.setNeverBlock(false);
        asyncAudit.start();
        Logger auditLogger = lc.getLogger("dev.mfagate.audit");
        auditLogger.setLevel(Level.toLevel(setting(AUDIT, "INFO"), Level.INFO));
        auditLogger.setAdditive(false);
        auditLogger.addAppender(asyncAudit);

        lc.getLogger("dev.mfagate").setLevel(Level.toLevel(setting(LEVEL, "INFO"), Level.INFO));
        for (String quiet : new String[] {"com.zaxxer.hikari", "org.flywaydb", "org.eclipse.jetty", "io.javalin"}) {
            lc.getLogger(quiet).setLevel(Level.WARN);
        }
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        switch (setting(FORMAT, "json")) {
            case "json" -> root.addAppender(console(lc, "json", json(lc)));
            case "plain" -> root.addAppender(console(lc, "plain",
                    pattern(lc, "%d{HH:mm:ss.SSS} %-5level %logger{20} %mdc{request_id:-} - %msg%n")));
            default -> {
                // Neither json nor plain: no log, as the XML configuration before this class had it.
            }
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** A system property, else the environment variable, else {@code fallback}; blank counts as unset. */
    private static String setting(String name, String fallback) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            v = System.getenv(name);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext lc, String name, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(lc);
        appender.setName(name);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static PatternLayoutEncoder pattern(LoggerContext lc, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(lc);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private static LogstashEncoder json(LoggerContext lc) {
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(lc);
        encoder.getFieldNames().setLevelValue("[ignore]");
        encoder.getFieldNames().setVersion("[ignore]");
        encoder.addIncludeMdcKeyName("request_id");
        ShortenedThrowableConverter throwables = new ShortenedThrowableConverter();
        throwables.setMaxDepthPerThrowable(20);
        throwables.setRootCauseFirst(true);
        encoder.setThrowableConverter(throwables);
        encoder.start();
        return encoder;
    }
}
