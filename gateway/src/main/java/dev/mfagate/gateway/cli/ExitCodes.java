package dev.mfagate.gateway.cli;

/** The CLI's exit codes. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The operation failed for a reason outside the input (store missing, database down, I/O). */
    public static final int FAILURE = 1;
    /** The input was bad (unparsable seed, unknown label, usage error); nothing was written. */
    public static final int BAD_INPUT = 2;
    /** An audit chain check found tampering. */
    public static final int TAMPERED = 3;

    private ExitCodes() {
    }
}
