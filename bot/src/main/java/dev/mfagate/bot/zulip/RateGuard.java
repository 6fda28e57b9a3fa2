package dev.mfagate.bot.zulip;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bot's outbound rate guard: a token bucket every Zulip request except the long poll passes
 * through, so that a burst of requests (200 people asking at once) stays under Zulip's per-user API
 * limit instead of running into {@code 429}s. A 429 that happens anyway is honoured by the client.
 *
 * <p>Requests that find the bucket empty wait in one of two {@linkplain Lane lanes}, each first come first
 * served: a permit goes to the oldest waiter of {@link Lane#REPLY} before any waiter of
 * {@link Lane#HOUSEKEEPING}. So when ninety code replies expire in the same second, a person's request
 * waits for at most one refill, not behind ninety deletions. Housekeeping waits while replies keep the
 * bucket empty; at the configured rate that is a backlog of seconds, not starvation, since replies are
 * bounded by the people asking.
 *
 * <p>Thread-safe; callers block in {@link #acquire(Lane)} (virtual threads park cheaply).
 */
public final class RateGuard {

    /** Which queue a request waits in when the bucket is empty. */
    public enum Lane {
        /** Requests that answer a person now: looking them up, sending the reply. Served first. */
        REPLY,
        /** Work nobody waits for: expiring code replies, reading back messages after a lost queue. */
        HOUSEKEEPING
    }

    private final double permitsPerNano;
    private final double burst;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> replies = new ArrayDeque<>();
    private final ArrayDeque<Object> housekeeping = new ArrayDeque<>();
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

    /** Takes one permit, waiting in {@code lane} until one is free and no earlier waiter of this or a higher lane is left. */
    public void acquire(Lane lane) throws InterruptedException {
        acquire(lane, () -> false);
    }

    /**
     * As {@link #acquire(Lane)}, but gives up, taking nothing, once {@code cancelled} says so: checked whenever
     * the waiter wakes, which {@link #wakeAll()} forces.
     *
     * @return true with a permit taken, false if cancelled
     */
    public boolean acquire(Lane lane, BooleanSupplier cancelled) throws InterruptedException {
        Object ticket = new Object();
        ArrayDeque<Object> queue = lane == Lane.REPLY ? replies : housekeeping;
        lock.lock();
        try {
            queue.addLast(ticket);
            changed.signalAll(); // a new reply may now be first in line: the waiting head must look again
            try {
                while (true) {
                    if (cancelled.getAsBoolean()) {
                        queue.remove(ticket);
                        changed.signalAll();
                        return false;
                    }
                    long now = System.nanoTime();
                    available = Math.min(burst, available + (now - lastNanos) * permitsPerNano);
                    lastNanos = now;
                    boolean first = head() == ticket;
                    if (first && available >= 1) {
                        available -= 1;
                        queue.removeFirst();
                        changed.signalAll();
                        return true;
                    }
                    if (first) {
                        changed.awaitNanos((long) Math.ceil((1 - available) / permitsPerNano));
                    } else {
                        changed.await();
                    }
                }
            } catch (InterruptedException e) {
                queue.remove(ticket);
                changed.signalAll();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter, so that those whose cancellation condition now holds give up. */
    public void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many requests wait in {@code lane} now (metrics, tests). */
    public int waiting(Lane lane) {
        lock.lock();
        try {
            return (lane == Lane.REPLY ? replies : housekeeping).size();
        } finally {
            lock.unlock();
        }
    }

    private Object head() {
        return replies.isEmpty() ? housekeeping.peekFirst() : replies.peekFirst();
    }
}
