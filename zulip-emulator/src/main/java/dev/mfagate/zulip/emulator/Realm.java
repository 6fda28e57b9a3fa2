package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The state of the emulated organisation: users, channels, groups, messages and event queues, and the
 * rules Zulip applies to them. One lock guards everything; event queues wait on its condition.
 * Time for message timestamps, edit limits and the {@code Date} header comes from the settable clock;
 * queue expiry and heartbeats use the monotonic {@link System#nanoTime()}, so skewing the clock in a
 * test does not garbage-collect queues.
 */
final class Realm {
    static final String REALM_STRING = "zulip";
    static final String CLIENT_WEBSITE = "website";
    /** Zulip lets a limit slip by this much, so that a user who starts editing just in time can finish. */
    static final int EDIT_LIMIT_GRACE_SECONDS = 20;
    static final int MAX_MESSAGE_LENGTH = 10000;
    static final int MAX_TOPIC_LENGTH = 60;

    final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final SecureRandom random = new SecureRandom();

    private final Map<Integer, UserRec> users = new LinkedHashMap<>();
    private final Map<Integer, ChannelRec> channels = new LinkedHashMap<>();
    private final Map<Integer, GroupRec> groups = new LinkedHashMap<>();
    private final Map<Integer, MessageRec> messages = new LinkedHashMap<>();
    private final Map<String, EventQueue> queues = new LinkedHashMap<>();
    private final Map<Set<Integer>, Integer> directRecipientIds = new LinkedHashMap<>();
    private final Map<Role, Integer> roleGroups = new LinkedHashMap<>();
    final int everyoneGroupId;
    final int administratorsGroupId;
    final int nobodyGroupId;
    final int membersGroupId;

    private int nextUserId = 8;
    private int nextChannelId = 1;
    private int nextGroupId = 1;
    private int nextMessageId = 1;
    private int nextRecipientId = 1;
    private Clock clock;
    private OrgSettings settings = OrgSettings.defaults();
    private final long queueTimeoutNanos;
    private boolean closing;
    final String realmName;
    volatile String realmUrl = "http://127.0.0.1";

    static final class UserRec {
        final int id;
        final String email;
        final String fullName;
        final boolean isBot;
        final String apiKey;
        final Instant dateJoined;
        Role role = Role.MEMBER;
        boolean active = true;

        UserRec(int id, String email, String fullName, boolean isBot, String apiKey, Instant dateJoined) {
            this.id = id;
            this.email = email;
            this.fullName = fullName;
            this.isBot = isBot;
            this.apiKey = apiKey;
            this.dateJoined = dateJoined;
        }
    }

    static final class ChannelRec {
        final int id;
        final String name;
        final String description;
        final boolean inviteOnly;
        final long dateCreated;
        final int recipientId;
        final Set<Integer> subscribers = new LinkedHashSet<>();
        Integer firstMessageId;

        ChannelRec(int id, String name, String description, boolean inviteOnly, long dateCreated, int recipientId) {
            this.id = id;
            this.name = name;
            this.description = description;
            this.inviteOnly = inviteOnly;
            this.dateCreated = dateCreated;
            this.recipientId = recipientId;
        }
    }

    static final class GroupRec {
        final int id;
        final String name;
        final String description;
        final boolean isSystem;
        final Long dateCreated;
        final Set<Integer> members = new LinkedHashSet<>();
        final List<Integer> subgroups = new ArrayList<>();

        GroupRec(int id, String name, String description, boolean isSystem, Long dateCreated) {
            this.id = id;
            this.name = name;
            this.description = description;
            this.isSystem = isSystem;
            this.dateCreated = dateCreated;
        }
    }

    record EditRec(String prevContent, long timestamp, int userId) {}

    record ReactionRec(int userId, String emojiName, String emojiCode, String reactionType) {}

    static final class MessageRec {
        final int id;
        final int senderId;
        /** For direct messages, the addressed users; empty for channel messages. */
        final Set<Integer> to;
        final int channelId;
        final String topic;
        final long timestamp;
        final String client;
        final int recipientId;
        final Map<Integer, Set<String>> flags = new LinkedHashMap<>();
        final List<EditRec> edits = new ArrayList<>();
        final List<ReactionRec> reactions = new ArrayList<>();
        String content;
        Long lastEditTimestamp;
        boolean deleted;

        MessageRec(int id, int senderId, Set<Integer> to, int channelId, String topic, String content, long timestamp,
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

    Realm(String realmName, Clock clock, Duration queueTimeout) {
        this.realmName = realmName;
        this.clock = clock;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        // Zulip's system groups, each containing the next more privileged one, with users placed by role.
        nobodyGroupId = systemGroup("role:nobody", "Nobody");
        int owners = systemGroup("role:owners", "Owners of this organization");
        administratorsGroupId = systemGroup("role:administrators", "Administrators of this organization, including owners");
        int moderators = systemGroup("role:moderators", "Moderators of this organization, including administrators");
        int fullMembers = systemGroup("role:fullmembers", "Members of this organization, not including new accounts and guests");
        membersGroupId = systemGroup("role:members", "Members of this organization, not including guests");
        everyoneGroupId = systemGroup("role:everyone", "Everyone in this organization, including guests");
        int internet = systemGroup("role:internet", "Everyone on the internet");
        groups.get(administratorsGroupId).subgroups.add(owners);
        groups.get(moderators).subgroups.add(administratorsGroupId);
        groups.get(fullMembers).subgroups.add(moderators);
        groups.get(membersGroupId).subgroups.add(fullMembers);
        groups.get(everyoneGroupId).subgroups.add(membersGroupId);
        groups.get(internet).subgroups.add(everyoneGroupId);
        roleGroups.put(Role.OWNER, owners);
        roleGroups.put(Role.ADMINISTRATOR, administratorsGroupId);
        roleGroups.put(Role.MODERATOR, moderators);
        roleGroups.put(Role.MEMBER, fullMembers);
        roleGroups.put(Role.GUEST, everyoneGroupId);
    }

    private int systemGroup(String name, String description) {
        int id = nextGroupId++;
        groups.put(id, new GroupRec(id, name, description, true, null));
        return id;
    }

    // ---------------------------------------------------------------- clock and settings

    Clock clock() {
        lock.lock();
        try {
            return clock;
        } finally {
            lock.unlock();
        }
    }

    void setClock(Clock clock) {
        lock.lock();
        try {
            this.clock = clock;
        } finally {
            lock.unlock();
        }
    }

    long nowSeconds() {
        return clock().instant().getEpochSecond();
    }

    OrgSettings settings() {
        lock.lock();
        try {
            return settings;
        } finally {
            lock.unlock();
        }
    }

    void setSettings(OrgSettings settings) {
        lock.lock();
        try {
            this.settings = settings;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- users, channels, groups

    int addUser(String fullName, String email, boolean isBot) {
        lock.lock();
        try {
            if (fullName == null || fullName.isBlank()) {
                throw new IllegalArgumentException("fullName must not be blank");
            }
            if (email == null || !email.contains("@")) {
                throw new IllegalArgumentException("email '" + email + "' must contain '@'");
            }
            if (users.values().stream().anyMatch(u -> u.email.equalsIgnoreCase(email))) {
                throw new IllegalArgumentException("email '" + email + "' is already in use");
            }
            int id = nextUserId++;
            UserRec user = new UserRec(id, email, fullName, isBot, newApiKey(), clock.instant());
            users.put(id, user);
            groups.get(roleGroups.get(Role.MEMBER)).members.add(id);
            emit(q -> true, "realm_user", q -> {
                ObjectNode e = event("realm_user", "add");
                e.set("person", Views.user(user, q.clientGravatar));
                return e;
            });
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Zulip API keys are 32 ASCII letters and digits; the server rejects any other shape as malformed. */
    private String newApiKey() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder key = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            key.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return key.toString();
    }

    static boolean hasApiKeyFormat(String key) {
        return key != null && key.matches("[A-Za-z0-9]{32}");
    }

    void setApiKey(int userId, String apiKey) {
        if (!hasApiKeyFormat(apiKey)) {
            throw new IllegalArgumentException("API key must be 32 ASCII letters and digits, as Zulip's are");
        }
        lock.lock();
        try {
            UserRec old = requireUser(userId);
            UserRec replaced = new UserRec(old.id, old.email, old.fullName, old.isBot, apiKey, old.dateJoined);
            replaced.role = old.role;
            replaced.active = old.active;
            users.put(userId, replaced);
        } finally {
            lock.unlock();
        }
    }

    void setRole(int userId, Role role) {
        lock.lock();
        try {
            UserRec user = requireUser(userId);
            groups.get(roleGroups.get(user.role)).members.remove(userId);
            user.role = role;
            groups.get(roleGroups.get(role)).members.add(userId);
        } finally {
            lock.unlock();
        }
    }

    void setActive(int userId, boolean active) {
        lock.lock();
        try {
            requireUser(userId).active = active;
        } finally {
            lock.unlock();
        }
    }

    UserRec requireUser(int userId) {
        UserRec user = users.get(userId);
        if (user == null) {
            throw new IllegalArgumentException("no user with id " + userId);
        }
        return user;
    }

    /** The user, or null. Caller holds the lock. */
    UserRec user(int userId) {
        return users.get(userId);
    }

    List<UserRec> users() {
        return List.copyOf(users.values());
    }

    UserRec userByEmail(String email) {
        for (UserRec u : users.values()) {
            if (u.email.equalsIgnoreCase(email)) {
                return u;
            }
        }
        return null;
    }

    int userIdByEmail(String email) {
        UserRec user = userByEmail(email);
        if (user == null) {
            throw ZulipError.badRequest("Invalid email '" + email + "'");
        }
        return user.id;
    }

    int addChannel(String name, String description, boolean inviteOnly) {
        lock.lock();
        try {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("channel name must not be blank");
            }
            if (channelByName(name) != null) {
                throw new IllegalArgumentException("channel '" + name + "' already exists");
            }
            int id = nextChannelId++;
            channels.put(id, new ChannelRec(id, name, description, inviteOnly, clock.instant().getEpochSecond(), nextRecipientId++));
            return id;
        } finally {
            lock.unlock();
        }
    }

    ChannelRec channel(int channelId) {
        return channels.get(channelId);
    }

    ChannelRec channelByName(String name) {
        for (ChannelRec c : channels.values()) {
            if (c.name.equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    ChannelRec requireChannel(String name) {
        ChannelRec channel = channelByName(name);
        if (channel == null) {
            throw new IllegalArgumentException("no channel named '" + name + "'");
        }
        return channel;
    }

    List<ChannelRec> channels() {
        return List.copyOf(channels.values());
    }

    /** Whether the user may see the channel at all: public channels, or private ones they are subscribed to. */
    boolean canSeeChannel(int userId, ChannelRec channel) {
        return !channel.inviteOnly || channel.subscribers.contains(userId)
                || (users.get(userId) != null && users.get(userId).role.isAdministrator());
    }

    void subscribe(int userId, String channelName) {
        lock.lock();
        try {
            UserRec user = requireUser(userId);
            ChannelRec channel = requireChannel(channelName);
            if (!channel.subscribers.add(userId)) {
                return;
            }
            emit(q -> q.userId == userId, "subscription", q -> {
                ObjectNode e = event("subscription", "add");
                e.putArray("subscriptions").add(Views.subscription(this, channel, true));
                return e;
            });
            emit(q -> q.userId != userId && canSeeChannel(q.userId, channel), "subscription", q -> {
                ObjectNode e = event("subscription", "peer_add");
                e.putArray("stream_ids").add(channel.id);
                e.putArray("user_ids").add(user.id);
                return e;
            });
        } finally {
            lock.unlock();
        }
    }

    void unsubscribe(int userId, String channelName) {
        lock.lock();
        try {
            requireUser(userId);
            ChannelRec channel = requireChannel(channelName);
            if (!channel.subscribers.remove(userId)) {
                return;
            }
            emit(q -> q.userId == userId, "subscription", q -> {
                ObjectNode e = event("subscription", "remove");
                ObjectNode sub = e.putArray("subscriptions").addObject();
                sub.put("name", channel.name);
                sub.put("stream_id", channel.id);
                return e;
            });
            emit(q -> q.userId != userId && canSeeChannel(q.userId, channel), "subscription", q -> {
                ObjectNode e = event("subscription", "peer_remove");
                e.putArray("stream_ids").add(channel.id);
                e.putArray("user_ids").add(userId);
                return e;
            });
        } finally {
            lock.unlock();
        }
    }

    int addGroup(String name, String description) {
        lock.lock();
        try {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("group name must not be blank");
            }
            if (groups.values().stream().anyMatch(g -> g.name.equalsIgnoreCase(name))) {
                throw new IllegalArgumentException("group '" + name + "' already exists");
            }
            int id = nextGroupId++;
            GroupRec group = new GroupRec(id, name, description, false, clock.instant().getEpochSecond());
            groups.put(id, group);
            emit(q -> true, "user_group", q -> {
                ObjectNode e = event("user_group", "add");
                e.set("group", Views.userGroup(this, group));
                return e;
            });
            return id;
        } finally {
            lock.unlock();
        }
    }

    GroupRec requireGroup(int groupId) {
        GroupRec group = groups.get(groupId);
        if (group == null) {
            throw new IllegalArgumentException("no user group with id " + groupId);
        }
        if (group.isSystem) {
            throw new IllegalArgumentException("group " + group.name + " is a system group; its members follow roles (setRole)");
        }
        return group;
    }

    List<GroupRec> groups() {
        return List.copyOf(groups.values());
    }

    void changeGroupMembers(int groupId, List<Integer> userIds, boolean add) {
        lock.lock();
        try {
            GroupRec group = requireGroup(groupId);
            List<Integer> changedIds = new ArrayList<>();
            for (int userId : userIds) {
                requireUser(userId);
                if (add ? group.members.add(userId) : group.members.remove(userId)) {
                    changedIds.add(userId);
                }
            }
            if (changedIds.isEmpty()) {
                return;
            }
            emit(q -> true, "user_group", q -> {
                ObjectNode e = event("user_group", add ? "add_members" : "remove_members");
                e.put("group_id", group.id);
                e.set("user_ids", Json.ints(changedIds));
                return e;
            });
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- messages

    MessageRec message(int id) {
        MessageRec m = messages.get(id);
        return m == null || m.deleted ? null : m;
    }

    List<MessageRec> allMessages() {
        return List.copyOf(messages.values());
    }

    int maxMessageId() {
        return messages.isEmpty() ? -1 : nextMessageId - 1;
    }

    /** Whether the user may read the message: a participant, a subscriber, or anyone for a public channel. */
    boolean canAccess(int userId, MessageRec m) {
        if (m.isDm()) {
            return m.participants().contains(userId);
        }
        ChannelRec channel = channels.get(m.channelId);
        return !channel.inviteOnly || channel.subscribers.contains(userId);
    }

    /** Users who receive the message (and its later events): participants, or subscribers plus the sender. */
    Set<Integer> receivers(MessageRec m) {
        if (m.isDm()) {
            return m.participants();
        }
        Set<Integer> all = new LinkedHashSet<>(channels.get(m.channelId).subscribers);
        all.add(m.senderId);
        return all;
    }

    int sendDirect(int senderId, Set<Integer> to, String content, String client) {
        lock.lock();
        try {
            UserRec sender = requireActive(senderId);
            if (to.isEmpty()) {
                throw ZulipError.badRequest("Message must have recipients");
            }
            for (int id : to) {
                UserRec recipient = users.get(id);
                if (recipient == null) {
                    throw ZulipError.badRequest("Invalid user ID " + id);
                }
                if (!recipient.active) {
                    throw ZulipError.badRequest("'" + recipient.email + "' is no longer using Zulip.");
                }
            }
            Set<Integer> participants = new TreeSet<>(to);
            participants.add(sender.id);
            int recipientId = directRecipientIds.computeIfAbsent(Set.copyOf(participants), k -> nextRecipientId++);
            return store(new MessageRec(nextMessageId, senderId, Set.copyOf(new TreeSet<>(to)), 0, "",
                    normaliseContent(content), nowSeconds(), client, recipientId));
        } finally {
            lock.unlock();
        }
    }

    int sendToChannel(int senderId, ChannelRec channel, String topic, String content, String client) {
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
            int id = store(new MessageRec(nextMessageId, senderId, Set.of(), channel.id, cleanTopic,
                    normaliseContent(content), nowSeconds(), client, channel.recipientId));
            if (channel.firstMessageId == null) {
                channel.firstMessageId = id;
            }
            return id;
        } finally {
            lock.unlock();
        }
    }

    private UserRec requireActive(int userId) {
        UserRec user = requireUser(userId);
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

    private int store(MessageRec m) {
        nextMessageId++;
        messages.put(m.id, m);
        for (int receiver : receivers(m)) {
            Set<String> flags = new LinkedHashSet<>();
            if (receiver == m.senderId) {
                flags.add("read");
            }
            UserRec user = users.get(receiver);
            if (user != null && mentions(m.content, user)) {
                flags.add("mentioned");
            }
            m.flags.put(receiver, flags);
        }
        Set<Integer> receivers = receivers(m);
        emit(q -> receivers.contains(q.userId) && q.narrow.matches(m, this, q.userId), "message", q -> {
            ObjectNode e = event("message", null);
            e.set("message", Views.message(this, m, q.userId, q.applyMarkdown, q.clientGravatar, false));
            e.set("flags", flagsOf(m, q.userId));
            return e;
        });
        changed.signalAll();
        return m.id;
    }

    private static boolean mentions(String content, UserRec user) {
        String lower = content.toLowerCase(Locale.ROOT);
        String name = user.fullName.toLowerCase(Locale.ROOT);
        return lower.contains("@**" + name + "**") || lower.contains("@**" + name + "|" + user.id + "**");
    }

    ArrayNode flagsOf(MessageRec m, int userId) {
        ArrayNode flags = Json.array();
        m.flags.getOrDefault(userId, Set.of("read")).forEach(flags::add);
        return flags;
    }

    /** Applies Zulip's rules for editing content; throws Zulip's error when they forbid it. */
    void editContent(int userId, MessageRec m, String newContent) {
        lock.lock();
        try {
            if (!settings.allowMessageEditing()) {
                throw ZulipError.badRequest("Your organization has turned off message editing");
            }
            if (m.senderId != userId) {
                throw ZulipError.badRequest("You don't have permission to edit this message");
            }
            Integer limit = settings.messageContentEditLimitSeconds();
            long now = nowSeconds();
            if (limit != null && now > m.timestamp + limit + EDIT_LIMIT_GRACE_SECONDS) {
                // Zulip's OpenAPI description spells this message "has past"; the emulator follows the contract.
                throw ZulipError.badRequest("The time limit for editing this message has past");
            }
            String content = newContent.isBlank() ? "(deleted)" : normaliseContent(newContent);
            String previous = m.content;
            m.edits.add(new EditRec(previous, now, userId));
            m.content = content;
            m.lastEditTimestamp = now;
            for (int receiver : receivers(m)) {
                UserRec user = users.get(receiver);
                Set<String> flags = m.flags.computeIfAbsent(receiver, k -> new LinkedHashSet<>());
                if (user != null && mentions(content, user)) {
                    flags.add("mentioned");
                }
            }
            Set<Integer> receivers = receivers(m);
            emit(q -> receivers.contains(q.userId), "update_message", q -> {
                ObjectNode e = event("update_message", null);
                e.put("user_id", userId);
                e.put("edit_timestamp", now);
                e.put("message_id", m.id);
                e.putArray("message_ids").add(m.id);
                e.set("flags", flagsOf(m, q.userId));
                e.put("rendering_only", false);
                if (!m.isDm()) {
                    e.put("stream_id", m.channelId);
                }
                e.put("orig_content", previous);
                e.put("orig_rendered_content", Views.render(previous));
                e.put("content", content);
                e.put("rendered_content", Views.render(content));
                e.put("is_me_message", Views.isMeMessage(content));
                return e;
            });
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Applies Zulip's rules for deleting a message; throws Zulip's error when they forbid it. */
    void delete(int userId, MessageRec m) {
        lock.lock();
        try {
            UserRec user = users.get(userId);
            if (!user.role.isAdministrator()) {
                if (m.senderId != userId || !settings.everyoneCanDeleteOwnMessages()) {
                    throw ZulipError.badRequest("You don't have permission to delete this message");
                }
                Integer limit = settings.messageContentDeleteLimitSeconds();
                if (limit != null && nowSeconds() > m.timestamp + limit + EDIT_LIMIT_GRACE_SECONDS) {
                    throw ZulipError.badRequest("The time limit for deleting this message has passed");
                }
            }
            Set<Integer> receivers = receivers(m);
            m.deleted = true;
            emit(q -> receivers.contains(q.userId), "delete_message", q -> {
                ObjectNode e = event("delete_message", null);
                if (q.bulkMessageDeletion) {
                    e.putArray("message_ids").add(m.id);
                } else {
                    e.put("message_id", m.id);
                }
                e.put("message_type", m.isDm() ? "private" : "stream");
                if (!m.isDm()) {
                    e.put("stream_id", m.channelId);
                    e.put("topic", m.topic);
                }
                return e;
            });
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void react(int userId, MessageRec m, String emojiName, String emojiCode, String reactionType, boolean add) {
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
                m.reactions.add(new ReactionRec(userId, emojiName, emojiCode, reactionType));
            } else {
                m.reactions.removeIf(r -> r.userId() == userId && r.emojiCode().equals(emojiCode)
                        && r.reactionType().equals(reactionType));
            }
            Set<Integer> receivers = receivers(m);
            emit(q -> receivers.contains(q.userId), "reaction", q -> {
                ObjectNode e = event("reaction", add ? "add" : "remove");
                e.put("user_id", userId);
                e.put("message_id", m.id);
                e.put("emoji_name", emojiName);
                e.put("emoji_code", emojiCode);
                e.put("reaction_type", reactionType);
                return e;
            });
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- event queues

    private static ObjectNode event(String type, String op) {
        ObjectNode e = Json.object();
        e.put("type", type);
        if (op != null) {
            e.put("op", op);
        }
        return e;
    }

    /** Caller holds the lock. Adds one event to every live queue that wants it and passes the filter. */
    private void emit(Predicate<EventQueue> who, String type, Function<EventQueue, ObjectNode> build) {
        collectGarbage();
        for (EventQueue q : queues.values()) {
            if (q.wants(type) && who.test(q)) {
                q.push(build.apply(q));
            }
        }
        changed.signalAll();
    }

    EventQueue register(int userId, Set<String> eventTypes, Narrow narrow, boolean applyMarkdown, boolean clientGravatar,
            boolean bulkMessageDeletion) {
        lock.lock();
        try {
            collectGarbage();
            EventQueue q = new EventQueue(UUID.randomUUID().toString(), userId, eventTypes, narrow, applyMarkdown,
                    clientGravatar, bulkMessageDeletion, System.nanoTime());
            queues.put(q.id, q);
            return q;
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds the lock. Drops queues idle for longer than the timeout (a queue being polled is never idle). */
    private void collectGarbage() {
        long now = System.nanoTime();
        for (Iterator<EventQueue> it = queues.values().iterator(); it.hasNext(); ) {
            EventQueue q = it.next();
            if (q.pollers == 0 && now - q.lastActivityNanos > queueTimeoutNanos) {
                q.dead = true;
                it.remove();
            }
        }
    }

    /** Waits for events as {@code GET /events} does; returns them, or a heartbeat when none came in time. */
    List<ObjectNode> poll(int userId, String queueId, Integer lastEventId, boolean dontBlock, Duration heartbeat)
            throws InterruptedException {
        lock.lock();
        try {
            collectGarbage();
            EventQueue q = queues.get(queueId);
            if (q == null) {
                throw ZulipError.badEventQueue(queueId);
            }
            if (q.userId != userId) {
                throw ZulipError.badRequest("You are not authorized to get events from this queue");
            }
            q.lastActivityNanos = System.nanoTime();
            if (lastEventId != null) {
                q.acknowledge(lastEventId);
            }
            q.pollers++;
            try {
                long remaining = heartbeat.toNanos();
                while (q.isEmpty() && !dontBlock && !q.dead && !closing) {
                    if (remaining <= 0) {
                        q.push(event("heartbeat", null));
                        break;
                    }
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                q.pollers--;
                q.lastActivityNanos = System.nanoTime();
            }
            if (q.dead) {
                throw ZulipError.badEventQueue(queueId);
            }
            return q.pending();
        } finally {
            lock.unlock();
        }
    }

    void deleteQueue(int userId, String queueId) {
        lock.lock();
        try {
            collectGarbage();
            EventQueue q = queues.get(queueId);
            if (q == null) {
                throw ZulipError.badEventQueue(queueId);
            }
            if (q.userId != userId) {
                throw ZulipError.badRequest("You are not authorized to access this queue");
            }
            q.dead = true;
            queues.remove(queueId);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops every queue of the user at once, as a server restart or garbage collection would. */
    int dropQueues(int userId) {
        lock.lock();
        try {
            int dropped = 0;
            for (Iterator<EventQueue> it = queues.values().iterator(); it.hasNext(); ) {
                EventQueue q = it.next();
                if (q.userId == userId) {
                    q.dead = true;
                    it.remove();
                    dropped++;
                }
            }
            changed.signalAll();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** How many long polls of the user's queues are waiting for events now. */
    int waitingPolls(int userId) {
        lock.lock();
        try {
            return queues.values().stream().filter(q -> q.userId == userId).mapToInt(q -> q.pollers).sum();
        } finally {
            lock.unlock();
        }
    }

    List<String> queueIds(int userId) {
        lock.lock();
        try {
            collectGarbage();
            return queues.values().stream().filter(q -> q.userId == userId).map(q -> q.id).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting poll so that the server can stop promptly. */
    void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the predicate holds over the messages, re-checking after every change. */
    <T> T awaitChange(Function<List<MessageRec>, T> probe, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                T found = probe.apply(List.copyOf(messages.values()));
                long left = deadline - System.nanoTime();
                if (found != null || left <= 0) {
                    return found;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }
}
