package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies the emulated endpoints answer with, one record each, written by {@link Json#MAPPER} under Zulip's
 * names; Zulip's objects inside them are {@link Wire} records. Immutable. What every endpoint may add
 * ({@code ignored_parameters_unsupported}) is added by {@link Api} to all of them alike.
 */
final class Responses {
    static final String ZULIP_VERSION = "11.0-dev";
    static final int ZULIP_FEATURE_LEVEL = 378;

    private Responses() {}

    /** Zulip's {@code JsonSuccessBase}: {@code "result": "success", "msg": ""}, then the endpoint's own fields. */
    @JsonPropertyOrder({"result", "msg"})
    interface Success {
        @JsonProperty("result")
        default String result() {
            return "success";
        }

        @JsonProperty("msg")
        default String msg() {
            return "";
        }
    }

    /** A success with nothing more to say. */
    record Ok() implements Success {}

    /**
     * Zulip's error body, {@code {"result":"error","msg":...,"code":...}} plus the fields Zulip adds for that error.
     *
     * @param extra those further fields, by wire name (e.g. {@code queue_id}, {@code retry-after})
     */
    @JsonPropertyOrder({"result", "msg", "code"})
    record Failure(String msg, String code, @JsonIgnore Map<String, Object> extra) {
        Failure {
            extra = new LinkedHashMap<>(extra);
        }

        @JsonProperty("result")
        String result() {
            return "error";
        }

        @JsonAnyGetter
        Map<String, Object> extraFields() {
            return extra;
        }
    }

    // ---------------------------------------------------------------- events

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
            @JsonUnwrapped RealmState realm) implements Success {

        @JsonProperty("zulip_version")
        String zulipVersion() {
            return ZULIP_VERSION;
        }

        @JsonProperty("zulip_feature_level")
        int zulipFeatureLevel() {
            return ZULIP_FEATURE_LEVEL;
        }

        @JsonProperty("zulip_merge_base")
        String zulipMergeBase() {
            return ZULIP_VERSION;
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
    record Events(List<EventQueue.Entry> events, String queueId) implements Success {
        Events {
            events = List.copyOf(events);
        }
    }

    // ---------------------------------------------------------------- messages

    /** {@code POST /messages}: the new message's id. */
    record Sent(int id) implements Success {}

    /** {@code GET /messages/{id}}. */
    record OneMessage(String rawContent, Wire.Message message) implements Success {}

    /** {@code GET /messages} with {@code message_ids}: those of the ids the caller may read. */
    record MessagesById(List<Wire.Message> messages) implements Success {
        MessagesById {
            messages = List.copyOf(messages);
        }
    }

    /** {@code GET /messages} around an anchor. */
    record MessageWindow(List<Wire.Message> messages, long anchor, boolean foundAnchor, boolean foundOldest,
            boolean foundNewest) implements Success {

        MessageWindow {
            messages = List.copyOf(messages);
        }

        @JsonProperty("history_limited")
        boolean historyLimited() {
            return false;
        }
    }

    /** {@code PATCH /messages/{id}}: the emulator has no uploads to detach. */
    record Edited() implements Success {
        @JsonProperty("detached_uploads")
        List<Object> detachedUploads() {
            return List.of();
        }
    }

    // ---------------------------------------------------------------- users, channels, groups

    /** {@code GET /users/me}. */
    record OwnUser(
            String avatarUrl,
            String email,
            String fullName,
            boolean isAdmin,
            boolean isOwner,
            int role,
            boolean isGuest,
            boolean isBot,
            boolean isActive,
            String dateJoined,
            int maxMessageId,
            int userId,
            String deliveryEmail) implements Success {

        static OwnUser of(Directory.User caller, int maxMessageId) {
            return new OwnUser(Views.avatarUrl(caller), caller.email, caller.fullName, caller.role.isAdministrator(),
                    caller.role == Role.OWNER, caller.role.apiValue(), caller.role == Role.GUEST, caller.isBot, caller.active,
                    Views.dateJoined(caller), maxMessageId, caller.id, caller.email);
        }

        @JsonProperty("avatar_version")
        int avatarVersion() {
            return 1;
        }

        @JsonProperty("timezone")
        String timezone() {
            return "";
        }
    }

    /** {@code GET /users}. */
    record Members(List<Wire.User> members) implements Success {
        Members {
            members = List.copyOf(members);
        }
    }

    /** {@code GET /users/{id}}. */
    record OneUser(Wire.User user) implements Success {}

    /** {@code GET /users/me/subscriptions}. */
    record Subscriptions(List<Wire.Subscription> subscriptions) implements Success {
        Subscriptions {
            subscriptions = List.copyOf(subscriptions);
        }
    }

    /** {@code GET /users/{user_id}/subscriptions/{stream_id}}. */
    record SubscriptionStatus(boolean isSubscribed) implements Success {}

    /** {@code GET /streams}. */
    record Streams(List<Wire.Channel> streams) implements Success {
        Streams {
            streams = List.copyOf(streams);
        }
    }

    /** {@code GET /get_stream_id}. */
    record StreamId(int streamId) implements Success {}

    /** {@code GET /streams/{id}/members}. */
    record Subscribers(List<Integer> subscribers) implements Success {
        Subscribers {
            subscribers = List.copyOf(subscribers);
        }
    }

    /** {@code GET /user_groups}. */
    record UserGroups(List<Wire.UserGroup> userGroups) implements Success {
        UserGroups {
            userGroups = List.copyOf(userGroups);
        }
    }

    /** {@code GET /server_settings}: an organisation that logs in by email and password only. */
    record ServerSettings(String realmUrl, String realmName) implements Success {

        /** The legacy name of {@code realm_url}, still sent by Zulip. */
        @JsonProperty("realm_uri")
        String realmUri() {
            return realmUrl;
        }

        @JsonProperty("realm_icon")
        String realmIcon() {
            return realmUrl + "/static/images/logo/zulip-icon-128x128.png";
        }

        @JsonProperty("authentication_methods")
        AuthenticationMethods authenticationMethods() {
            return AuthenticationMethods.PASSWORD_AND_EMAIL;
        }

        @JsonProperty("external_authentication_methods")
        List<Object> externalAuthenticationMethods() {
            return List.of();
        }

        @JsonProperty("zulip_feature_level")
        int zulipFeatureLevel() {
            return ZULIP_FEATURE_LEVEL;
        }

        @JsonProperty("zulip_version")
        String zulipVersion() {
            return ZULIP_VERSION;
        }

        @JsonProperty("zulip_merge_base")
        String zulipMergeBase() {
            return ZULIP_VERSION;
        }

        @JsonProperty("push_notifications_enabled")
        boolean pushNotificationsEnabled() {
            return false;
        }

        @JsonProperty("is_incompatible")
        boolean isIncompatible() {
            return false;
        }

        @JsonProperty("email_auth_enabled")
        boolean emailAuthEnabled() {
            return true;
        }

        @JsonProperty("require_email_format_usernames")
        boolean requireEmailFormatUsernames() {
            return true;
        }

        @JsonProperty("realm_description")
        String realmDescription() {
            return "";
        }

        @JsonProperty("realm_web_public_access_enabled")
        boolean realmWebPublicAccessEnabled() {
            return false;
        }
    }

    /** Which ways to log in the organisation offers; the emulated one offers password and email only. */
    record AuthenticationMethods(boolean password, boolean dev, boolean email, boolean ldap, boolean remoteuser,
            boolean github, boolean azuread, boolean gitlab, boolean apple, boolean google, boolean saml,
            @JsonProperty("openid connect") boolean openidConnect) {
        static final AuthenticationMethods PASSWORD_AND_EMAIL =
                new AuthenticationMethods(true, false, true, false, false, false, false, false, false, false, false, false);
    }
}
