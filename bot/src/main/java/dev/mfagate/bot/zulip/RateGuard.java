package dev.mfagate.bot.zulip;

import java.util.concurrent.TimeUnit;

/**
 * The bot's outbound rate guard: a token bucket every Zulip request except the long poll passes
 * through, so that a burst of requests (200 people asking at once) stays under Zulip's per-user API
 * limit instead of running into {@code 429}s. A 429 that happens anyway is honoured by the client.
 *
 * <p>Thread-safe; callers block in {@link #acquire()} (virtual threads park cheaply).
 */
public final class RateGuard {
    private final double permitsPerNano;
    private final double burst;
    private double available;
    private long lastNanos;

    /** A bucket refilled at {@code perSecond}, holding at most {@code burst}, full at start. */
    public RateGuard(double perSecond, int burst) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("rate " + perSecond + "/s and burst " + burst + " must be positive");
        }
        this.permitsPerNano = perSecond / 1e9;
        this.burst = burst;
        this.available = burst;
        this.lastNanos = System.nanoTime();
    }

    /** Takes one permit, waiting until one is free. */
    public void acquire() throws InterruptedException {
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            available = Math.min(burst, available + (now - lastNanos) * permitsPerNano);
            lastNanos = now;
            available -= 1;
            // A negative balance is a queue: each caller waits for its own place in it.
            waitNanos = available >= 0 ? 0 : (long) Math.ceil(-available / permitsPerNano);
        }
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
    }
}
