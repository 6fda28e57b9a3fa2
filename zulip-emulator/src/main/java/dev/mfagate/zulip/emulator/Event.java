package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The events of Zulip's {@code GET /events} that the emulator emits, one record per type and operation, written
 * by {@link Json#MAPPER} under Zulip's names. The queue numbers each one ({@link EventQueue.Entry}); the event
 * itself carries no id. Immutable, so a queue hands out the very objects it holds.
 */
sealed interface Event {

    /** Zulip's {@code type}: what an event queue's {@code event_types} filters on. */
    @JsonProperty("type")
    String type();

    /** A new message, with the receiving user's flags ({@code read}, {@code mentioned}). */
    record NewMessage(Wire.Message message, List<String> flags) implements Event {
        public NewMessage {
            flags = List.copyOf(flags);
        }

        @Override
        public String type() {
            return "message";
        }
    }

    /**
     * A content edit.
     *
     * @param streamId the channel's id; absent for a direct message
     */
    record UpdateMessage(
            int userId,
            long editTimestamp,
            int messageId,
            List<Integer> messageIds,
            List<String> flags,
            boolean renderingOnly,
            @JsonInclude(Include.NON_NULL) Integer streamId,
            String origContent,
            String origRenderedContent,
            String content,
            String renderedContent,
            boolean isMeMessage) implements Event {

        public UpdateMessage {
            messageIds = List.copyOf(messageIds);
            flags = List.copyOf(flags);
        }

        @Override
        public String type() {
            return "update_message";
        }
    }

    /**
     * A deletion: {@code message_ids} for clients that declared {@code bulk_message_deletion}, else {@code message_id};
     * {@code stream_id} and {@code topic} for a channel message only.
     */
    @JsonInclude(Include.NON_NULL)
    record DeleteMessage(List<Integer> messageIds, Integer messageId, String messageType, Integer streamId, String topic)
            implements Event {

        @Override
        public String type() {
            return "delete_message";
        }
    }

    /** An emoji reaction added ({@code op} {@code add}) or removed ({@code remove}). */
    record Reaction(String op, int userId, int messageId, String emojiName, String emojiCode, String reactionType)
            implements Event {

        @Override
        public String type() {
            return "reaction";
        }
    }

    /** A new user. */
    record RealmUserAdd(Wire.User person) implements Event {
        @Override
        public String type() {
            return "realm_user";
        }

        @JsonProperty("op")
        String op() {
            return "add";
        }
    }

    /** The receiving user was subscribed to these channels. */
    record SubscriptionAdd(List<Wire.Subscription> subscriptions) implements Event {
        public SubscriptionAdd {
            subscriptions = List.copyOf(subscriptions);
        }

        @Override
        public String type() {
            return "subscription";
        }

        @JsonProperty("op")
        String op() {
            return "add";
        }
    }

    /** The receiving user was unsubscribed from these channels. */
    record SubscriptionRemove(List<Wire.ChannelRef> subscriptions) implements Event {
        public SubscriptionRemove {
            subscriptions = List.copyOf(subscriptions);
        }

        @Override
        public String type() {
            return "subscription";
        }

        @JsonProperty("op")
        String op() {
            return "remove";
        }
    }

    /** Other users joined ({@code op} {@code peer_add}) or left ({@code peer_remove}) channels the receiving user can see. */
    record SubscriptionPeers(String op, List<Integer> streamIds, List<Integer> userIds) implements Event {
        public SubscriptionPeers {
            streamIds = List.copyOf(streamIds);
            userIds = List.copyOf(userIds);
        }

        @Override
        public String type() {
            return "subscription";
        }
    }

    /** A new user group. */
    record UserGroupAdd(Wire.UserGroup group) implements Event {
        @Override
        public String type() {
            return "user_group";
        }

        @JsonProperty("op")
        String op() {
            return "add";
        }
    }

    /** Members joined ({@code op} {@code add_members}) or left ({@code remove_members}) a user group. */
    record UserGroupMembers(String op, int groupId, List<Integer> userIds) implements Event {
        public UserGroupMembers {
            userIds = List.copyOf(userIds);
        }

        @Override
        public String type() {
            return "user_group";
        }
    }

    /** What an idle long poll answers with once the heartbeat interval has passed. */
    record Heartbeat() implements Event {
        @Override
        public String type() {
            return "heartbeat";
        }
    }
}
