package dev.mfagate.zulip.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The organisation's messages, direct and to channels, with Zulip's rules for sending, editing, deleting and
 * reacting: ids allocated in sending order from 1, content normalised (empty refused, over-long truncated), topics
 * cut at {@value #MAX_TOPIC_LENGTH} characters, per-user flags ({@code read} for the sender, {@code mentioned} for
 * an {@code @**name**}), edit and delete time limits with Zulip's grace. Each change is announced on the
 * {@link EventQueues} to the users who receive the message, as {@code message}, {@code update_message},
 * {@code delete_message} or {@code reaction}; a new message only to queues whose narrow it matches.
 *
 * <p>Who may read what: a direct message its participants; a channel message anyone for a public channel, and
 * subscribers for a private one. Deleted messages stay stored, flagged, so tests can see them; the API no longer does.
 *
 * <p>Thread-safety: guarded by the realm's lock, which every changing method takes (reentrantly). Lookups return
 * the live objects and expect the caller to hold the lock while using them. Rule violations a client can cause are
 * thrown as {@link ZulipError}; misuse of the driving API as {@link IllegalArgumentException}.
 */
final class MessageStore {
    /** Zulip lets a limit slip by this much, so that a user who starts editing just in time can finish. */
    static final int EDIT_LIMIT_GRACE_SECONDS = 20;
    static final int MAX_MESSAGE_LENGTH = 10000;
    static final int MAX_TOPIC_LENGTH = 60;

    /** A stored message. Mutable state; read and written under the realm's lock. */
    static final class Message {
        final int id;
        final int senderId;
        /** For direct messages, the addressed users; empty for channel messages. */
        final Set<Integer> to;
        /** The channel's id, or 0 for a direct message. */
        final int channelId;
        final String topic;
        final long timestamp;
        final String client;
        final int recipientId;
        final Map<Integer, Set<String>> flags = new LinkedHashMap<>();
        final List<Edit> edits = new ArrayList<>();
        final List<Reaction> reactions = new ArrayList<>();
        String content;
        Long lastEditTimestamp;
        boolean deleted;

        Message(int id, int senderId, Set<Integer> to, int channelId, String topic, String content, long timestamp,
                String client, int recipientId) {
            this.id = id;
            this.senderId = senderId;
            this.to = to;
            this.channelId = channelId;
            this.topic = topic;
            this.content = content;
            this.timestamp = timestamp;
            this.client = client;
            this.recipientId = recipientId;
        }

        boolean isDm() {
            return channelId == 0;
        }

        /** Sender and addressees of a direct message, sorted. */
        Set<Integer> participants() {
            TreeSet<Integer> all = new TreeSet<>(to);
            all.add(senderId);
            return all;
        }
    }

    /** One content edit: what the content was before it, when and by whom. */
    record Edit(String prevContent, long timestamp, int userId) {}

    /** One user's emoji reaction. */
    record Reaction(int userId, String emojiName, String emojiCode, String reactionType) {}

    private final ReentrantLock lock;
    private final Directory directory;
    private final EventQueues events;
    private final Map<Integer, Message> messages = new LinkedHashMap<>();
    private int nextMessageId = 1;

    MessageStore(ReentrantLock lock, Directory directory, EventQueues events) {
        this.lock = lock;
        this.directory = directory;
        this.events = events;
    }

    /** The message, or null when there is none or it was deleted. Caller holds the lock. */
    Message message(int id) {
        Message m = messages.get(id);
        return m == null || m.deleted ? null : m;
    }

    /** Every message stored, deleted ones included, oldest first. Caller holds the lock. */
    List<Message> all() {
        return List.copyOf(messages.values());
    }

    /** The highest id given out, or -1 before the first message: {@code max_message_id}. Caller holds the lock. */
    int maxMessageId() {
        return messages.isEmpty() ? -1 : nextMessageId - 1;
    }

    /** Whether the user may read the message: a participant, a subscriber, or anyone for a public channel. Caller holds the lock. */
    boolean canAccess(int userId, Message m) {
        if (m.isDm()) {
            return m.participants().contains(userId);
        }
        Directory.Channel channel = directory.channel(m.channelId);
        return !channel.inviteOnly || channel.subscribers.contains(userId);
    }

    /** Users who receive the message and its later events: participants, or subscribers plus the sender. Caller holds the lock. */
    Set<Integer> receivers(Message m) {
        if (m.isDm()) {
            return m.participants();
        }
        Set<Integer> all = new LinkedHashSet<>(directory.channel(m.channelId).subscribers);
        all.add(m.senderId);
        return all;
    }

