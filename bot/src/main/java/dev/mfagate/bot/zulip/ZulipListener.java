package dev.mfagate.bot.zulip;

import java.time.Instant;

/**
 * Side concerns of the Zulip client (metrics, clock-skew watch), as a listener with no-op defaults.
 * Called on the thread that made the request; implementations must be thread-safe and quick.
 */
public interface ZulipListener {
    /**
     * Every response that carried a {@code Date} header, except long polls ({@code GET /events}), whose
     * {@code Date} may be as old as the start of the wait: the server's date and the local time it arrived.
     */
    default void onServerDate(Instant serverDate, Instant localReceived) {}

    /** A transient failure that will be retried: {@code kind} is {@code rate_limited}, {@code server_error} or {@code connection}. */
    default void onRetry(String kind) {}

    /** The no-op listener. */
    ZulipListener NONE = new ZulipListener() {};
}
