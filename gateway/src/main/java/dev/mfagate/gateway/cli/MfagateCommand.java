package dev.mfagate.gateway.cli;

import dev.mfagate.core.seed.SeedImportException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the {@code mfagate} command line. */
@Command(name = "mfagate", mixinStandardHelpOptions = true, versionProvider = MfagateCommand.Version.class,
        description = "Keeps shared TOTP seeds encrypted and hands out codes, never seeds.",
        subcommands = {InitCommand.class, ServeCommand.class, SeedCommand.class, TokenCommand.class,
                KeysCommand.class, GrantCommand.class, RevokeCommand.class, PolicyCommand.class, AuditCommand.class,
                MigrateCommand.class, TenantCommands.TenantCommand.class, TenantCommands.PersonCommand.class,
                TenantCommands.MemberCommand.class,
                CommandLine.HelpCommand.class})
public final class MfagateCommand implements Runnable {

    @Override
    public void run() {
        throw UserError.badInput("Missing command; see mfagate --help");
    }

    /** Runs {@code args} and returns the exit code; errors are one line on standard error. */
    public static int run(String[] args) {
        return commandLine().execute(args);
    }

    /** Whether {@code args} start the server (the process then keeps running after {@link #run}). */
    public static boolean isServing(String[] args) {
        return args.length > 0 && args[0].equals("serve");
    }

    /** A configured command line (for tests that capture output). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MfagateCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof UserError ue) {
                err.println("mfagate: " + ue.getMessage());
                err.flush();
                return ue.exitCode();
            }
            if (ex instanceof SeedImportException se) {
                err.println("mfagate: " + se.getMessage());
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof IllegalStateException || ex instanceof java.io.UncheckedIOException
                    || ex instanceof UnsupportedOperationException) {
                // The store's own refusals: messages name paths and the fix, never secrets.
                err.println("mfagate: " + ex.getMessage());
                err.flush();
                return ExitCodes.FAILURE;
            }
            if (ex instanceof IllegalArgumentException iae) {
                err.println("mfagate: " + iae.getMessage());
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
            // Unexpected: say what kind of failure without echoing a message that might hold input.
            err.println("mfagate: unexpected " + ex.getClass().getSimpleName() + "; run with MFAGATE_DEBUG=1 for details");
            if (System.getenv("MFAGATE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.FAILURE;
        });
        // Never picocli's own messages: they quote unmatched arguments and bad values, which may be secrets.
        cl.setParameterExceptionHandler(new ParameterErrors());
        return cl;
    }

    /** The version the build wrote into {@code dev/mfagate/gateway/version.properties} (resource filtering). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mfagate " + version()};
        }

        /** The project version of this build. */
        static String version() {
            try (var in = MfagateCommand.class.getResourceAsStream("/dev/mfagate/gateway/version.properties")) {
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
