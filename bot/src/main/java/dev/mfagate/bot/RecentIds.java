package dev.mfagate.bot;

import java.util.Arrays;

/**
 * The message ids handled lately, so that each message is handled once even when it comes twice
 * (an event and the catch-up after a re-registration). Bounded: when full, the smallest id is forgotten
 * (message ids grow with time: it is the oldest message). Thread-safe.
 *
 * <p>The ids are kept sorted in one {@code long[]} that grows as needed, to a quarter above the capacity:
 * about 10 bytes an id, where a map of boxed ids took 50 to 60 (some 5 to 6 MB of heap at the bot's 100,000).
 * Ids come almost always in increasing order, so adding one is an append; an older one (a catch-up read
 * beside new events) is inserted in its place.
 */
final class RecentIds {
    private final int capacity;
    /** The longest {@link #ids} gets: the forgotten ids at its start are dropped once it is full. */
    private final int maxLength;
    /** The ids remembered, ascending, in {@code ids[from, to)}. */
    private long[] ids = new long[16];
    private int from;
    private int to;

    RecentIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.maxLength = capacity + Math.max(16, capacity / 4);
    }

    /** Records {@code id}; true if it was new. */
    synchronized boolean firstTime(long id) {
        boolean newest = from == to || id > ids[to - 1];
        if (!newest && Arrays.binarySearch(ids, from, to, id) >= 0) {
            return false;
        }
        if (to == ids.length) {
            makeRoom();
        }
        int at = newest ? to : -Arrays.binarySearch(ids, from, to, id) - 1;
        System.arraycopy(ids, at, ids, at + 1, to - at);
        ids[at] = id;
        to++;
        if (to - from > capacity) {
            from++; // the smallest is forgotten
        }
        return true;
    }

    /** Leaves at least one free slot after {@code to}: a longer array while short of the maximum, else the forgotten slots. */
    private void makeRoom() {
        int size = to - from;
        if (ids.length < maxLength && from < ids.length / 2) {
            ids = Arrays.copyOfRange(ids, from, from + Math.min(maxLength, ids.length * 2));
        } else {
            System.arraycopy(ids, from, ids, 0, size);
        }
        from = 0;
        to = size;
    }
}
