package dev.mfagate.bot.zulip;

import java.util.List;

/** The outcome of one long poll: events (maybe none), or the queue is gone and the caller must register again. */
public sealed interface EventsResult {
    /** Events newer than the {@code last_event_id} asked for, oldest first. */
    record Events(List<ZulipEvent> events) implements EventsResult {
        public Events {
            events = List.copyOf(events);
        }
    }

    /** {@code 400 BAD_EVENT_QUEUE_ID}: the queue was garbage-collected; events in the gap are gone. */
    record QueueGone() implements EventsResult {}
}
