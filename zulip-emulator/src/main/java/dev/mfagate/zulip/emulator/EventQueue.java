package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;

/** One registered event queue. Guarded by the realm's lock; never touched without it. */
final class EventQueue {
    /** An event as the queue delivers it: Zulip's {@code id}, then the event's own fields. */
    record Entry(int id, @JsonUnwrapped Event event) {}

    final String id;
    final int userId;
    /** Event types the client asked for, or null for all. */
    final Set<String> eventTypes;
    final Narrow narrow;
    final boolean applyMarkdown;
    final boolean clientGravatar;
    final boolean bulkMessageDeletion;
    private final ArrayDeque<Entry> events = new ArrayDeque<>();
    private int nextEventId;
    long lastActivityNanos;
    int pollers;
    boolean dead;

    EventQueue(String id, int userId, Set<String> eventTypes, Narrow narrow, boolean applyMarkdown,
            boolean clientGravatar, boolean bulkMessageDeletion, long nowNanos) {
        this.id = id;
        this.userId = userId;
        this.eventTypes = eventTypes;
        this.narrow = narrow;
        this.applyMarkdown = applyMarkdown;
        this.clientGravatar = clientGravatar;
        this.bulkMessageDeletion = bulkMessageDeletion;
        this.lastActivityNanos = nowNanos;
    }

    boolean wants(String type) {
        return eventTypes == null || eventTypes.contains(type);
    }

    void push(Event event) {
        events.add(new Entry(nextEventId++, event));
    }

    /** Forgets events the client has acknowledged (ids up to and including lastEventId). */
    void acknowledge(int lastEventId) {
        while (!events.isEmpty() && events.peekFirst().id() <= lastEventId) {
            events.removeFirst();
        }
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    /** The events not yet acknowledged, oldest first. Entries are immutable, so the list shares them. */
    List<Entry> pending() {
        return List.copyOf(events);
    }

    /** The id the last event got, or -1: what {@code POST /register} returns as {@code last_event_id}. */
    int lastEventId() {
        return nextEventId - 1;
    }
}
