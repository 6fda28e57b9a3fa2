package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The HTTP endpoints of the emulated Zulip API, each a small handler over the {@link Realm} answering with a {@link Responses} record. */
final class Api {
    static final String PREFIX = "/api/v1";
    static final String CALLER = "mfagate.caller";

    /** Unicode emoji a bot is likely to react with, by Zulip name. Others need an explicit {@code emoji_code}. */
    private static final Map<String, String> EMOJI = Map.ofEntries(
            Map.entry("+1", "1f44d"), Map.entry("thumbs_up", "1f44d"), Map.entry("-1", "1f44e"),
            Map.entry("thumbs_down", "1f44e"), Map.entry("check", "2714"), Map.entry("check_mark", "2714"),
            Map.entry("white_check_mark", "2705"), Map.entry("x", "274c"), Map.entry("cross_mark", "274c"),
            Map.entry("lock", "1f512"), Map.entry("unlocked", "1f513"), Map.entry("key", "1f511"),
            Map.entry("hourglass", "231b"), Map.entry("time_ticking", "23f3"), Map.entry("warning", "26a0"),
            Map.entry("eyes", "1f440"), Map.entry("stop_sign", "1f6d1"), Map.entry("no_entry", "26d4"),
            Map.entry("octopus", "1f419"), Map.entry("heart", "2764"), Map.entry("tada", "1f389"),
            Map.entry("working_on_it", "1f6e0"), Map.entry("robot", "1f916"), Map.entry("question", "2753"));

    @FunctionalInterface
    interface Endpoint {
        Responses.Success handle(Context ctx, Directory.User caller, Params params) throws Exception;
    }

    /** Writes a JSON response; the emulator's one place for that. */
    @FunctionalInterface
    interface Responder {
        void respond(Context ctx, int status, ObjectNode body);
    }

    private final Realm realm;
    private final Duration heartbeat;
    private final Responder responder;

    Api(Realm realm, Duration heartbeat, Responder responder) {
        this.realm = realm;
        this.heartbeat = heartbeat;
        this.responder = responder;
    }

    void register(RoutesConfig routes) {
        route(routes, HandlerType.POST, "/register", this::registerQueue, "apply_markdown", "client_gravatar",
                "include_subscribers", "slim_presence", "presence_history_limit_days", "event_types",
                "all_public_streams", "client_capabilities", "fetch_event_types", "narrow");
        route(routes, HandlerType.GET, "/events", this::getEvents, "queue_id", "last_event_id", "dont_block");
        route(routes, HandlerType.DELETE, "/events", this::deleteQueue, "queue_id");
        route(routes, HandlerType.POST, "/messages", this::sendMessage, "type", "to", "content", "topic", "subject",
                "queue_id", "local_id", "read_by_sender");
        route(routes, HandlerType.GET, "/messages", this::getMessages, "anchor", "include_anchor", "num_before", "num_after",
                "narrow", "client_gravatar", "apply_markdown", "use_first_unread_anchor", "message_ids", "allow_empty_topic_name");
        route(routes, HandlerType.GET, "/messages/{message_id}", this::getMessage, "apply_markdown", "allow_empty_topic_name");
        route(routes, HandlerType.PATCH, "/messages/{message_id}", this::editMessage, "topic", "propagate_mode",
                "send_notification_to_old_thread", "send_notification_to_new_thread", "content", "stream_id");
        route(routes, HandlerType.DELETE, "/messages/{message_id}", this::deleteMessage);
        route(routes, HandlerType.POST, "/messages/{message_id}/reactions", (c, u, p) -> react(c, u, p, true),
                "emoji_name", "emoji_code", "reaction_type");
        route(routes, HandlerType.DELETE, "/messages/{message_id}/reactions", (c, u, p) -> react(c, u, p, false),
                "emoji_name", "emoji_code", "reaction_type");
        route(routes, HandlerType.GET, "/users/me", this::getOwnUser);
        route(routes, HandlerType.GET, "/users/me/subscriptions", this::getOwnSubscriptions, "include_subscribers");
        route(routes, HandlerType.GET, "/users", this::getUsers, "client_gravatar", "include_custom_profile_fields");
        route(routes, HandlerType.GET, "/users/{user_id}", this::getUser, "client_gravatar", "include_custom_profile_fields");
        route(routes, HandlerType.GET, "/users/{user_id}/subscriptions/{stream_id}", this::getSubscriptionStatus);
        route(routes, HandlerType.GET, "/streams", this::getChannels, "include_public", "include_web_public",
                "include_subscribed", "exclude_archived", "include_all_active", "include_all", "include_default",
                "include_owner_subscribed", "include_can_access_content");
        route(routes, HandlerType.GET, "/get_stream_id", this::getChannelId, "stream");
        route(routes, HandlerType.GET, "/streams/{stream_id}/members", this::getChannelMembers);
        route(routes, HandlerType.GET, "/user_groups", this::getUserGroups, "include_deactivated_groups");
        route(routes, HandlerType.GET, "/server_settings", this::getServerSettings);
    }

