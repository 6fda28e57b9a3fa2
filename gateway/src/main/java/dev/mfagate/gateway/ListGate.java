package dev.mfagate.gateway;

import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.gateway.http.ApiException;
import io.javalin.http.Handler;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how many list requests ({@code GET /labels}, a tenant's seeds over the admin API) run at
 * once, response written included: each holds up to a tenant's whole list in memory, and a few
 * hundred at once filled the gateway's 64 MB heap. A request waits up to {@link #WAIT} for its turn,
 * then is refused with 503 {@code busy} and a {@code Retry-After}; code requests are never held
 * here. Thread-safe; one per server.
 */
final class ListGate {

    /** How many list requests run at once. */
    static final int MAX_CONCURRENT = 4;
    /** How long a list request waits for its turn before it is refused. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** What a refused request is told to wait before it asks again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Semaphore turns = new Semaphore(MAX_CONCURRENT, true);

    /** {@code handler}, run only while it holds one of the turns; refused with {@code busy} when none comes in time. */
    Handler gated(Handler handler) {
        return ctx -> {
            boolean got;
            try {
                got = turns.tryAcquire(WAIT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                got = false;
            }
            if (!got) {
                throw ApiException.atDoor(RefusalReason.BUSY, "Too many lists are being read at once; try again in a moment",
                        RETRY_AFTER);
            }
            try {
                handler.handle(ctx);
            } finally {
                turns.release();
            }
        };
    }
}
