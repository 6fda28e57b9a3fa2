package dev.mfagate.bot.zulip.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.util.List;

/**
 * The wire records of Zulip's REST API that the bot reads. Each record is a body or an object inside one, as
 * Zulip's OpenAPI description ({@code shared/zulip-api/zulip.yaml}) names them. Immutable.
 */
public final class Wire {

    /** Reads the records: snake_case names, unknown fields ignored. Thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Wire() {
    }

    static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : List.copyOf(values);
    }

    /** {@code POST /register}, as far as the bot asked for it. Missing ids are null. */
    public record Registered(String queueId, Long lastEventId, Long maxMessageId, List<UserGroup> realmUserGroups) {
        public Registered {
            realmUserGroups = list(realmUserGroups);
        }
    }

    /** {@code GET /events}. */
    public record Events(List<Event> events) {
        public Events {
            events = list(events);
        }
    }

    /**
     * One event of any type; the fields of the types the bot handles ({@code message}, {@code user_group},
     * {@code subscription}), absent for the others.
     */
    public record Event(long id, String type, Message message, List<String> flags, String op, UserGroup group,
                        Long groupId, List<Integer> userIds, List<Long> directSubgroupIds, List<Long> streamIds,
                        List<Subscription> subscriptions) {
        public Event {
            flags = list(flags);
            userIds = list(userIds);
            directSubgroupIds = list(directSubgroupIds);
            streamIds = list(streamIds);
            subscriptions = list(subscriptions);
        }
    }

    /** A subscription in a {@code subscription} event about the bot's own channels. */
    public record Subscription(long streamId) {}

    /**
     * A message. {@code display_recipient} is a list of users for a DM and the channel's name for a channel
     * message, so it stays a JSON node here; {@code subject} is the topic's older name.
     */
    public record Message(long id, String type, int senderId, String senderEmail, String senderFullName, String content,
                          Long streamId, JsonNode displayRecipient, String subject, String topic, List<String> flags) {
        public Message {
            flags = list(flags);
        }
    }

    /** {@code GET /messages}: a window of messages, oldest first. */
    public record Messages(List<Message> messages) {
        public Messages {
            messages = list(messages);
        }
    }

    /** {@code GET /messages/{message_id}}. */
    public record OneMessage(Message message) {}

    /** A user group in {@code realm_user_groups} or a {@code user_group} event. */
    public record UserGroup(long id, String name, List<Integer> members, List<Long> directSubgroupIds) {
        public UserGroup {
            members = list(members);
            directSubgroupIds = list(directSubgroupIds);
        }
    }

    /** A user: the body of {@code GET /users/me}, or {@code user} in {@code GET /users/{user_id}}. */
    public record User(int userId, String email, String deliveryEmail, String fullName, boolean isBot) {}

    /** {@code GET /users/{user_id}}. */
    public record OneUser(User user) {}

    /** {@code GET /streams}. */
    public record Streams(List<Stream> streams) {
        public Streams {
            streams = list(streams);
        }
    }

    /** A channel in {@code GET /streams}. */
    public record Stream(long streamId, String name) {}

    /** {@code GET /streams/{stream_id}/members}. */
    public record Subscribers(List<Integer> subscribers) {
        public Subscribers {
            subscribers = list(subscribers);
        }
    }

    /** {@code POST /messages}. */
    public record Sent(long id) {}

    /** A success without fields the bot reads ({@code DELETE /events}, {@code PATCH}/{@code DELETE /messages/{id}}). */
    public record Ok() {}
}
