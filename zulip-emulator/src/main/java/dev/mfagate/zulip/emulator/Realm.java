package dev.mfagate.zulip.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The emulated organisation as one unit: the lock that guards all of its state, its settable clock and settings,
 * and its three parts: the {@link Directory} (users, channels, groups), the {@link MessageStore} and the
 * {@link EventQueues}. The parts share the lock, so that a handler holding it sees and changes the organisation
 * atomically, and long polls wait on it.
 *
 * <p>Time for message timestamps, edit limits and the {@code Date} header comes from the settable clock; queue
 * expiry and heartbeats use the monotonic {@link System#nanoTime()}, so skewing the clock in a test does not
 * garbage-collect queues.
 */
final class Realm {
    final ReentrantLock lock = new ReentrantLock();
    final EventQueues events;
    final Directory directory;
    final MessageStore messages;
    final String realmName;
    volatile String realmUrl = "http://127.0.0.1";
    private Clock clock;
    private OrgSettings settings = OrgSettings.defaults();

    Realm(String realmName, Clock clock, Duration queueTimeout) {
        this.realmName = realmName;
        this.clock = clock;
        this.events = new EventQueues(lock, queueTimeout, System::nanoTime);
        this.directory = new Directory(lock, events);
        this.messages = new MessageStore(lock, directory, events);
    }

    Clock clock() {
        return locked(() -> clock);
    }

    void setClock(Clock clock) {
        locked(() -> this.clock = clock);
    }

    /** The instant on the realm's clock. */
    Instant now() {
        return clock().instant();
    }

    OrgSettings settings() {
        return locked(() -> settings);
    }

    void setSettings(OrgSettings settings) {
        locked(() -> this.settings = settings);
    }

    /** Runs the action holding the realm's lock. */
    <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting poll so that the server can stop promptly. */
    void close() {
        events.close();
    }
}
