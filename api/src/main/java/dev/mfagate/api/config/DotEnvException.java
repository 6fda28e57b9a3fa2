package dev.mfagate.api.config;

/**
 * A {@code .env} file that breaks the format {@link DotEnv} reads. The message is one line that names the file
 * (when read from one), the line number and the rule; never the line's content or a value, which may be a secret.
 */
public final class DotEnvException extends Exception {
    private static final long serialVersionUID = 1L;

    /** {@code message} is one line without secret material. */
    public DotEnvException(String message) {
        super(message.replaceAll("[\\r\\n]+", " "));
    }

    /** The same failure with {@code where} (the file) in front of the message. */
    DotEnvException in(String where) {
        return new DotEnvException(where + ": " + getMessage());
    }
}