    private void route(RoutesConfig routes, HandlerType method, String path, Endpoint endpoint, String... known) {
        Set<String> names = Set.of(known);
        routes.addHttpHandler(method, PREFIX + path, ctx -> {
            Params params = Params.of(ctx, names);
            Directory.User caller = ctx.attribute(CALLER);
            ObjectNode body = Json.tree(endpoint.handle(ctx, caller, params));
            List<String> ignored = params.ignored();
            if (!ignored.isEmpty()) {
                ArrayNode list = body.putArray("ignored_parameters_unsupported");
                ignored.forEach(list::add);
            }
            responder.respond(ctx, 200, body);
        });
    }

    // ---------------------------------------------------------------- events

    private Responses.Registered registerQueue(Context ctx, Directory.User caller, Params p) {
        boolean applyMarkdown = p.bool("apply_markdown", false);
        boolean clientGravatar = p.bool("client_gravatar", false);
        boolean includeSubscribers = p.bool("include_subscribers", false);
        p.bool("all_public_streams", false);
        p.bool("slim_presence", false);
        p.integer("presence_history_limit_days");
        List<String> eventTypes = p.stringList("event_types");
        List<String> fetchTypes = p.stringList("fetch_event_types");
        if (fetchTypes == null) {
            fetchTypes = eventTypes;
        }
        Narrow narrow = Narrow.parse(p.json("narrow"));
        JsonNode capabilities = p.json("client_capabilities");
        if (capabilities != null && !capabilities.isObject()) {
            throw ZulipError.badRequest("client_capabilities is not a dict");
        }
        boolean bulkDeletion = capabilities != null && capabilities.path("bulk_message_deletion").asBoolean(false);
        Set<String> fetch = fetchTypes == null ? null : Set.copyOf(fetchTypes);
        Predicate<String> fetches = type -> fetch == null || fetch.contains(type);
        realm.lock.lock();
        try {
            Directory directory = realm.directory;
            narrow.requireKnownOperands(directory);
            EventQueue q = realm.events.register(caller.id, eventTypes == null ? null : Set.copyOf(eventTypes), narrow,
                    applyMarkdown, clientGravatar, bulkDeletion);
            return new Responses.Registered(q.id, q.lastEventId(), heartbeat.toSeconds() + 40,
                    fetches.test("message") ? new Responses.MessageState(realm.messages.maxMessageId()) : null,
                    fetches.test("realm_user") ? Responses.RealmUserState.of(directory.users(), caller, clientGravatar) : null,
                    fetches.test("subscription") ? Responses.SubscriptionState.of(directory, caller.id, includeSubscribers) : null,
                    fetches.test("user_group") ? Responses.UserGroupState.of(directory) : null,
                    fetches.test("stream") ? Responses.StreamState.of(directory, caller.id) : null,
                    fetches.test("realm") ? Responses.RealmState.of(realm.realmName, realm.realmUrl, realm.settings(), directory) : null);
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.Events getEvents(Context ctx, Directory.User caller, Params p) throws InterruptedException {
        String queueId = p.requiredString("queue_id");
        Integer lastEventId = p.integer("last_event_id");
        boolean dontBlock = p.bool("dont_block", false);
        List<EventQueue.Entry> events = realm.events.poll(caller.id, queueId, lastEventId, dontBlock, heartbeat);
        return new Responses.Events(events, queueId);
    }

    private Responses.Ok deleteQueue(Context ctx, Directory.User caller, Params p) {
        realm.events.delete(caller.id, p.requiredString("queue_id"));
        return new Responses.Ok();
    }

    // ---------------------------------------------------------------- messages

    private Responses.Sent sendMessage(Context ctx, Directory.User caller, Params p) {
        String type = p.requiredString("type");
        String to = p.requiredString("to");
        String content = p.requiredString("content");
        String client = clientName(ctx.userAgent());
        Instant now = realm.now();
        int id;
        realm.lock.lock();
        try {
            switch (type) {
                case "direct", "private" -> id = realm.messages.sendDirect(caller.id, directRecipients(to), content, client, now);
                case "stream", "channel" -> {
                    String topic = p.string("topic") != null ? p.string("topic") : p.string("subject");
                    if (topic == null) {
                        throw ZulipError.badRequest("Missing topic");
                    }
                    id = realm.messages.sendToChannel(caller.id, channelRecipient(caller, to), topic, content, client, now);
                }
                default -> throw ZulipError.badRequest("Invalid message type");
            }
        } finally {
            realm.lock.unlock();
        }
        return new Responses.Sent(id);
    }

    /** Zulip takes a JSON list of user ids or of emails, a single id, or (legacy) comma-separated emails. */
    private Set<Integer> directRecipients(String to) {
        JsonNode node = Json.parseOrNull(to);
        Set<Integer> ids = new LinkedHashSet<>();
        if (node != null && node.isArray()) {
            for (JsonNode element : node) {
                if (element.isInt()) {
                    ids.add(element.asInt());
                } else if (element.isTextual()) {
                    ids.add(realm.directory.userIdByEmail(element.asText()));
                } else {
                    throw ZulipError.badRequest("Invalid data type for recipients");
                }
            }
        } else if (node != null && node.isInt()) {
            ids.add(node.asInt());
        } else {
            String emails = node != null && node.isTextual() ? node.asText() : to;
            for (String email : emails.split(",")) {
                if (!email.isBlank()) {
                    ids.add(realm.directory.userIdByEmail(email.strip()));
                }
            }
        }
        return ids;
    }

    /** A channel by name (plain or JSON string, or a one-element JSON list) or by id; private ones only for those who can see them. */
    private Directory.Channel channelRecipient(Directory.User caller, String to) {
        JsonNode node = Json.parseOrNull(to);
        if (node != null && node.isArray() && node.size() == 1) {
            node = node.get(0);
        }
        if (node != null && node.isInt()) {
            Directory.Channel channel = realm.directory.channel(node.asInt());
            if (channel == null || !realm.directory.canSeeChannel(caller.id, channel)) {
                throw new ZulipError(400, "STREAM_DOES_NOT_EXIST", "Channel with ID '" + node.asInt() + "' does not exist")
                        .with("stream_id", node.asInt());
            }
            return channel;
        }
        String name = node != null && node.isTextual() ? node.asText() : to;
        Directory.Channel channel = realm.directory.channelByName(name);
        if (channel == null || !realm.directory.canSeeChannel(caller.id, channel)) {
            throw new ZulipError(400, "STREAM_DOES_NOT_EXIST", "Channel '" + name + "' does not exist").with("stream", name);
        }
        return channel;
    }

    /** Zulip names the client after the first product token of the User-Agent ({@code ZulipPython/0.9} is "ZulipPython"). */
    static String clientName(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return "Unspecified";
        }
        String token = userAgent.strip().split("[\\s/]", 2)[0];
        return token.isEmpty() ? "Unspecified" : token;
    }

    private MessageStore.Message accessibleMessage(Context ctx, Directory.User caller) {
        int id = Params.pathInt(ctx, "message_id");
        MessageStore.Message m = realm.messages.message(id);
        if (m == null || !realm.messages.canAccess(caller.id, m)) {
            throw ZulipError.invalidMessage();
        }
        return m;
    }

    private Responses.OneMessage getMessage(Context ctx, Directory.User caller, Params p) {
        boolean applyMarkdown = p.bool("apply_markdown", true);
        p.bool("allow_empty_topic_name", false);
        realm.lock.lock();
        try {
            MessageStore.Message m = accessibleMessage(ctx, caller);
            return new Responses.OneMessage(m.content, messageForList(m, caller, applyMarkdown, false));
        } finally {
            realm.lock.unlock();
        }
    }

    /** Zulip's sentinel for {@code anchor=newest}: larger than any message id. */
    static final long LARGER_THAN_MAX_MESSAGE_ID = 10_000_000_000_000_000L;
    private static final int MAX_MESSAGES_PER_FETCH = 5000;

    /** {@code GET /messages}: a window of the caller's messages around an anchor, or the messages with given ids. */
    private Responses.Success getMessages(Context ctx, Directory.User caller, Params p) {
        boolean applyMarkdown = p.bool("apply_markdown", true);
        boolean clientGravatar = p.bool("client_gravatar", true);
        boolean includeAnchor = p.bool("include_anchor", true);
        boolean firstUnread = p.bool("use_first_unread_anchor", false);
        p.bool("allow_empty_topic_name", false);
        Narrow narrow = Narrow.parse(p.json("narrow"));
        JsonNode messageIds = p.json("message_ids");
        String anchorText = p.string("anchor");
        Integer numBefore = p.integer("num_before");
        Integer numAfter = p.integer("num_after");
        realm.lock.lock();
        try {
            MessageStore store = realm.messages;
            narrow.requireKnownOperands(realm.directory);
            List<MessageStore.Message> candidates = new ArrayList<>();
            for (MessageStore.Message m : store.all()) {
                boolean visible = narrow.terms.isEmpty() ? store.receivers(m).contains(caller.id) : store.canAccess(caller.id, m);
                if (!m.deleted && visible && narrow.matches(m, realm.directory, caller.id)) {
                    candidates.add(m);
                }
            }
            if (messageIds != null) {
                if (anchorText != null || numBefore != null || numAfter != null) {
                    throw ZulipError.badRequest("Unsupported parameter combination: anchor, message_ids");
                }
                Set<Integer> wanted = new LinkedHashSet<>();
                messageIds.forEach(n -> wanted.add(n.asInt()));
                return new Responses.MessagesById(candidates.stream().filter(m -> wanted.contains(m.id))
                        .map(m -> messageForList(m, caller, applyMarkdown, clientGravatar)).toList());
            }
            if (numBefore == null) {
                throw ZulipError.missingArgument("num_before");
            }
            if (numAfter == null) {
                throw ZulipError.missingArgument("num_after");
            }
            if (numBefore < 0 || numAfter < 0) {
                throw ZulipError.badRequest("num_before and num_after must not be negative");
            }
            if (numBefore + numAfter > MAX_MESSAGES_PER_FETCH) {
                throw ZulipError.badRequest("Too many messages requested (maximum " + MAX_MESSAGES_PER_FETCH + ").");
            }
            long anchor = anchor(anchorText, firstUnread, candidates, caller.id);
            List<MessageStore.Message> before = candidates.stream().filter(m -> m.id < anchor).toList();
            List<MessageStore.Message> after = candidates.stream().filter(m -> m.id > anchor).toList();
            MessageStore.Message atAnchor = candidates.stream().filter(m -> m.id == anchor).findFirst().orElse(null);
            List<MessageStore.Message> window = new ArrayList<>(before.subList(Math.max(0, before.size() - numBefore), before.size()));
            if (atAnchor != null && includeAnchor) {
                window.add(atAnchor);
            }
            window.addAll(after.subList(0, Math.min(numAfter, after.size())));
            return new Responses.MessageWindow(window.stream().map(m -> messageForList(m, caller, applyMarkdown, clientGravatar)).toList(),
                    anchor, atAnchor != null, before.size() <= numBefore, after.size() <= numAfter);
        } finally {
            realm.lock.unlock();
        }
    }

    private long anchor(String text, boolean firstUnread, List<MessageStore.Message> candidates, int userId) {
        if (text == null && !firstUnread) {
            throw ZulipError.missingArgument("anchor");
        }
        String anchor = text == null ? "first_unread" : text;
        return switch (anchor) {
            case "newest" -> LARGER_THAN_MAX_MESSAGE_ID;
            case "oldest" -> 0;
            case "first_unread" -> candidates.stream()
                    .filter(m -> !m.flags.getOrDefault(userId, Set.of("read")).contains("read"))
                    .mapToLong(m -> m.id).findFirst().orElse(LARGER_THAN_MAX_MESSAGE_ID);
            default -> {
                if (!anchor.matches("[0-9]{1,18}")) {
                    throw ZulipError.badRequest("Invalid anchor");
                }
                yield Long.parseLong(anchor);
            }
        };
    }

    private Wire.Message messageForList(MessageStore.Message m, Directory.User caller, boolean applyMarkdown, boolean clientGravatar) {
        return Views.message(realm.directory, m, applyMarkdown, clientGravatar, true).withFlags(realm.messages.flags(m, caller.id));
    }

    private Responses.Edited editMessage(Context ctx, Directory.User caller, Params p) {
        String content = p.string("content");
        String topic = p.string("topic");
        Integer streamId = p.integer("stream_id");
        p.bool("send_notification_to_old_thread", false);
        p.bool("send_notification_to_new_thread", true);
        Instant now = realm.now();
        realm.lock.lock();
        try {
            MessageStore.Message m = accessibleMessage(ctx, caller);
            if (content == null && topic == null && streamId == null) {
                throw ZulipError.badRequest("Nothing to change");
            }
            boolean moves = (topic != null && !topic.equals(m.topic)) || (streamId != null && streamId != m.channelId);
            if (moves) {
                // Out of scope: moving messages between topics and channels. Refused rather than silently ignored.
                throw ZulipError.badRequest("Moving messages is not supported by this emulated server");
            }
            if (content != null) {
                realm.messages.editContent(caller.id, m, content, realm.settings(), now);
            }
        } finally {
            realm.lock.unlock();
        }
        return new Responses.Edited();
    }

    private Responses.Ok deleteMessage(Context ctx, Directory.User caller, Params p) {
        Instant now = realm.now();
        realm.lock.lock();
        try {
            realm.messages.delete(caller.id, accessibleMessage(ctx, caller), realm.settings(), now);
        } finally {
            realm.lock.unlock();
        }
        return new Responses.Ok();
    }

    private Responses.Ok react(Context ctx, Directory.User caller, Params p, boolean add) {
        String name = add ? p.requiredString("emoji_name") : p.string("emoji_name");
        String code = p.string("emoji_code");
        String type = p.string("reaction_type") == null ? "unicode_emoji" : p.string("reaction_type");
        if (name == null && code == null) {
            throw ZulipError.missingArgument("emoji_name");
        }
        switch (type) {
            case "unicode_emoji" -> {
                if (code == null) {
                    code = EMOJI.get(name);
                    if (code == null) {
                        throw ZulipError.badRequest("Emoji '" + name + "' does not exist");
                    }
                } else if (!code.matches("[0-9a-f]{1,6}(-[0-9a-f]{1,6})*")) {
                    throw ZulipError.badRequest("Invalid emoji code");
                }
            }
            case "zulip_extra_emoji" -> {
                if (!"zulip".equals(code == null ? name : code)) {
                    throw ZulipError.badRequest("Invalid emoji code");
                }
                code = "zulip";
            }
            case "realm_emoji" -> throw ZulipError.badRequest("Emoji '" + name + "' does not exist");
            default -> throw ZulipError.badRequest("Invalid reaction type");
        }
        realm.lock.lock();
        try {
            MessageStore.Message m = accessibleMessage(ctx, caller);
            String emojiName = name;
            if (emojiName == null) {
                String wanted = code;
                emojiName = m.reactions.stream().filter(r -> r.emojiCode().equals(wanted)).map(MessageStore.Reaction::emojiName)
                        .findFirst().orElse(code);
            }
            realm.messages.react(caller.id, m, emojiName, code, type, add);
        } finally {
            realm.lock.unlock();
        }
        return new Responses.Ok();
    }

    // ---------------------------------------------------------------- users, channels, groups

    private Responses.OwnUser getOwnUser(Context ctx, Directory.User caller, Params p) {
        realm.lock.lock();
        try {
            return Responses.OwnUser.of(caller, realm.messages.maxMessageId());
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.Members getUsers(Context ctx, Directory.User caller, Params p) {
        boolean clientGravatar = p.bool("client_gravatar", true);
        p.bool("include_custom_profile_fields", false);
        realm.lock.lock();
        try {
            return new Responses.Members(realm.directory.users().stream().map(u -> Views.user(u, clientGravatar)).toList());
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.OneUser getUser(Context ctx, Directory.User caller, Params p) {
        boolean clientGravatar = p.bool("client_gravatar", true);
        p.bool("include_custom_profile_fields", false);
        int userId = Params.pathInt(ctx, "user_id");
        realm.lock.lock();
        try {
            Directory.User user = realm.directory.user(userId);
            if (user == null) {
                throw ZulipError.badRequest("No such user");
            }
            return new Responses.OneUser(Views.user(user, clientGravatar));
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.Subscriptions getOwnSubscriptions(Context ctx, Directory.User caller, Params p) {
        boolean includeSubscribers = p.bool("include_subscribers", false);
        realm.lock.lock();
        try {
            Directory directory = realm.directory;
            return new Responses.Subscriptions(directory.channels().stream().filter(c -> c.subscribers.contains(caller.id))
                    .map(c -> Views.subscription(directory, c, includeSubscribers)).toList());
        } finally {
            realm.lock.unlock();
        }
    }

    private Directory.Channel visibleChannel(Context ctx, Directory.User caller) {
        int channelId = Params.pathInt(ctx, "stream_id");
        Directory.Channel channel = realm.directory.channel(channelId);
        if (channel == null || !realm.directory.canSeeChannel(caller.id, channel)) {
            throw ZulipError.badRequest("Invalid channel ID");
        }
        return channel;
    }

    private Responses.SubscriptionStatus getSubscriptionStatus(Context ctx, Directory.User caller, Params p) {
        realm.lock.lock();
        try {
            int userId = Params.pathInt(ctx, "user_id");
            Directory.Channel channel = visibleChannel(ctx, caller);
            if (realm.directory.user(userId) == null) {
                throw ZulipError.badRequest("No such user");
            }
            return new Responses.SubscriptionStatus(channel.subscribers.contains(userId));
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.Streams getChannels(Context ctx, Directory.User caller, Params p) {
        boolean includePublic = p.bool("include_public", true);
        boolean includeSubscribed = p.bool("include_subscribed", true);
        boolean includeAllActive = p.bool("include_all_active", false) || p.bool("include_all", false);
        for (String name : List.of("include_web_public", "exclude_archived", "include_default", "include_owner_subscribed",
                "include_can_access_content")) {
            p.bool(name, false);
        }
        if (includeAllActive && !caller.role.isAdministrator()) {
            throw ZulipError.badRequest("User not authorized for this query");
        }
        realm.lock.lock();
        try {
            List<Wire.Channel> streams = new ArrayList<>();
            for (Directory.Channel c : realm.directory.channels()) {
                boolean include = includeAllActive
                        || (includePublic && !c.inviteOnly)
                        || (includeSubscribed && c.subscribers.contains(caller.id));
                if (include) {
                    streams.add(Views.channel(realm.directory, c, false));
                }
            }
            return new Responses.Streams(streams);
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.StreamId getChannelId(Context ctx, Directory.User caller, Params p) {
        String name = p.requiredString("stream");
        realm.lock.lock();
        try {
            Directory.Channel channel = realm.directory.channelByName(name);
            if (channel == null || !realm.directory.canSeeChannel(caller.id, channel)) {
                throw ZulipError.badRequest("Invalid channel name '" + name + "'");
            }
            return new Responses.StreamId(channel.id);
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.Subscribers getChannelMembers(Context ctx, Directory.User caller, Params p) {
        realm.lock.lock();
        try {
            Directory.Channel channel = visibleChannel(ctx, caller);
            return new Responses.Subscribers(List.copyOf(channel.subscribers));
        } finally {
            realm.lock.unlock();
        }
    }

    /** Zulip's {@code require_member_or_admin}: bots and guests are refused, so bots learn groups from {@code /register}. */
    private Responses.UserGroups getUserGroups(Context ctx, Directory.User caller, Params p) {
        if (caller.isBot) {
            throw ZulipError.badRequest("This endpoint does not accept bot requests.");
        }
        if (caller.role == Role.GUEST) {
            throw ZulipError.badRequest("Not allowed for guest users");
        }
        p.bool("include_deactivated_groups", false);
        realm.lock.lock();
        try {
            Directory directory = realm.directory;
            return new Responses.UserGroups(directory.groups().stream().map(g -> Views.userGroup(directory, g)).toList());
        } finally {
            realm.lock.unlock();
        }
    }

    private Responses.ServerSettings getServerSettings(Context ctx, Directory.User caller, Params p) {
        return new Responses.ServerSettings(realm.realmUrl, realm.realmName);
    }
}
