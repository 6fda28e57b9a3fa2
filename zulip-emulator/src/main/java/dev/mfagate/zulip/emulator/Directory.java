package dev.mfagate.zulip.emulator;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who is in the emulated organisation and where: users, channels with their subscribers, and user groups (Zulip's
 * system groups, whose members follow roles, and groups made by the test), with Zulip's rules for changing them.
 * Every change a client could learn of is announced on the {@link EventQueues} as Zulip's event for it
 * ({@code realm_user}, {@code subscription}, {@code user_group}); role and activation changes emit none.
 *
 * <p>Also hands out Zulip's recipient ids, which channels and direct-message conversations share.
 *
 * <p>Thread-safety: guarded by the realm's lock, which every changing method takes (reentrantly). Lookups
 * ({@link #user}, {@link #channel}, …) return the live objects and expect the caller to hold the lock while using them.
 */
final class Directory {

    /** A user account. Mutable state; read and written under the realm's lock. */
    static final class User {
        final int id;
        final String email;
        final String fullName;
        final boolean isBot;
        final Instant dateJoined;
        String apiKey;
        Role role = Role.MEMBER;
        boolean active = true;

        User(int id, String email, String fullName, boolean isBot, String apiKey, Instant dateJoined) {
            this.id = id;
            this.email = email;
            this.fullName = fullName;
            this.isBot = isBot;
            this.apiKey = apiKey;
            this.dateJoined = dateJoined;
        }
    }

    /** A channel (Zulip's stream); {@code id} is its {@code stream_id}. Mutable state; read and written under the realm's lock. */
    static final class Channel {
        final int id;
        final String name;
        final String description;
        final boolean inviteOnly;
        final long dateCreated;
        final int recipientId;
        final Set<Integer> subscribers = new LinkedHashSet<>();
        Integer firstMessageId;

        Channel(int id, String name, String description, boolean inviteOnly, long dateCreated, int recipientId) {
            this.id = id;
            this.name = name;
            this.description = description;
            this.inviteOnly = inviteOnly;
            this.dateCreated = dateCreated;
            this.recipientId = recipientId;
        }
    }

    /** A user group; a system group has no creation date. Mutable state; read and written under the realm's lock. */
    static final class Group {
        final int id;
        final String name;
        final String description;
        final boolean isSystem;
        final Long dateCreated;
        final Set<Integer> members = new LinkedHashSet<>();
        final List<Integer> subgroups = new ArrayList<>();

        Group(int id, String name, String description, boolean isSystem, Long dateCreated) {
            this.id = id;
            this.name = name;
            this.description = description;
            this.isSystem = isSystem;
            this.dateCreated = dateCreated;
        }
    }

    private static final String API_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final ReentrantLock lock;
    private final EventQueues events;
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, User> users = new LinkedHashMap<>();
    private final Map<Integer, Channel> channels = new LinkedHashMap<>();
    private final Map<Integer, Group> groups = new LinkedHashMap<>();
    private final Map<Set<Integer>, Integer> directRecipientIds = new LinkedHashMap<>();
    private final Map<Role, Integer> roleGroups = new LinkedHashMap<>();
    final int everyoneGroupId;
    final int administratorsGroupId;
    final int nobodyGroupId;

    private int nextUserId = 8;
    private int nextChannelId = 1;
    private int nextGroupId = 1;
    private int nextRecipientId = 1;

    Directory(ReentrantLock lock, EventQueues events) {
        this.lock = lock;
        this.events = events;
        // Zulip's system groups, each containing the next more privileged one, with users placed by role.
        nobodyGroupId = systemGroup("role:nobody", "Nobody");
        int owners = systemGroup("role:owners", "Owners of this organization");
        administratorsGroupId = systemGroup("role:administrators", "Administrators of this organization, including owners");
        int moderators = systemGroup("role:moderators", "Moderators of this organization, including administrators");
        int fullMembers = systemGroup("role:fullmembers", "Members of this organization, not including new accounts and guests");
        int members = systemGroup("role:members", "Members of this organization, not including guests");
        everyoneGroupId = systemGroup("role:everyone", "Everyone in this organization, including guests");
        int internet = systemGroup("role:internet", "Everyone on the internet");
        groups.get(administratorsGroupId).subgroups.add(owners);
        groups.get(moderators).subgroups.add(administratorsGroupId);
        groups.get(fullMembers).subgroups.add(moderators);
        groups.get(members).subgroups.add(fullMembers);
        groups.get(everyoneGroupId).subgroups.add(members);
        groups.get(internet).subgroups.add(everyoneGroupId);
        roleGroups.put(Role.OWNER, owners);
        roleGroups.put(Role.ADMINISTRATOR, administratorsGroupId);
        roleGroups.put(Role.MODERATOR, moderators);
        roleGroups.put(Role.MEMBER, fullMembers);
        roleGroups.put(Role.GUEST, everyoneGroupId);
    }

    private int systemGroup(String name, String description) {
        int id = nextGroupId++;
        groups.put(id, new Group(id, name, description, true, null));
        return id;
    }

    // ---------------------------------------------------------------- users

    /** Adds an active member with a fresh API key; emits {@code realm_user} {@code add}. Returns the new id. */
    int addUser(String fullName, String email, boolean isBot, Instant now) {
        lock.lock();
        try {
            if (fullName == null || fullName.isBlank()) {
                throw new IllegalArgumentException("fullName must not be blank");
            }
            if (email == null || !email.contains("@")) {
                throw new IllegalArgumentException("email '" + email + "' must contain '@'");
            }
            if (userByEmail(email) != null) {
                throw new IllegalArgumentException("email '" + email + "' is already in use");
            }
            int id = nextUserId++;
            User user = new User(id, email, fullName, isBot, newApiKey(), now);
            users.put(id, user);
            groups.get(roleGroups.get(Role.MEMBER)).members.add(id);
            events.emit(q -> true, q -> new Event.RealmUserAdd(Views.user(user, q.clientGravatar)));
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Zulip API keys are 32 ASCII letters and digits; the server rejects any other shape as malformed. */
    private String newApiKey() {
        StringBuilder key = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            key.append(API_KEY_ALPHABET.charAt(random.nextInt(API_KEY_ALPHABET.length())));
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
            requireUser(userId).apiKey = apiKey;
        } finally {
            lock.unlock();
        }
    }

    /** Changes the role and with it the user's system group. */
    void setRole(int userId, Role role) {
        lock.lock();
        try {
            User user = requireUser(userId);
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

    /** The user; for the driving API, so a wrong id is a test's mistake. Caller holds the lock. */
    User requireUser(int userId) {
        User user = users.get(userId);
        if (user == null) {
            throw new IllegalArgumentException("no user with id " + userId);
        }
        return user;
    }

    /** The user, or null. Caller holds the lock. */
    User user(int userId) {
        return users.get(userId);
    }

    /** Every user, active or not, in order of creation. Caller holds the lock. */
    List<User> users() {
        return List.copyOf(users.values());
    }

    /** The user with this email (case-insensitive), or null. Caller holds the lock. */
    User userByEmail(String email) {
        for (User u : users.values()) {
            if (u.email.equalsIgnoreCase(email)) {
                return u;
            }
        }
        return null;
    }

    /** The id of the user with this email, as the API resolves a recipient; Zulip's error when there is none. Caller holds the lock. */
    int userIdByEmail(String email) {
        User user = userByEmail(email);
        if (user == null) {
            throw ZulipError.badRequest("Invalid email '" + email + "'");
        }
        return user.id;
    }

    // ---------------------------------------------------------------- channels

    /** Adds a channel with no subscribers; returns its id (its {@code stream_id}). */
    int addChannel(String name, String description, boolean inviteOnly, Instant now) {
        lock.lock();
        try {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("channel name must not be blank");
            }
            if (channelByName(name) != null) {
                throw new IllegalArgumentException("channel '" + name + "' already exists");
            }
            int id = nextChannelId++;
            channels.put(id, new Channel(id, name, description, inviteOnly, now.getEpochSecond(), nextRecipientId++));
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** The channel with this id, or null. Caller holds the lock. */
    Channel channel(int channelId) {
        return channels.get(channelId);
    }

    /** The channel with this name (case-insensitive), or null. Caller holds the lock. */
    Channel channelByName(String name) {
        for (Channel c : channels.values()) {
            if (c.name.equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    /** The channel; for the driving API, so a wrong name is a test's mistake. Caller holds the lock. */
    Channel requireChannel(String name) {
        Channel channel = channelByName(name);
        if (channel == null) {
            throw new IllegalArgumentException("no channel named '" + name + "'");
        }
        return channel;
    }

    /** Every channel, in order of creation. Caller holds the lock. */
    List<Channel> channels() {
        return List.copyOf(channels.values());
    }

    /** Whether the user may see the channel at all: public channels, private ones they are subscribed to, or any for an administrator. */
    boolean canSeeChannel(int userId, Channel channel) {
        User user = users.get(userId);
        return !channel.inviteOnly || channel.subscribers.contains(userId) || (user != null && user.role.isAdministrator());
    }

    /** Subscribes the user; emits {@code subscription} {@code add} to them and {@code peer_add} to others who see the channel. */
    void subscribe(int userId, String channelName) {
        lock.lock();
        try {
            requireUser(userId);
            Channel channel = requireChannel(channelName);
            if (!channel.subscribers.add(userId)) {
                return;
            }
            events.emit(q -> q.userId == userId,
                    q -> new Event.SubscriptionAdd(List.of(Views.subscription(this, channel, true))));
            events.emit(q -> q.userId != userId && canSeeChannel(q.userId, channel),
                    q -> new Event.SubscriptionPeers("peer_add", List.of(channel.id), List.of(userId)));
        } finally {
            lock.unlock();
        }
    }

    /** Unsubscribes the user; emits {@code subscription} {@code remove} to them and {@code peer_remove} to others who see the channel. */
    void unsubscribe(int userId, String channelName) {
        lock.lock();
        try {
            requireUser(userId);
            Channel channel = requireChannel(channelName);
            if (!channel.subscribers.remove(userId)) {
                return;
            }
            events.emit(q -> q.userId == userId,
                    q -> new Event.SubscriptionRemove(List.of(new Wire.ChannelRef(channel.name, channel.id))));
            events.emit(q -> q.userId != userId && canSeeChannel(q.userId, channel),
                    q -> new Event.SubscriptionPeers("peer_remove", List.of(channel.id), List.of(userId)));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The recipient id of the direct-message conversation among these users (sender included), allocated on first
     * use from the sequence channels draw from too, as Zulip's recipient rows are. Caller holds the lock.
     */
    int directRecipientId(Set<Integer> participants) {
        return directRecipientIds.computeIfAbsent(Set.copyOf(participants), k -> nextRecipientId++);
    }

    // ---------------------------------------------------------------- groups

    /** Adds a user group with no members; emits {@code user_group} {@code add}. Returns its id. */
    int addGroup(String name, String description, Instant now) {
        lock.lock();
        try {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("group name must not be blank");
            }
            if (groups.values().stream().anyMatch(g -> g.name.equalsIgnoreCase(name))) {
                throw new IllegalArgumentException("group '" + name + "' already exists");
            }
            int id = nextGroupId++;
            Group group = new Group(id, name, description, false, now.getEpochSecond());
            groups.put(id, group);
            events.emit(q -> true, q -> new Event.UserGroupAdd(Views.userGroup(this, group)));
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** Every group, system groups first. Caller holds the lock. */
    List<Group> groups() {
        return List.copyOf(groups.values());
    }

    /**
     * Adds or removes members of a group made by the test (system groups follow roles); emits {@code user_group}
     * {@code add_members} or {@code remove_members} naming those whose membership changed, nothing when none did.
     */
    void changeGroupMembers(int groupId, List<Integer> userIds, boolean add) {
        lock.lock();
        try {
            Group group = groups.get(groupId);
            if (group == null) {
                throw new IllegalArgumentException("no user group with id " + groupId);
            }
            if (group.isSystem) {
                throw new IllegalArgumentException("group " + group.name + " is a system group; its members follow roles (setRole)");
            }
            List<Integer> changed = new ArrayList<>();
            for (int userId : userIds) {
                requireUser(userId);
                if (add ? group.members.add(userId) : group.members.remove(userId)) {
                    changed.add(userId);
                }
            }
            if (changed.isEmpty()) {
                return;
            }
            events.emit(q -> true, q -> new Event.UserGroupMembers(add ? "add_members" : "remove_members", group.id, changed));
        } finally {
            lock.unlock();
        }
    }
}
