package dev.mfagate.gateway.cli;

/** A failure the CLI reports as one line and an exit code, without a stack trace. */
public final class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final int exitCode;

    /** A bad-input error (exit 2). */
    public static UserError badInput(String message) {
        return new UserError(message, ExitCodes.BAD_INPUT);
    }

    /** An operational failure (exit 1). */
    public static UserError failure(String message) {
        return new UserError(message, ExitCodes.FAILURE);
    }

    /** An error with a specific exit code. */
    public UserError(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The process exit code. */
    public int exitCode() {
        return exitCode;
    }
}
