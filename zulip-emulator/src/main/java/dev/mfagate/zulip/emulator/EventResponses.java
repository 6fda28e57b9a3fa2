package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.List;

/** The bodies of the event-queue endpoints: {@code POST /register} with its state sections, {@code GET /events}. Immutable records written by {@link Json#MAPPER}. */
final class EventResponses {

    private EventResponses() {}

    /**
     * {@code POST /register}: the new queue, then the initial state of each type the client fetches, a section
     * per type (absent when not fetched), so that the state and the queue's events can be joined without a gap.
     */
    record Registered(
            String queueId,
            int lastEventId,
            long eventQueueLongpollTimeoutSeconds,
            @JsonUnwrapped MessageState message,
            @JsonUnwrapped RealmUserState realmUser,
            @JsonUnwrapped SubscriptionState subscription,
            @JsonUnwrapped UserGroupState userGroup,
            @JsonUnwrapped StreamState stream,
            @JsonUnwrapped RealmState realm) implements Responses.Success {

        @JsonProperty("zulip_version")
        String zulipVersion() {
            return Responses.ZULIP_VERSION;
        }

        @JsonProperty("zulip_feature_level")
        int zulipFeatureLevel() {
            return Responses.ZULIP_FEATURE_LEVEL;
        }

        @JsonProperty("zulip_merge_base")
        String zulipMergeBase() {
            return Responses.ZULIP_VERSION;
        }
    }

    /** The {@code message} section of {@code /register}; {@code -1} before any message. */
    record MessageState(int maxMessageId) {}

    /** The {@code realm_user} section of {@code /register}: everybody, and who the caller is. */
    record RealmUserState(
            List<Wire.User> realmUsers,
            List<Wire.User> realmNonActiveUsers,
            int userId,
            String email,
            String deliveryEmail,
            String fullName,
            boolean isAdmin,
            boolean isOwner,
            boolean isModerator,
            boolean isGuest,
            String avatarUrl,
            String avatarUrlMedium) {

        RealmUserState {
            realmUsers = List.copyOf(realmUsers);
            realmNonActiveUsers = List.copyOf(realmNonActiveUsers);
        }

        static RealmUserState of(List<Directory.User> users, Directory.User caller, boolean clientGravatar) {
            List<Wire.User> active = new ArrayList<>();
            List<Wire.User> inactive = new ArrayList<>();
            for (Directory.User u : users) {
                (u.active ? active : inactive).add(Views.user(u, clientGravatar));
            }
            String avatar = Views.avatarUrl(caller);
            return new RealmUserState(active, inactive, caller.id, caller.email, caller.email, caller.fullName,
                    caller.role.isAdministrator(), caller.role == Role.OWNER, caller.role == Role.MODERATOR,
                    caller.role == Role.GUEST, avatar, avatar);
        }

        @JsonProperty("cross_realm_bots")
        List<Wire.User> crossRealmBots() {
            return List.of();
        }

        /** {@code G}: Gravatar, the only avatar source the emulator has. */
        @JsonProperty("avatar_source")
        String avatarSource() {
            return "G";
        }
    }

    /** The {@code subscription} section of {@code /register}: the caller's channels, and those they could join. */
    record SubscriptionState(List<Wire.Subscription> subscriptions, List<Wire.Channel> neverSubscribed) {
        SubscriptionState {
            subscriptions = List.copyOf(subscriptions);
            neverSubscribed = List.copyOf(neverSubscribed);
        }

        static SubscriptionState of(Directory directory, int callerId, boolean includeSubscribers) {
            List<Wire.Subscription> subscribed = new ArrayList<>();
            List<Wire.Channel> never = new ArrayList<>();
            for (Directory.Channel c : directory.channels()) {
                if (c.subscribers.contains(callerId)) {
                    subscribed.add(Views.subscription(directory, c, includeSubscribers));
                } else if (directory.canSeeChannel(callerId, c)) {
                    never.add(Views.channel(directory, c, includeSubscribers));
                }
            }
            return new SubscriptionState(subscribed, never);
        }

        @JsonProperty("unsubscribed")
        List<Wire.Subscription> unsubscribed() {
            return List.of();
        }
    }

    /** The {@code user_group} section of {@code /register}. */
    record UserGroupState(List<Wire.UserGroup> realmUserGroups) {
        UserGroupState {
            realmUserGroups = List.copyOf(realmUserGroups);
        }

        static UserGroupState of(Directory directory) {
            return new UserGroupState(directory.groups().stream().map(g -> Views.userGroup(directory, g)).toList());
        }
    }

    /** The {@code stream} section of {@code /register}: every channel the caller can see. */
    record StreamState(List<Wire.Channel> streams) {
        StreamState {
            streams = List.copyOf(streams);
        }

        static StreamState of(Directory directory, int callerId) {
            return new StreamState(directory.channels().stream().filter(c -> directory.canSeeChannel(callerId, c))
                    .map(c -> Views.channel(directory, c, false)).toList());
        }
    }

    /**
     * The {@code realm} section of {@code /register}: the organisation settings that decide what a client may do with its messages.
     *
     * @param realmMessageContentEditLimitSeconds {@code null} for no limit (sent as {@code null})
     * @param realmMessageContentDeleteLimitSeconds {@code null} for no limit (sent as {@code null})
     */
    record RealmState(
            String realmName,
            String realmUrl,
            boolean realmAllowMessageEditing,
            Integer realmMessageContentEditLimitSeconds,
            Integer realmMessageContentDeleteLimitSeconds,
            int realmCanDeleteOwnMessageGroup,
            int realmCanDeleteAnyMessageGroup) {

        /** Who may delete their own messages is a group in Zulip: everyone, or administrators only. */
        static RealmState of(String realmName, String realmUrl, OrgSettings s, Directory directory) {
            return new RealmState(realmName, realmUrl, s.allowMessageEditing(), s.messageContentEditLimitSeconds(),
                    s.messageContentDeleteLimitSeconds(),
                    s.everyoneCanDeleteOwnMessages() ? directory.everyoneGroupId : directory.administratorsGroupId,
                    directory.administratorsGroupId);
        }

        @JsonProperty("max_message_length")
        int maxMessageLength() {
            return MessageStore.MAX_MESSAGE_LENGTH;
        }

        @JsonProperty("max_topic_length")
        int maxTopicLength() {
            return MessageStore.MAX_TOPIC_LENGTH;
        }
    }

    /** {@code GET /events}: the queue's pending events, oldest first. */
    record Events(List<EventQueue.Entry> events, String queueId) implements Responses.Success {
        Events {
            events = List.copyOf(events);
        }
    }
}
