package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Zulip's objects as they travel (user, channel, subscription, user group, message), one record each, written
 * by {@link Json#MAPPER} under Zulip's names. Components are what varies; what the emulator always answers
 * the same way is a method beside them, named on the wire explicitly (Jackson would read {@code isArchived()} as
 * {@code archived}). A component is left out of the JSON when {@code null} only
 * where it says {@code @JsonInclude(NON_NULL)}; elsewhere {@code null} is sent, as Zulip does. Built by
 * {@link Views}; immutable (lists are copied).
 */
final class Wire {
    private Wire() {}

    /**
     * Zulip's user object ({@code GET /users}, {@code realm_user} events).
     *
     * @param botType {@code 1} (generic bot) for a bot, {@code null} for a person
     * @param botOwnerId for a bot a JSON {@code null} (the emulator's bots have no owner); absent for a person
     * @param avatarUrl {@code null} when the client computes Gravatar URLs itself ({@code client_gravatar})
     */
    record User(
            int userId,
            String deliveryEmail,
            String email,
            String fullName,
            String dateJoined,
            boolean isActive,
            boolean isOwner,
            boolean isAdmin,
            boolean isGuest,
            boolean isBot,
            Integer botType,
            @JsonInclude(Include.NON_NULL) JsonNode botOwnerId,
            int role,
            String avatarUrl) {

        @JsonProperty("timezone")
        String timezone() {
            return "";
        }

        @JsonProperty("avatar_version")
        int avatarVersion() {
            return 1;
        }
    }

    /**
     * Zulip's channel (stream) object ({@code GET /streams}, {@code never_subscribed}); the permission settings are user group ids.
     *
     * @param firstMessageId the channel's first message, or {@code null} before any
     * @param subscribers subscriber ids where the client asked for them ({@code include_subscribers}), else absent
     */
    record Channel(
            int streamId,
            String name,
            String description,
            String renderedDescription,
            long dateCreated,
            boolean inviteOnly,
            Integer firstMessageId,
            int canAddSubscribersGroup,
            int canRemoveSubscribersGroup,
            int canAdministerChannelGroup,
            int canSendMessageGroup,
            int canSubscribeGroup,
            @JsonInclude(Include.NON_NULL) List<Integer> subscribers) {

        Channel {
            subscribers = subscribers == null ? null : List.copyOf(subscribers);
        }

        /** Private channels keep their history from new subscribers; public ones show it. */
        @JsonProperty("history_public_to_subscribers")
        boolean historyPublicToSubscribers() {
            return !inviteOnly;
        }

        @JsonProperty("is_recently_active")
        boolean isRecentlyActive() {
            return firstMessageId != null;
        }

        @JsonProperty("creator_id")
        Integer creatorId() {
            return null;
        }

        @JsonProperty("is_web_public")
        boolean isWebPublic() {
            return false;
        }

        /** Zulip's legacy "anyone may post" value. */
        @JsonProperty("stream_post_policy")
        int streamPostPolicy() {
            return 1;
        }

        @JsonProperty("message_retention_days")
        Integer messageRetentionDays() {
            return null;
        }

        @JsonProperty("topics_policy")
        String topicsPolicy() {
            return "inherit";
        }

        @JsonProperty("is_announcement_only")
        boolean isAnnouncementOnly() {
            return false;
        }

        @JsonProperty("is_archived")
        boolean isArchived() {
            return false;
        }

        @JsonProperty("stream_weekly_traffic")
        Integer streamWeeklyTraffic() {
            return null;
        }
    }

    /** Zulip's subscription object: the channel's fields plus the subscriber's own settings, all at their defaults. */
    record Subscription(@JsonUnwrapped Channel channel) {

        @JsonProperty("desktop_notifications")
        Boolean desktopNotifications() {
            return null;
        }

        @JsonProperty("email_notifications")
        Boolean emailNotifications() {
            return null;
        }

        @JsonProperty("wildcard_mentions_notify")
        Boolean wildcardMentionsNotify() {
            return null;
        }

        @JsonProperty("push_notifications")
        Boolean pushNotifications() {
            return null;
        }

        @JsonProperty("audible_notifications")
        Boolean audibleNotifications() {
            return null;
        }

        @JsonProperty("pin_to_top")
        boolean pinToTop() {
            return false;
        }

        @JsonProperty("is_muted")
        boolean isMuted() {
            return false;
        }

        @JsonProperty("in_home_view")
        boolean inHomeView() {
            return true;
        }

        @JsonProperty("color")
        String color() {
            return "#76ce90";
        }
    }

    /** What {@code subscription} {@code remove} events name a channel by. */
    record ChannelRef(String name, int streamId) {}

    /**
     * Zulip's user group object; the permission settings are user group ids.
     *
     * @param dateCreated {@code null} for system groups, which exist from the start
     */
    record UserGroup(
            int id,
            String name,
            String description,
            List<Integer> members,
            List<Integer> directSubgroupIds,
            boolean isSystemGroup,
            Long dateCreated,
            int canAddMembersGroup,
            int canJoinGroup,
            int canLeaveGroup,
            int canManageGroup,
            int canMentionGroup,
            int canRemoveMembersGroup) {

        UserGroup {
            members = List.copyOf(members);
            directSubgroupIds = List.copyOf(directSubgroupIds);
        }

        @JsonProperty("creator_id")
        Integer creatorId() {
            return null;
        }

        @JsonProperty("deactivated")
        boolean deactivated() {
            return false;
        }
    }

    /**
     * Zulip's message object.
     *
     * @param content raw Markdown, or HTML when the client asked for {@code apply_markdown}
     * @param subject the topic ({@code ""} for a direct message), under Zulip's legacy name
     * @param displayRecipient the channel's name, or the participants of a direct message as {@link DirectRecipient}s
     * @param type {@code "stream"} or {@code "private"}
     * @param streamId the channel's id; absent for a direct message
     * @param avatarUrl {@code null} when the client computes Gravatar URLs itself
     * @param lastEditTimestamp absent until the content is edited
     * @param editHistory newest first; absent unless asked for and edited
     * @param flags the viewer's flags where the endpoint sends them in the message (not in {@code message} events)
     */
    record Message(
            int id,
            int senderId,
            String content,
            String contentType,
            int recipientId,
            long timestamp,
            String client,
            String subject,
            boolean isMeMessage,
            List<Reaction> reactions,
            String senderFullName,
            String senderEmail,
            Object displayRecipient,
            String type,
            @JsonInclude(Include.NON_NULL) Integer streamId,
            String avatarUrl,
            @JsonInclude(Include.NON_NULL) Long lastEditTimestamp,
            @JsonInclude(Include.NON_NULL) List<EditHistoryEntry> editHistory,
            @JsonInclude(Include.NON_NULL) List<String> flags) {

        Message {
            reactions = List.copyOf(reactions);
            editHistory = editHistory == null ? null : List.copyOf(editHistory);
            flags = flags == null ? null : List.copyOf(flags);
        }

        /** The same message with the viewer's flags inside, as {@code GET /messages} sends it. */
        Message withFlags(List<String> viewerFlags) {
            return new Message(id, senderId, content, contentType, recipientId, timestamp, client, subject, isMeMessage,
                    reactions, senderFullName, senderEmail, displayRecipient, type, streamId, avatarUrl, lastEditTimestamp,
                    editHistory, viewerFlags);
        }

        @JsonProperty("topic_links")
        List<Object> topicLinks() {
            return List.of();
        }

        @JsonProperty("submessages")
        List<Object> submessages() {
            return List.of();
        }

        @JsonProperty("sender_realm_str")
        String senderRealmStr() {
            return Views.REALM_STRING;
        }
    }

    /** One emoji reaction on a message. */
    record Reaction(String emojiName, String emojiCode, String reactionType, int userId) {}

    /** One entry of a message's edit history: the content before the edit. */
    record EditHistoryEntry(String prevContent, String prevRenderedContent, long timestamp, int userId) {}

    /** A participant of a direct message, as its {@code display_recipient} lists them. */
    record DirectRecipient(int id, String email, String fullName) {
        @JsonProperty("is_mirror_dummy")
        boolean isMirrorDummy() {
            return false;
        }
    }
}
