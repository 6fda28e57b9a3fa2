package dev.mfagate.gateway;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.function.Function;
import java.util.function.Supplier;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.stacktrace.ShortenedThrowableConverter;

/**
 * The logging of {@code serve} and of every one-shot command, set up in code rather than from an
 * XML file: Logback's XML configuration (Joran and the JDK's SAX parser) loads about 400 classes
 * and takes about 0.1 s of every start.
 *
 * <p>Logs go to standard error, so standard output carries only command results (such as a new
 * token). {@code MFAGATE_LOG_FORMAT=json} (default) writes one JSON object a line; {@code plain} is
 * for local runs; {@code MFAGATE_LOG_LEVEL} (default INFO) is the level of the gateway's own
 * loggers; {@code MFAGATE_AUDIT_LOG=off} keeps audit entries out of the log (they stay in the audit
 * store). Each is read as a system property first, then from the environment. A format or level
 * other than these is refused at start ({@link Main}, with {@link dev.mfagate.api.logging.LogSettings});
 * should something log before that check, it gets JSON lines rather than no log. Nothing logged may
 * hold a code, seed or token; tests scan what is written.
 *
 * <p>A one-shot command ({@value #ONE_SHOT} set by {@link Main} for every command but {@code serve})
 * logs at most a warning or two, yet making the JSON encoder (Jackson) took about half of
 * {@code seed list}'s own time: there each appender is made when the first event reaches it, and
 * audit entries are written as they come (the command ends with its process, and a queue could lose
 * the last ones). {@code serve} makes its appenders at once and queues audit entries.
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

    /** The system property that marks a one-shot command: {@code true} for every command but serve. */
    public static final String ONE_SHOT = "mfagate.logging.one-shot";

    /** The logger of audit entries. */
    static final String AUDIT_LOGGER = "dev.mfagate.audit";

    private static final String PLAIN_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} %mdc{request_id:-} - %msg%n";

    /** Logback's reflection needs a public no-argument constructor. */
    public LogConfiguration() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext lc) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(lc, LogConfiguration::setting, Boolean.getBoolean(ONE_SHOT));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Configures {@code lc} with the settings {@code settings} gives (null or blank when unset);
     * {@code oneShot}: appenders made on the first event, audit entries written without a queue.
     */
    static void configure(LoggerContext lc, Function<String, String> settings, boolean oneShot) {
        // Logback prints nothing of its own set-up.
        lc.getStatusManager().add(new NopStatusListener());
        // Audit entries are already one JSON object each (no code, no seed): written as they are, one per line.
        Appender<ILoggingEvent> audit = appender(lc, "audit", oneShot, () -> console(lc, "audit", pattern(lc, "%msg%n")));
        if (!oneShot) {
            AsyncAppender asyncAudit = new AsyncAppender();
            asyncAudit.setContext(lc);
            asyncAudit.setName("async-audit");
            asyncAudit.addAppender(audit);
            asyncAudit.setQueueSize(8192);
            asyncAudit.setNeverBlock(false);
            asyncAudit.start();
            audit = asyncAudit;
        }
        Logger auditLogger = lc.getLogger(AUDIT_LOGGER);
        auditLogger.setLevel(Level.toLevel(setting(settings, AUDIT, "INFO"), Level.INFO));
        auditLogger.setAdditive(false);
        auditLogger.addAppender(audit);

        lc.getLogger("dev.mfagate").setLevel(Level.toLevel(setting(settings, LEVEL, "INFO"), Level.INFO));
        for (String quiet : new String[] {"com.zaxxer.hikari", "org.flywaydb", "org.eclipse.jetty", "io.javalin"}) {
            lc.getLogger(quiet).setLevel(Level.WARN);
        }
        // When the database goes away, Hikari warns once per pooled connection, each with a stack trace
        // (and advises a shorter maxLifetime, which is not the cause): StoreHealth logs one line each way
        // instead. Javalin logs "Failed to start Javalin" before the one-line reason serve prints itself.
        for (String noisy : new String[] {"com.zaxxer.hikari.pool.ProxyConnection", "com.zaxxer.hikari.pool.PoolBase"}) {
            lc.getLogger(noisy).setLevel(Level.ERROR);
        }
        lc.getLogger("io.javalin.Javalin").setLevel(Level.OFF);
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        switch (setting(settings, FORMAT, "json")) {
            case "plain" -> root.addAppender(appender(lc, "plain", oneShot, () -> console(lc, "plain", pattern(lc, PLAIN_PATTERN))));
            // json, or a value Main refuses at start: a log rather than none.
            default -> root.addAppender(appender(lc, "json", oneShot, () -> console(lc, "json", json(lc))));
        }
    }

    /** A system property, else the environment variable; null when unset. */
    private static String setting(String name) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? System.getenv(name) : v;
    }

    /** {@code settings}' value of {@code name}, else {@code fallback}; blank counts as unset. */
    private static String setting(Function<String, String> settings, String name, String fallback) {
        String v = settings.apply(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Appender<ILoggingEvent> appender(LoggerContext lc, String name, boolean onFirstEvent,
                                                    Supplier<Appender<ILoggingEvent>> make) {
        if (!onFirstEvent) {
            return make.get();
        }
        OnFirstEvent appender = new OnFirstEvent(make);
        appender.setContext(lc);
        appender.setName(name);
        appender.start();
        return appender;
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
        throwables.setContext(lc);
        throwables.setMaxDepthPerThrowable(20);
        throwables.setRootCauseFirst(true);
        encoder.setThrowableConverter(throwables);
        encoder.start();
        return encoder;
    }

    /** An appender that makes the real one (encoder and all) when the first event reaches it. */
    static final class OnFirstEvent extends AppenderBase<ILoggingEvent> {

        private final Supplier<Appender<ILoggingEvent>> make;
        private Appender<ILoggingEvent> target;

        OnFirstEvent(Supplier<Appender<ILoggingEvent>> make) {
            this.make = make;
        }

        /** Whether the real appender has been made (an event reached it). */
        boolean made() {
            return target != null;
        }

        // AppenderBase.doAppend holds this appender's lock around append: one target, made once.
        @Override
        protected void append(ILoggingEvent event) {
            if (target == null) {
                target = make.get();
            }
            target.doAppend(event);
        }

        @Override
        public void stop() {
            if (target != null) {
                target.stop();
            }
            super.stop();
        }
    }
}
