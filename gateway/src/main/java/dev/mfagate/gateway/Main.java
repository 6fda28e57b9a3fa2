package dev.mfagate.gateway;

import dev.mfagate.api.logging.JsonStandardError;
import dev.mfagate.api.logging.LogSettings;
import dev.mfagate.core.store.Dialect;
import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.cli.CliContext;
import dev.mfagate.gateway.cli.ExitCodes;
import dev.mfagate.gateway.cli.MfagateCommand;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** The {@code mfagate} command: {@code java -jar mfagate.jar <command>}. */
public final class Main {

    private Main() {
    }

    /**
     * Whether {@code args} name a command that opens a store: any but none, help and version (a wrong
     * guess costs only the preloading's time on a thread of its own).
     */
    static boolean opensStore(String[] args) {
        if (args.length == 0 || args[0].startsWith("-") || args[0].equals("help")) {
            return false;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        return true;
    }

    /** Whether the store is a database named by URL (the option or its environment variable), not SQLite. */
    static boolean usesDatabaseUrl(String[] args) {
        for (String a : args) {
            if (a.equals("--database") || a.startsWith("--database=")) {
                return true;
            }
        }
        String url = System.getenv("MFAGATE_DATABASE_URL");
        return url != null && !url.isBlank();
    }

    /**
     * Refuses a malformed {@code MFAGATE_LOG_FORMAT} or {@code MFAGATE_LOG_LEVEL} among {@code settings} with
     * one line on {@code err}: returns {@link ExitCodes#BAD_INPUT}, or 0 when both are fine. A misspelt format
     * used to write no log at all, a misspelt level to be ignored.
     */
    static int checkLogSettings(Function<String, String> settings, PrintStream err) {
        return LogSettings.problem(settings).or(() -> auditLogProblem(settings.apply(LogConfiguration.AUDIT))).map(problem -> {
            err.println("mfagate: " + problem);
            return ExitCodes.BAD_INPUT;
        }).orElse(0);
    }

    /**
     * The rule a {@code MFAGATE_AUDIT_LOG} value breaks, as one line naming the setting, or empty when it is
     * unset, blank, {@code on}, {@code off} or {@code info} (in any case). Before, any other value (a typo of
     * {@code off}, say) was taken as {@code on}, and audit entries kept going to the log unnoticed.
     */
    static Optional<String> auditLogProblem(String value) {
        if (value == null || value.isBlank() || List.of("on", "off", "info").contains(value.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of(LogConfiguration.AUDIT + ": must be on or off");
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) throws Exception {
        dev.mfagate.core.StartupTrace.mark("main");
        String training = System.getProperty("mfagate.aot.training");
        if (training != null) {
            // bin/mfagate aot: the same jar and class path as every start, so that the cache fits them.
            AotTraining.main(new String[] {training});
            return;
        }
        // With the JSON log format (the default), every line on standard error is a JSON object,
        // the one-line reason of a failed command too.
        JsonStandardError.install("mfagate", System.getenv());
        // Before the defaults below, which set MFAGATE_LOG_LEVEL as a property, and before anything logs.
        int badLogSettings = checkLogSettings(LogSettings::propertyOrEnvironment, System.err);
        if (badLogSettings != 0) {
            System.exit(badLogSettings);
        }
        if (!MfagateCommand.isServing(args) && System.getenv("MFAGATE_LOG_LEVEL") == null) {
            // One-shot commands print their own results; only warnings from the libraries matter.
            System.setProperty("MFAGATE_LOG_LEVEL", "WARN");
        }
        if (!MfagateCommand.isServing(args)) {
            // Logging set up in code, and only once something is logged (LogConfiguration).
            System.setProperty(LogConfiguration.ONE_SHOT, "true");
        }
        if (!MfagateCommand.isServing(args) && System.getenv("MFAGATE_AUDIT_LOG") == null) {
            // Operator changes still go on the audit chain; echoing them to the terminal adds nothing.
            System.setProperty("MFAGATE_AUDIT_LOG", "OFF");
        }
        if (opensStore(args)) {
            // What opening the store needs first (SQLite's native library, the list of migrations,
            // Tink's registrations) loads on the second core while picocli reads the command line.
            // Started only now: classes it initialises may set logging up, which must see the
            // properties and the standard error set above.
            Dialect dialect = usesDatabaseUrl(args) ? Dialect.POSTGRESQL : Dialect.SQLITE;
            Store.beforePreload(dialect);
            Thread.ofPlatform().daemon().name("mfagate-preload").start(() -> {
                try {
                    Store.preload(dialect);
                    if (MfagateCommand.isServing(args)) {
                        GatewayApp.preload();
                    }
                } catch (RuntimeException | LinkageError e) {
                    // The command meets the same failure where it opens the store, and reports it.
                }
            });
        }
        // Built after the redirection above, so that commands write through it.
        dev.mfagate.core.StartupTrace.mark("main: set up");
        // Only a seed is read from a terminal (without echo); serve never reads one.
        int code = MfagateCommand.run(CliContext.ofProcess(!MfagateCommand.isServing(args)), args);
        dev.mfagate.core.StartupTrace.mark("command done");
        if (code != 0 || !MfagateCommand.isServing(args)) {
            if (opensStore(args)) {
                // A command refused at once may end while the start-up thread unpacks SQLite's library.
                Store.endPreload(java.time.Duration.ofSeconds(5));
            }
            System.exit(code);
        }
    }
}
