package dev.mfagate.bot;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The message ids handled lately, so that each message is handled once even when it comes twice
 * (an event and the catch-up after a re-registration). Bounded: the oldest ids are forgotten first.
 * Thread-safe.
 */
final class RecentIds {
    private final Map<Long, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records {@code id}; true if it was new. */
    synchronized boolean firstTime(long id) {
        return ids.putIfAbsent(id, Boolean.TRUE) == null;
    }
}
