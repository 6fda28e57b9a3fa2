package dev.mfagate.bot;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.mfagate.api.logging.JsonStandardError;
import dev.mfagate.api.logging.LogSettings;
import dev.mfagate.bot.zulip.ZulipException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar mfagate-bot.jar [--zuliprc FILE] [--env-file FILE]}: runs the Zulip bot until
 * SIGTERM/SIGINT, then shuts down gracefully (see {@link MfaBot#close()}) and logs that it did. Exit codes:
 * 0 after a clean stop (the signals are handled by {@link StopSignals}, so the JVM's 143 does not apply),
 * 1 when Zulip refuses or cannot be reached at start, 2 for a missing or malformed setting (the message
 * names it).
 */
@Command(name = "mfagate-bot", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The mfagate Zulip bot: answers !mfa-<client>-<service> in a direct message with a code from the gateway.")
public final class Main implements Callable<Integer> {

    @Option(names = "--zuliprc", paramLabel = "FILE",
            description = "Zulip credentials file ([api] email, key, site). Default: $ZULIP_CONFIG if set.")
    Path zuliprc;

    @Option(names = "--env-file", paramLabel = "FILE", description = "A .env file of settings. Default: ./.env if it exists.")
    Path envFile;

    private final Map<String, String> environment;
    private PrintStream err;
    /** Whether this command owns the process: its system properties, standard error and logging. */
    private final boolean ownsProcess;

    /** The command for this process: its environment and standard error. */
    public Main() {
        this(System.getenv(), System.err, true);
    }

    /** The command with an explicit environment and error stream (tests); the process's logging is left alone. */
    Main(Map<String, String> environment, PrintStream err) {
        this(environment, err, false);
    }

    private Main(Map<String, String> environment, PrintStream err, boolean ownsProcess) {
        this.environment = environment;
        this.err = err;
        this.ownsProcess = ownsProcess;
    }

    /** Entry point. */
    public static void main(String[] args) {
        // With the JSON log format (the default), a start-up failure is a JSON line like every log event.
        JsonStandardError.install("mfagate-bot", System.getenv());
        // BotConfig checks the environment and .env; the logging reads a system property first (JAVA_OPTS -D...).
        LogSettings.problem(System::getProperty).ifPresent(problem -> {
            System.err.println("mfagate-bot: " + problem + " (system property)");
            System.exit(2);
        });
        System.exit(commandLine(new Main(), System.getenv()).execute(args));
    }

    /**
     * The command line of {@code main}: a failure that {@link #call} does not turn into a sentence itself
     * prints one line naming its kind and exits 1, instead of picocli's stack trace. Its message is left
     * out, as it may quote a setting (an API key among them); {@code MFAGATE_DEBUG=1} adds the stack trace.
     */
    static CommandLine commandLine(Main main, Map<String, String> environment) {
        CommandLine cl = new CommandLine(main);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> unexpected(ex, cmd.getErr(), environment));
        return cl;
    }

    /** Writes {@code ex} to {@code w} as {@link #commandLine} describes; returns the exit code, 1. */
    static int unexpected(Exception ex, PrintWriter w, Map<String, String> environment) {
        w.println("mfagate-bot: cannot start: unexpected " + ex.getClass().getSimpleName()
                + "; run with MFAGATE_DEBUG=1 for details");
        if (environment.containsKey("MFAGATE_DEBUG")) {
            ex.printStackTrace(w);
        }
        w.flush();
        return 1;
    }

    @Override
    public Integer call() {
        Path rc = zuliprc != null ? zuliprc : envPath(environment, "ZULIP_CONFIG");
        Path env = envFile != null ? envFile : (Files.isRegularFile(Path.of(".env")) ? Path.of(".env") : null);
        BotConfig config;
        try {
            config = BotConfig.load(environment, env, rc);
        } catch (ConfigException e) {
            err.println("mfagate-bot: " + e.getMessage());
            return 2;
        }
        if (ownsProcess) {
            useLogSettings(config);
        }
        // The first logger: Logback configures itself now (LogConfiguration), with the settings just handed on.
        Logger log = LoggerFactory.getLogger(Main.class);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MfaBot bot = new MfaBot(config, new BotMetrics(registry), Clock.systemUTC());
        AdminServer admin = null;
        try {
            if (config.adminAddress() != null) {
                admin = new AdminServer(config.adminAddress(), bot, registry);
                admin.start();
                log.info("admin port listening on {}:{}", config.adminAddress().getHostString(), admin.port());
            }
            bot.start();
        } catch (ZulipException e) {
            err.println("mfagate-bot: cannot start: " + e.getMessage());
            if (admin != null) {
                admin.close();
            }
            return 1;
        } catch (java.io.IOException e) {
            err.println("mfagate-bot: cannot open the admin port (MFAGATE_BOT_ADMIN_PORT): " + e.getMessage());
            return 1;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<String> signal = new AtomicReference<>();
        StopSignals.install(name -> {
            if (signal.compareAndSet(null, name)) {
                log.info("stop requested {}", kv("signal", "SIG" + name));
            } else {
                log.info("already stopping {}", kv("signal", "SIG" + name));
            }
            stopRequested.countDown();
        });
        // Any other way out of the JVM (System.exit elsewhere, SIGHUP) still stops the bot gracefully.
        AdminServer adminToClose = admin;
        Thread hook = new Thread(() -> stop(bot, adminToClose), "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(bot, admin);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (a signal this process could not handle): the hook's stop is a no-op.
        }
        log.info("mfagate-bot shut down cleanly {}", kv("signal", signal.get() == null ? "none" : "SIG" + signal.get()));
        return 0;
    }

    /**
     * Hands the log settings found in the environment or the {@code .env} file to the logging, which reads
     * system properties and the environment only, and is set up when the first logger is asked for. With
     * {@code plain} from {@code .env}, undoes the JSON standard error {@link #main} installed for the default.
     */
    private void useLogSettings(BotConfig config) {
        boolean wasJson = JsonStandardError.isJson(environment);
        logProperties(config, System::getProperty).forEach(System::setProperty);
        if (wasJson && !JsonStandardError.isJson(environment)) {
            JsonStandardError.uninstall();
            err = System.err;
        }
    }

    /**
     * The system properties that carry {@code config}'s log settings to {@link LogConfiguration}: those found
     * and not already given as a system property ({@code -D}, which the logging reads first and so still wins).
     */
    static Map<String, String> logProperties(BotConfig config, Function<String, String> systemProperties) {
        Map<String, String> out = new TreeMap<>();
        putUnlessGiven(out, LogSettings.FORMAT, config.logFormat(), systemProperties);
        putUnlessGiven(out, LogSettings.LEVEL, config.logLevel(), systemProperties);
        return out;
    }

    private static void putUnlessGiven(Map<String, String> out, String name, String value, Function<String, String> systemProperties) {
        String given = systemProperties.apply(name);
        if (value != null && (given == null || given.isBlank())) {
            out.put(name, value);
        }
    }

    private static void stop(MfaBot bot, AdminServer admin) {
        bot.close();
        if (admin != null) {
            admin.close();
        }
    }

    private static Path envPath(Map<String, String> environment, String name) {
        String v = environment.get(name);
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** The version the build wrote into {@code dev/mfagate/bot/version.properties} (resource filtering). */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mfagate-bot " + version()};
        }

        /** The project version of this build. */
        static String version() {
            try (var in = Main.class.getResourceAsStream("/dev/mfagate/bot/version.properties")) {
                java.util.Properties p = new java.util.Properties();
                if (in != null) {
                    p.load(in);
                }
                String v = p.getProperty("version", "");
                // Unfiltered (run from an IDE without the build): say so rather than print the placeholder.
                return v.isBlank() || v.startsWith("${") ? "(unknown: not built by Maven)" : v;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Cannot read the version resource", e);
            }
        }
    }
}
