package dev.mfagate.bot.zulip;

import java.util.List;

/**
 * One event from {@code GET /events}, as far as the bot cares. Every event has the queue's event {@code id},
 * which the caller passes back as {@code last_event_id}.
 */
public sealed interface ZulipEvent {
    /** The event id within the queue. */
    long id();

    /** A new message ({@code type: "message"}); the event's {@code flags} are folded into the message. */
    record MessageEvent(long id, ZulipMessage message) implements ZulipEvent {}

    /** A heartbeat on an idle queue; carries nothing. */
    record Heartbeat(long id) implements ZulipEvent {}

    /**
     * A {@code user_group} event: {@code op} is one of {@code add}, {@code remove}, {@code add_members},
     * {@code remove_members}, {@code add_subgroups}, {@code remove_subgroups}, {@code update}.
     *
     * @param group the new group for {@code add}, else null
     * @param groupId the group for every other op, else null
     * @param userIds members added or removed, else empty
     * @param subgroupIds subgroups added or removed, else empty
     */
    record UserGroupEvent(long id, String op, UserGroup group, Long groupId, List<Integer> userIds, List<Long> subgroupIds)
            implements ZulipEvent {
        public UserGroupEvent {
            userIds = List.copyOf(userIds);
            subgroupIds = List.copyOf(subgroupIds);
        }
    }

    /** A {@code subscription} event ({@code peer_add}, {@code peer_remove}, or the bot's own {@code add}/{@code remove}/{@code update}). */
    record SubscriptionEvent(long id, String op, List<Long> streamIds, List<Integer> userIds) implements ZulipEvent {
        public SubscriptionEvent {
            streamIds = List.copyOf(streamIds);
            userIds = List.copyOf(userIds);
        }
    }

    /** Any other event type the server sent. */
    record Other(long id, String type) implements ZulipEvent {}
}
