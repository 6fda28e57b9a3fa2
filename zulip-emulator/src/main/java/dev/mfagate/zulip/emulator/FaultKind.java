package dev.mfagate.zulip.emulator;

/**
 * Failures the emulator can inject into its HTTP API, each the way a client meets it against a real
 * Zulip server. A fault never loses a message that a person sent through the driving API: faults act only
 * on HTTP requests, and a request that is failed is failed before it changes any state (a faulted
 * {@code GET /events} neither acknowledges nor consumes events), except {@link #SLOW_ANSWER}, which
 * handles the request and only holds back its answer.
 */
public enum FaultKind {
    /** Answer with a 5xx status (500 unless {@link Faults#setServerErrorStatus(int)} says 502 or 503) and a Zulip-style JSON error body. */
    SERVER_ERROR,
    /** Answer {@code 429} with {@code "code":"RATE_LIMIT_HIT"}, a {@code retry-after} field and a {@code Retry-After} header. */
    RATE_LIMIT,
    /**
     * Garbage-collect the caller's event queues now, then handle the request normally (so {@code GET /events}
     * answers {@code BAD_EVENT_QUEUE_ID}). As in Zulip, events still waiting in a dropped queue are gone; the
     * messages themselves stay stored and can be fetched with {@code GET /messages}.
     */
    BAD_EVENT_QUEUE_ID,
    /** Wait {@link Faults#setSlowDelay(java.time.Duration) a while}, then handle the request normally. */
    SLOW,
    /**
     * Handle the request normally (a message is stored and evented), then wait
     * {@link Faults#setSlowAnswerDelay(java.time.Duration) a while} before answering: what a client with a shorter timeout meets when Zulip acted on a request but answered late.
     */
    SLOW_ANSWER,
    /** Close the connection without sending any response; the client sees an {@link java.io.IOException}. */
    DROP_CONNECTION
}
