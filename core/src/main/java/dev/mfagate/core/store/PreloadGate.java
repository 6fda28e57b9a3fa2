package dev.mfagate.core.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a start-up thread's load run only while the process is not exiting, and lets the process wait
 * for a load that has begun before it exits.
 *
 * <p>Made for SQLite's native library: its driver unpacks the library into a temporary file, writing
 * a lock file first and registering both for deletion at exit only once the copy is complete. A
 * process that exits during the copy (a command refused for bad input while the start-up thread
 * loads) leaves a partial library and its lock file, which the driver's own clean-up then never
 * removes. A few lines of locking rather than a library: no library does this one thing.
 *
 * <p>Thread-safe.
 */
final class PreloadGate {

    private final ReentrantLock lock = new ReentrantLock();
    private boolean ended;

    /** Runs {@code load}, unless {@link #end} has been called; an {@code end} meanwhile waits for it. */
    void run(Runnable load) {
        lock.lock();
        try {
            if (!ended) {
                load.run();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps loads from starting from now on, after waiting at most {@code max} for one that has
     * begun; returns whether none was still running when it returned.
     */
    boolean end(Duration max) {
        try {
            if (!lock.tryLock(max.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            ended = true;
            return true;
        } finally {
            lock.unlock();
        }
    }
}
