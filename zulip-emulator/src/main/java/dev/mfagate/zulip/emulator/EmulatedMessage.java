package dev.mfagate.zulip.emulator;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one message stored by the emulator, for assertions in tests and for the demo.
 * Taken at the moment of the call: later edits, reactions or deletion show in a new snapshot only.
 *
 * @param id the message id, as in the API
 * @param senderId the sender's user id
 * @param kind a direct message or a channel message
 * @param recipientIds for a direct message, the user ids it was addressed to (the sender only for a message to oneself); empty for a channel message
 * @param channel the channel name for a channel message, else {@code null}
 * @param topic the topic for a channel message, else the empty string (as Zulip's {@code subject})
 * @param content the current raw Markdown content
 * @param sentAt when the emulator's clock said the message was sent
 * @param previousContents content before each edit, oldest first; empty if never edited
 * @param deleted whether the message has been deleted (it stays in snapshots so tests can see it)
 * @param reactions current emoji reactions
 */
public record EmulatedMessage(
        int id,
        int senderId,
        Kind kind,
        List<Integer> recipientIds,
        String channel,
        String topic,
        String content,
        Instant sentAt,
        List<String> previousContents,
        boolean deleted,
        List<Reaction> reactions) {

    /** Direct message or channel message. */
    public enum Kind { DIRECT, CHANNEL }

    /** One emoji reaction by one user. */
    public record Reaction(int userId, String emojiName, String emojiCode) {
        public Reaction {
            Objects.requireNonNull(emojiName, "emojiName");
            Objects.requireNonNull(emojiCode, "emojiCode");
        }
    }

    public EmulatedMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(sentAt, "sentAt");
        recipientIds = List.copyOf(recipientIds);
        previousContents = List.copyOf(previousContents);
        reactions = List.copyOf(reactions);
    }

    /** Whether the content has been edited at least once. */
    public boolean edited() {
        return !previousContents.isEmpty();
    }

    /** Whether this is a direct message addressed to the given user by someone else. */
    public boolean isDirectMessageTo(int userId) {
        return kind == Kind.DIRECT && senderId != userId && recipientIds.contains(userId);
    }

    /** A snapshot of a stored message; the caller holds the realm's lock. */
    static EmulatedMessage of(MessageStore.Message m, Directory directory) {
        List<Reaction> reactions = m.reactions.stream().map(r -> new Reaction(r.userId(), r.emojiName(), r.emojiCode())).toList();
        return new EmulatedMessage(m.id, m.senderId, m.isDm() ? Kind.DIRECT : Kind.CHANNEL,
                new java.util.ArrayList<>(m.to), m.isDm() ? null : directory.channel(m.channelId).name, m.topic, m.content,
                Instant.ofEpochSecond(m.timestamp), m.edits.stream().map(MessageStore.Edit::prevContent).toList(),
                m.deleted, reactions);
    }
}
