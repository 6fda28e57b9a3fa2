package dev.mfagate.bot.zulip;

import java.util.List;
import java.util.Objects;

/**
 * One Zulip message as the bot reads it (raw Markdown: the bot registers with {@code apply_markdown=false}).
 *
 * <p>DMs arrive with {@code type} {@code "private"}; channel messages with {@code "stream"}. People are
 * matched by {@link #senderId()}, never by email.
 *
 * @param id the message id
 * @param type {@code "private"} or {@code "stream"}
 * @param senderId the sender's user id
 * @param senderEmail the sender's (possibly dummy) email, for the audit trail only
 * @param senderFullName the sender's display name, for mentions in replies
 * @param content the raw Markdown content
 * @param streamId the channel id for a channel message, else null
 * @param channelName the channel name for a channel message, else null
 * @param topic the topic ({@code subject}) for a channel message, else empty
 * @param recipientIds the user ids in a DM conversation (sender and bot included), else empty
 * @param flags the bot's flags on the message (e.g. {@code mentioned})
 */
public record ZulipMessage(long id, String type, int senderId, String senderEmail, String senderFullName, String content,
                           Long streamId, String channelName, String topic, List<Integer> recipientIds, List<String> flags) {

    /** Copies the lists and checks the required fields. */
    public ZulipMessage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(content, "content");
        senderEmail = senderEmail == null ? "" : senderEmail;
        senderFullName = senderFullName == null ? "" : senderFullName;
        topic = topic == null ? "" : topic;
        recipientIds = List.copyOf(recipientIds);
        flags = List.copyOf(flags);
    }

    /** Whether this is a direct message (one-to-one or group). */
    public boolean isDirect() {
        return type.equals("private");
    }

    /** Whether this is a one-to-one DM between the sender and {@code botUserId}. */
    public boolean isOneToOneWith(int botUserId) {
        return isDirect() && recipientIds.stream().distinct().count() == 2 && recipientIds.contains(botUserId)
                && recipientIds.contains(senderId);
    }

    /** Whether this message has the {@code mentioned} flag for the bot. */
    public boolean flagsMention() {
        return flags.contains("mentioned");
    }

    /** A copy with other flags (event flags sit beside the message, not inside it). */
    public ZulipMessage withFlags(List<String> newFlags) {
        return new ZulipMessage(id, type, senderId, senderEmail, senderFullName, content, streamId, channelName, topic,
                recipientIds, newFlags);
    }
}
