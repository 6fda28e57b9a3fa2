package dev.mfagate.bot.zulip;

/**
 * A Zulip request failed for good: the server refused it with an error that retrying cannot fix
 * ({@code status} 4xx and Zulip's {@code code}), or the client was closed or interrupted while it waited.
 * Transient failures (429, 5xx, connection errors) never surface as this exception until the retry
 * budget is spent. The message never contains the API key.
 */
public final class ZulipException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    /** {@code status} is the HTTP status, or 0 when no response came; {@code code} is Zulip's error code, or a local one. */
    public ZulipException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** The HTTP status, or 0 when no response came. */
    public int status() {
        return status;
    }

    /** Zulip's {@code code} (e.g. {@code BAD_REQUEST}), or {@code CLOSED}, {@code RETRIES_EXHAUSTED}, {@code INTERRUPTED}. */
    public String code() {
        return code;
    }
}