    /** The user's flags on the message; {@code read} for someone who never received it. Caller holds the lock. */
    List<String> flags(Message m, int userId) {
        return List.copyOf(m.flags.getOrDefault(userId, Set.of("read")));
    }

    /**
     * Stores a direct message from an active user to active users, and announces it.
     *
     * @return the new message's id
     * @throws ZulipError no recipients, an unknown or deactivated recipient, empty content
     * @throws IllegalArgumentException the sender is unknown or deactivated
     */
    int sendDirect(int senderId, Set<Integer> to, String content, String client, Instant now) {
        lock.lock();
        try {
            requireActive(senderId);
            if (to.isEmpty()) {
                throw ZulipError.badRequest("Message must have recipients");
            }
            for (int id : to) {
                Directory.User recipient = directory.user(id);
                if (recipient == null) {
                    throw ZulipError.badRequest("Invalid user ID " + id);
                }
                if (!recipient.active) {
                    throw ZulipError.badRequest("'" + recipient.email + "' is no longer using Zulip.");
                }
            }
            Set<Integer> participants = new TreeSet<>(to);
            participants.add(senderId);
            int recipientId = directory.directRecipientId(participants);
            return store(new Message(nextMessageId, senderId, Set.copyOf(new TreeSet<>(to)), 0, "",
                    normaliseContent(content), now.getEpochSecond(), client, recipientId));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stores a message to a channel under a topic (stripped, and cut with {@code ...} past {@value #MAX_TOPIC_LENGTH}
     * characters), and announces it.
     *
     * @return the new message's id
     * @throws ZulipError a private channel the sender is not subscribed to, empty content
     * @throws IllegalArgumentException the sender is unknown or deactivated
     */
    int sendToChannel(int senderId, Directory.Channel channel, String topic, String content, String client, Instant now) {
        lock.lock();
        try {
            requireActive(senderId);
            if (channel.inviteOnly && !channel.subscribers.contains(senderId)) {
                throw ZulipError.badRequest("Not authorized to send to channel '" + channel.name + "'");
            }
            String cleanTopic = topic == null ? "" : topic.strip();
            if (cleanTopic.length() > MAX_TOPIC_LENGTH) {
                cleanTopic = cleanTopic.substring(0, MAX_TOPIC_LENGTH - 3) + "...";
            }
            int id = store(new Message(nextMessageId, senderId, Set.of(), channel.id, cleanTopic,
                    normaliseContent(content), now.getEpochSecond(), client, channel.recipientId));
            if (channel.firstMessageId == null) {
                channel.firstMessageId = id;
            }
            return id;
        } finally {
            lock.unlock();
        }
    }

    private Directory.User requireActive(int userId) {
        Directory.User user = directory.requireUser(userId);
        if (!user.active) {
            throw new IllegalArgumentException("user " + userId + " is deactivated");
        }
        return user;
    }

    /** Zulip refuses empty messages and truncates over-long ones rather than refusing them. */
    private static String normaliseContent(String content) {
        if (content == null || content.isBlank()) {
            throw ZulipError.badRequest("Message must not be empty");
        }
        String stripped = content.stripTrailing();
        if (stripped.length() > MAX_MESSAGE_LENGTH) {
            String marker = "\n[message truncated]";
            stripped = stripped.substring(0, MAX_MESSAGE_LENGTH - marker.length()) + marker;
        }
        return stripped;
    }

    private int store(Message m) {
        nextMessageId++;
        messages.put(m.id, m);
        Set<Integer> receivers = receivers(m);
        for (int receiver : receivers) {
            Set<String> flags = new LinkedHashSet<>();
            if (receiver == m.senderId) {
                flags.add("read");
            }
            Directory.User user = directory.user(receiver);
            if (user != null && mentions(m.content, user)) {
                flags.add("mentioned");
            }
            m.flags.put(receiver, flags);
        }
        events.emit(q -> receivers.contains(q.userId) && q.narrow.matches(m, directory, q.userId),
                q -> new Event.NewMessage(Views.message(directory, m, q.applyMarkdown, q.clientGravatar, false),
                        flags(m, q.userId)));
        return m.id;
    }

    private static boolean mentions(String content, Directory.User user) {
        String lower = content.toLowerCase(Locale.ROOT);
        String name = user.fullName.toLowerCase(Locale.ROOT);
        return lower.contains("@**" + name + "**") || lower.contains("@**" + name + "|" + user.id + "**");
    }

    /**
     * Applies Zulip's rules for editing content (editing allowed, own message, within the limit plus grace; blank
     * content becomes {@code (deleted)}), keeps the previous content in the history and announces the edit.
     *
     * @throws ZulipError where the rules forbid the edit
     */
    void editContent(int userId, Message m, String newContent, OrgSettings settings, Instant now) {
        lock.lock();
        try {
            if (!settings.allowMessageEditing()) {
                throw ZulipError.badRequest("Your organization has turned off message editing");
            }
            if (m.senderId != userId) {
                throw ZulipError.badRequest("You don't have permission to edit this message");
            }
            Integer limit = settings.messageContentEditLimitSeconds();
            long nowSeconds = now.getEpochSecond();
            if (limit != null && nowSeconds > m.timestamp + limit + EDIT_LIMIT_GRACE_SECONDS) {
                // Zulip's OpenAPI description spells this message "has past"; the emulator follows the contract.
                throw ZulipError.badRequest("The time limit for editing this message has past");
            }
            String content = newContent.isBlank() ? "(deleted)" : normaliseContent(newContent);
            String previous = m.content;
            m.edits.add(new Edit(previous, nowSeconds, userId));
            m.content = content;
            m.lastEditTimestamp = nowSeconds;
            Set<Integer> receivers = receivers(m);
            for (int receiver : receivers) {
                Directory.User user = directory.user(receiver);
                Set<String> flags = m.flags.computeIfAbsent(receiver, k -> new LinkedHashSet<>());
                if (user != null && mentions(content, user)) {
                    flags.add("mentioned");
                }
            }
            events.emit(q -> receivers.contains(q.userId), q -> new Event.UpdateMessage(userId, nowSeconds, m.id,
                    List.of(m.id), flags(m, q.userId), false, m.isDm() ? null : m.channelId, previous,
                    Views.render(previous), content, Views.render(content), Views.isMeMessage(content)));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies Zulip's rules for deleting a message (administrators any; others their own, if the organisation lets
     * them, within the limit plus grace), marks it deleted and announces it.
     *
     * @throws ZulipError where the rules forbid the deletion
     */
    void delete(int userId, Message m, OrgSettings settings, Instant now) {
        lock.lock();
        try {
            Directory.User user = directory.requireUser(userId);
            if (!user.role.isAdministrator()) {
                if (m.senderId != userId || !settings.everyoneCanDeleteOwnMessages()) {
                    throw ZulipError.badRequest("You don't have permission to delete this message");
                }
                Integer limit = settings.messageContentDeleteLimitSeconds();
                if (limit != null && now.getEpochSecond() > m.timestamp + limit + EDIT_LIMIT_GRACE_SECONDS) {
                    throw ZulipError.badRequest("The time limit for deleting this message has passed");
                }
            }
            Set<Integer> receivers = receivers(m);
            m.deleted = true;
            events.emit(q -> receivers.contains(q.userId), q -> new Event.DeleteMessage(
                    q.bulkMessageDeletion ? List.of(m.id) : null, q.bulkMessageDeletion ? null : m.id,
                    m.isDm() ? "private" : "stream", m.isDm() ? null : m.channelId, m.isDm() ? null : m.topic));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds or removes one user's reaction and announces it.
     *
     * @throws ZulipError {@code REACTION_ALREADY_EXISTS} / {@code REACTION_DOES_NOT_EXIST}
     */
    void react(int userId, Message m, String emojiName, String emojiCode, String reactionType, boolean add) {
        lock.lock();
        try {
            boolean exists = m.reactions.stream().anyMatch(r -> r.userId() == userId && r.emojiCode().equals(emojiCode)
                    && r.reactionType().equals(reactionType));
            if (add && exists) {
                throw new ZulipError(400, "REACTION_ALREADY_EXISTS", "Reaction already exists.");
            }
            if (!add && !exists) {
                throw new ZulipError(400, "REACTION_DOES_NOT_EXIST", "Reaction doesn't exist.");
            }
            if (add) {
                m.reactions.add(new Reaction(userId, emojiName, emojiCode, reactionType));
            } else {
                m.reactions.removeIf(r -> r.userId() == userId && r.emojiCode().equals(emojiCode)
                        && r.reactionType().equals(reactionType));
            }
            Set<Integer> receivers = receivers(m);
            events.emit(q -> receivers.contains(q.userId),
                    q -> new Event.Reaction(add ? "add" : "remove", userId, m.id, emojiName, emojiCode, reactionType));
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the probe finds something among all messages, re-asking after every change; null at the timeout. */
    <T> T await(Function<List<Message>, T> probe, Duration timeout) throws InterruptedException {
        return events.await(() -> probe.apply(all()), timeout);
    }
}
