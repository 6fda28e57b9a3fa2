package dev.mfagate.gateway;

import dev.mfagate.api.logging.JsonStandardError;
import dev.mfagate.gateway.cli.CliContext;
import dev.mfagate.gateway.cli.MfagateCommand;

/** The {@code mfagate} command: {@code java -jar mfagate.jar <command>}. */
public final class Main {

    private Main() {
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) throws Exception {
        String training = System.getProperty("mfagate.aot.training");
        if (training != null) {
            // bin/mfagate aot: the same jar and class path as every start, so that the cache fits them.
            AotTraining.main(new String[] {training});
            return;
        }
        // With the JSON log format (the default), every line on standard error is a JSON object,
        // the one-line reason of a failed command too.
        JsonStandardError.install("mfagate", System.getenv());
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
        // Built after the redirection above, so that commands write through it.
        int code = MfagateCommand.run(CliContext.ofProcess(), args);
        if (code != 0 || !MfagateCommand.isServing(args)) {
            System.exit(code);
        }
    }
}
