package dev.mfagate.bot;

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
import ch.qos.logback.core.status.NopStatusListener;
import java.util.function.Function;
import net.logstash.logback.encoder.LogstashEncoder;

/**
 * The bot's logging, set up in code rather than from a {@code logback.xml}: Logback's XML configuration
 * (Joran and the JDK's SAX parser) loads about 300 classes that then stay in the bot's memory for good.
 *
 * <p>Logs go to standard error. {@code MFAGATE_LOG_FORMAT=json} (default) writes one JSON object a line
 * (the logstash encoder); {@code plain} is for local runs. {@code MFAGATE_LOG_LEVEL} (default INFO) is
 * the root level. Any other value of either is refused at start ({@link Main}, with
 * {@link dev.mfagate.api.logging.LogSettings}); should something log before that check, it gets JSON lines
 * at INFO rather than no log. Each is read as a system property first,
 * then from the environment. The JDK's HTTP client logs warnings only. Nothing logged may hold a code,
 * an API key or a token; tests scan what is written.
 *
 * <p>Found by Logback through {@code META-INF/services}. When a {@code logback-test.xml} is on the class
 * path or {@code logback.configurationFile} names a file (tests, benchmarks), Logback's own configuration
 * runs instead.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {

    static final String FORMAT = "MFAGATE_LOG_FORMAT";
    static final String LEVEL = "MFAGATE_LOG_LEVEL";

    private static final String PLAIN_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n%ex{short}";

    /** Logback's reflection needs a public no-argument constructor. */
    public LogConfiguration() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext lc) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(lc, LogConfiguration::setting);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Configures {@code lc} with the settings {@code settings} gives (null or blank when unset). */
    static void configure(LoggerContext lc, Function<String, String> settings) {
        // Logback prints nothing of its own set-up.
        lc.getStatusManager().add(new NopStatusListener());
        lc.getLogger("jdk.internal.httpclient").setLevel(Level.WARN);
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(setting(settings, LEVEL, "INFO"), Level.INFO));
        switch (setting(settings, FORMAT, "json")) {
            case "plain" -> root.addAppender(console(lc, "plain", pattern(lc)));
            // json, or a value Main refuses at start: a log rather than none.
            default -> root.addAppender(console(lc, "json", json(lc)));
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

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext lc, String name, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(lc);
        appender.setName(name);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static PatternLayoutEncoder pattern(LoggerContext lc) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(lc);
        encoder.setPattern(PLAIN_PATTERN);
        encoder.start();
        return encoder;
    }

    private static LogstashEncoder json(LoggerContext lc) {
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(lc);
        encoder.start();
        return encoder;
    }
}
