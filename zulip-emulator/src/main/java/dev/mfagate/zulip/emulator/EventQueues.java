package dev.mfagate.zulip.emulator;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The realm's event queues, as Zulip's {@code POST /register}, {@code GET /events} and {@code DELETE /events} see
 * them, and the place every change to the realm is announced: as an event to the queues that want it, and as a
 * wake-up to threads waiting in {@link #poll} or {@link #await}.
 *
 * <p>A queue idle (not being polled) for longer than the timeout is garbage-collected, as Zulip does after ten
 * minutes; a later poll of it fails with {@code BAD_EVENT_QUEUE_ID}. Idleness is measured on a monotonic ticker
 * ({@link System#nanoTime()} in the emulator), never on the realm's settable clock, so that skewing the clock in a
 * test does not collect queues.
 *
 * <p>Thread-safety: guarded by the realm's lock, which every method takes (reentrantly); waiting releases it.
 */
final class EventQueues {
    private final ReentrantLock lock;
    private final Condition changed;
    private final long timeoutNanos;
    private final LongSupplier ticker;
    private final Map<String, EventQueue> queues = new LinkedHashMap<>();
    private boolean closing;

    /**
     * @param lock the realm's lock
     * @param timeout how long a queue may go unpolled before it is collected
     * @param ticker monotonic nanoseconds, {@code System::nanoTime} but for tests
     */
    EventQueues(ReentrantLock lock, Duration timeout, LongSupplier ticker) {
        this.lock = lock;
        this.changed = lock.newCondition();
        this.timeoutNanos = timeout.toNanos();
        this.ticker = ticker;
    }

    /** Registers a queue for the user; {@code eventTypes} null for every type. */
    EventQueue register(int userId, Set<String> eventTypes, Narrow narrow, boolean applyMarkdown, boolean clientGravatar,
            boolean bulkMessageDeletion) {
        lock.lock();
        try {
            collectGarbage();
            EventQueue q = new EventQueue(UUID.randomUUID().toString(), userId, eventTypes, narrow, applyMarkdown,
                    clientGravatar, bulkMessageDeletion, ticker.getAsLong());
            queues.put(q.id, q);
            return q;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Announces a change: adds the event {@code build} makes for each live queue that {@code who} picks and whose
     * {@code event_types} include the event's type, then wakes every waiting thread (even when no queue took it).
     */
    void emit(Predicate<EventQueue> who, Function<EventQueue, Event> build) {
        lock.lock();
        try {
            collectGarbage();
            for (EventQueue q : queues.values()) {
                if (who.test(q)) {
                    Event event = build.apply(q);
                    if (q.wants(event.type())) {
                        q.push(event);
                    }
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for events as {@code GET /events} does: acknowledges up to {@code lastEventId}, then returns the pending
     * events, waiting up to {@code heartbeat} for one unless {@code dontBlock}; a heartbeat event when none came.
     *
     * @throws ZulipError {@code BAD_EVENT_QUEUE_ID} for an unknown or collected queue (also when it is deleted or
     *     dropped during the wait); {@code BAD_REQUEST} for another user's queue
     */
    List<EventQueue.Entry> poll(int userId, String queueId, Integer lastEventId, boolean dontBlock, Duration heartbeat)
            throws InterruptedException {
        lock.lock();
        try {
            EventQueue q = ownQueue(userId, queueId, "You are not authorized to get events from this queue");
            q.lastActivityNanos = ticker.getAsLong();
            if (lastEventId != null) {
                q.acknowledge(lastEventId);
            }
            q.pollers++;
            try {
                long remaining = heartbeat.toNanos();
                while (q.isEmpty() && !dontBlock && !q.dead && !closing) {
                    if (remaining <= 0) {
                        q.push(new Event.Heartbeat());
                        break;
                    }
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                q.pollers--;
                q.lastActivityNanos = ticker.getAsLong();
            }
            if (q.dead) {
                throw ZulipError.badEventQueue(queueId);
            }
            return q.pending();
        } finally {
            lock.unlock();
        }
    }

    /** {@code DELETE /events}: forgets the queue; a poll waiting on it fails with {@code BAD_EVENT_QUEUE_ID}. */
    void delete(int userId, String queueId) {
        lock.lock();
        try {
            EventQueue q = ownQueue(userId, queueId, "You are not authorized to access this queue");
            q.dead = true;
            queues.remove(queueId);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private EventQueue ownQueue(int userId, String queueId, String notYours) {
        collectGarbage();
        EventQueue q = queues.get(queueId);
        if (q == null) {
            throw ZulipError.badEventQueue(queueId);
        }
        if (q.userId != userId) {
            throw ZulipError.badRequest(notYours);
        }
        return q;
    }

    /** How many long polls of the user's queues are waiting for events now. */
    int waitingPolls(int userId) {
        lock.lock();
        try {
            return queues.values().stream().filter(q -> q.userId == userId).mapToInt(q -> q.pollers).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Drops every queue of the user at once, as a server restart or garbage collection would; returns how many. */
    int drop(int userId) {
        lock.lock();
        try {
            int dropped = 0;
            for (Iterator<EventQueue> it = queues.values().iterator(); it.hasNext(); ) {
                EventQueue q = it.next();
                if (q.userId == userId) {
                    q.dead = true;
                    it.remove();
                    dropped++;
                }
            }
            changed.signalAll();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Ids of the user's live queues, oldest first. */
    List<String> ids(int userId) {
        lock.lock();
        try {
            collectGarbage();
            return queues.values().stream().filter(q -> q.userId == userId).map(q -> q.id).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Drops queues idle for longer than the timeout (a queue being polled is never idle). Caller holds the lock. */
    private void collectGarbage() {
        long now = ticker.getAsLong();
        for (Iterator<EventQueue> it = queues.values().iterator(); it.hasNext(); ) {
            EventQueue q = it.next();
            if (q.pollers == 0 && now - q.lastActivityNanos > timeoutNanos) {
                q.dead = true;
                it.remove();
            }
        }
    }

    /**
     * Waits until {@code probe} returns something other than null, re-asking after every announced change; returns
     * that, or null at the timeout. The probe runs under the lock.
     */
    <T> T await(Supplier<T> probe, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                T found = probe.get();
                long left = deadline - System.nanoTime();
                if (found != null || left <= 0) {
                    return found;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting poll, and makes later ones return at once, so that the server can stop promptly. */
    void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
