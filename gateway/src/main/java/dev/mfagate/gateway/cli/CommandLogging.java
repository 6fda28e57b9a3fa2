package dev.mfagate.gateway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
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
 * The logging of a one-shot command ({@code mfagate seed list}, not {@code serve}): what
 * {@code logback.xml} sets up, made in code and only when the first event is written. Logback finds
 * it as a {@link Configurator} service before its XML configuration; {@link dev.mfagate.gateway.Main}
 * sets {@value #PROPERTY} for every command but {@code serve}, and without it (the gateway, the
 * tests) or with {@code -Dlogback.configurationFile} this steps aside for the XML.
 *
 * <p>Why: a command logs at most a warning or two, yet reading the XML configuration and starting
 * the JSON encoder (Jackson) took about half of {@code seed list}'s own time. The same variables
 * as the XML, read the same way (system property, then environment, then the default):
 * {@code MFAGATE_LOG_FORMAT} ({@code json} or {@code plain}), {@code MFAGATE_LOG_LEVEL} for
 * {@code dev.mfagate}, {@code MFAGATE_AUDIT_LOG} for the audit entries (written as they are, one a
 * line, and not to the other appenders); {@code WARN} for the rest. Audit entries are written as
 * they come: a command ends with its process, and a queue would lose the last ones.
 */
public final class CommandLogging extends ContextAwareBase implements Configurator {

    /** The system property that makes this the configuration: {@code true} for one-shot commands. */
    public static final String PROPERTY = "mfagate.logging.command";

    /** The logger of audit entries (as in {@code logback.xml}). */
    static final String AUDIT_LOGGER = "dev.mfagate.audit";

    /** Made by logback's service loader. */
    public CommandLogging() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!Boolean.getBoolean(PROPERTY) || System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(context, name -> {
            String value = System.getProperty(name);
            return value != null ? value : System.getenv(name);
        });
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Configures {@code context} with the variables {@code variables} gives (null when unset). */
    static void configure(LoggerContext context, Function<String, String> variables) {
        // As logback.xml's status listener: logback's own notes never reach standard error.
        context.getStatusManager().add(new NopStatusListener());
        String format = variable(variables, "MFAGATE_LOG_FORMAT", "json");
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(onFirstEvent(context, format, "plain".equals(format)
                ? () -> console(context, format, pattern(context, "%d{HH:mm:ss.SSS} %-5level %logger{20} %mdc{request_id:-} - %msg%n"))
                : () -> console(context, format, json(context))));
        Logger audit = context.getLogger(AUDIT_LOGGER);
        audit.setLevel(Level.toLevel(variable(variables, "MFAGATE_AUDIT_LOG", "INFO")));
        audit.setAdditive(false);
        audit.addAppender(onFirstEvent(context, "audit", () -> console(context, "audit", pattern(context, "%msg%n"))));
        context.getLogger("dev.mfagate").setLevel(Level.toLevel(variable(variables, "MFAGATE_LOG_LEVEL", "INFO")));
        for (String quiet : new String[] {"com.zaxxer.hikari", "org.flywaydb", "org.eclipse.jetty", "io.javalin"}) {
            context.getLogger(quiet).setLevel(Level.WARN);
        }
    }

    private static String variable(Function<String, String> variables, String name, String otherwise) {
        String value = variables.apply(name);
        return value != null ? value : otherwise;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.getFieldNames().setLevelValue("[ignore]");
        encoder.getFieldNames().setVersion("[ignore]");
        encoder.addIncludeMdcKeyName("request_id");
        ShortenedThrowableConverter throwables = new ShortenedThrowableConverter();
        throwables.setContext(context);
        throwables.setMaxDepthPerThrowable(20);
        throwables.setRootCauseFirst(true);
        encoder.setThrowableConverter(throwables);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> pattern(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private static Appender<ILoggingEvent> console(LoggerContext context, String name, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static Appender<ILoggingEvent> onFirstEvent(LoggerContext context, String name,
                                                        Supplier<Appender<ILoggingEvent>> make) {
        OnFirstEvent appender = new OnFirstEvent(make);
        appender.setContext(context);
        appender.setName(name);
        appender.start();
        return appender;
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
