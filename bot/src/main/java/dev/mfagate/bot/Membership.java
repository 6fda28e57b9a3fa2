package dev.mfagate.bot;

import dev.mfagate.bot.zulip.Channel;
import dev.mfagate.bot.zulip.UserGroup;
import dev.mfagate.bot.zulip.ZulipClient;
import dev.mfagate.bot.zulip.ZulipEvent;
import dev.mfagate.bot.zulip.ZulipException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the bot knows about who belongs where, to tell the gateway on a person's behalf.
 *
 * <p><b>User groups</b>: bots may not call {@code /user_groups}, so groups come from {@code /register}'s
 * {@code realm_user_groups} and are kept current from {@code user_group} events. Membership is
 * transitive: a member of a subgroup is a member of the group, as in Zulip.
 *
 * <p><b>Channels</b>, told to the gateway by stream id: the channel list ({@code GET /streams}) and each channel's subscribers
 * ({@code GET /streams/{id}/members}) are cached for a short time and patched by {@code subscription}
 * events ({@code peer_add}/{@code peer_remove}). When Zulip cannot be asked, the person is treated as a
 * member of no channel: the gateway denies by default, so a missing claim can only take access away.
 *
 * <p>Thread-safe.
 */
final class Membership {
    private record Group(String name, Set<Integer> members, Set<Long> subgroups) {}

    private record Subscribers(Set<Integer> users, long loadedNanos) {}

    private record Channels(List<Channel> list, long loadedNanos) {}

    private final ZulipClient zulip;
    private final long ttlNanos;
    private final Map<Long, Group> groups = new HashMap<>(); // guarded by this
    private final Map<Long, Subscribers> subscribers = new ConcurrentHashMap<>();
    private final Map<Long, ReentrantLock> subscriberLocks = new ConcurrentHashMap<>();
    private final ReentrantLock channelsLock = new ReentrantLock();
    private volatile Channels channels;

    Membership(ZulipClient zulip, Duration ttl) {
        this.zulip = zulip;
        this.ttlNanos = ttl.toNanos();
    }

    /**
     * Replaces the groups with a fresh {@code realm_user_groups}, after a registration, and forgets
     * the channels and their subscribers: a new queue follows a lost one, and the events of the gap
     * (a member removed from a channel among them) never arrive, so what was cached before may be
     * stale until its time runs out.
     */
    synchronized void resetGroups(List<UserGroup> fresh) {
        channels = null;
        subscribers.clear();
        groups.clear();
        for (UserGroup g : fresh) {
            groups.put(g.id(), new Group(g.name(), new HashSet<>(g.members()), new HashSet<>(g.directSubgroupIds())));
        }
    }

    /** Applies one {@code user_group} event. */
    synchronized void apply(ZulipEvent.UserGroupEvent e) {
        if (e.op().equals("add") && e.group() != null) {
            UserGroup g = e.group();
            groups.put(g.id(), new Group(g.name(), new HashSet<>(g.members()), new HashSet<>(g.directSubgroupIds())));
            return;
        }
        if (e.groupId() == null) {
            return;
        }
        Group g = groups.get(e.groupId());
        switch (e.op()) {
            case "remove" -> groups.remove(e.groupId());
            case "add_members" -> { if (g != null) { g.members().addAll(e.userIds()); } }
            case "remove_members" -> { if (g != null) { e.userIds().forEach(g.members()::remove); } }
            case "add_subgroups" -> { if (g != null) { g.subgroups().addAll(e.subgroupIds()); } }
            case "remove_subgroups" -> { if (g != null) { e.subgroupIds().forEach(g.subgroups()::remove); } }
            default -> { } // "update" changes names and settings only; membership is unaffected
        }
    }

    /** Applies one {@code subscription} event. */
    void apply(ZulipEvent.SubscriptionEvent e) {
        switch (e.op()) {
            case "peer_add" -> e.streamIds().forEach(s -> subscribers.computeIfPresent(s, (k, v) -> {
                Set<Integer> users = new HashSet<>(v.users());
                users.addAll(e.userIds());
                return new Subscribers(Set.copyOf(users), v.loadedNanos());
            }));
            case "peer_remove" -> e.streamIds().forEach(s -> subscribers.computeIfPresent(s, (k, v) -> {
                Set<Integer> users = new HashSet<>(v.users());
                e.userIds().forEach(users::remove);
                return new Subscribers(Set.copyOf(users), v.loadedNanos());
            }));
            default -> {
                // The bot's own subscriptions changed: the channel list it can see may have too.
                channels = null;
                e.streamIds().forEach(subscribers::remove);
            }
        }
    }

    /** The groups {@code userId} belongs to, directly or through subgroups, sorted. */
    synchronized List<Long> groupsOf(int userId) {
        Set<Long> in = new HashSet<>();
        for (Map.Entry<Long, Group> e : groups.entrySet()) {
            if (e.getValue().members().contains(userId)) {
                in.add(e.getKey());
            }
        }
        // Walk up: a group is ours if one of its subgroups is.
        Map<Long, List<Long>> parents = new HashMap<>();
        groups.forEach((id, g) -> g.subgroups().forEach(sub -> parents.computeIfAbsent(sub, k -> new ArrayList<>()).add(id)));
        Deque<Long> todo = new ArrayDeque<>(in);
        while (!todo.isEmpty()) {
            for (Long parent : parents.getOrDefault(todo.pop(), List.of())) {
                if (in.add(parent)) {
                    todo.push(parent);
                }
            }
        }
        return in.stream().sorted().toList();
    }

    /**
     * The stream ids of the channels {@code userId} is subscribed to, as far as the bot can see. Ids,
     * never names: the gateway's channel rules bind stream ids, because a name can be imitated (a
     * member may create {@code #ops} beside {@code ops}, or use look-alike letters).
     */
    List<Long> channelsOf(int userId) throws ZulipException {
        List<Long> out = new ArrayList<>();
        for (Channel c : channels()) {
            if (subscribersOf(c.id()).contains(userId)) {
                out.add(c.id());
            }
        }
        return out;
    }

    /**
     * The visible channel with this name (case-insensitive, as Zulip compares channel names). Only
     * for choosing where to post an audit notice, never for access: access goes by stream id.
     */
    Optional<Channel> channelNamed(String name) throws ZulipException {
        return channels().stream().filter(c -> c.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))).findFirst();
    }

    private List<Channel> channels() throws ZulipException {
        Channels c = channels;
        if (fresh(c == null ? null : c.loadedNanos())) {
            return c.list();
        }
        // One loader at a time, so that a burst of requests costs one GET, not one each.
        // ReentrantLock rather than synchronized: virtual threads must not pin a carrier across I/O on Java 21.
        channelsLock.lock();
        try {
            c = channels;
            if (!fresh(c == null ? null : c.loadedNanos())) {
                c = new Channels(List.copyOf(zulip.channels()), System.nanoTime());
                channels = c;
            }
            return c.list();
        } finally {
            channelsLock.unlock();
        }
    }

    private Set<Integer> subscribersOf(long streamId) throws ZulipException {
        Subscribers s = subscribers.get(streamId);
        if (fresh(s == null ? null : s.loadedNanos())) {
            return s.users();
        }
        ReentrantLock lock = subscriberLocks.computeIfAbsent(streamId, k -> new ReentrantLock());
        lock.lock();
        try {
            s = subscribers.get(streamId);
            if (!fresh(s == null ? null : s.loadedNanos())) {
                s = new Subscribers(Set.copyOf(zulip.subscribers(streamId)), System.nanoTime());
                subscribers.put(streamId, s);
            }
            return s.users();
        } finally {
            lock.unlock();
        }
    }

    private boolean fresh(Long loadedNanos) {
        return loadedNanos != null && System.nanoTime() - loadedNanos <= ttlNanos;
    }
}
