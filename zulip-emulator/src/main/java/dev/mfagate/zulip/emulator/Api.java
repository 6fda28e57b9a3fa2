package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The HTTP endpoints of the emulated Zulip API, each a small handler over the {@link Realm}. */
final class Api {
    static final String PREFIX = "/api/v1";
    static final String ZULIP_VERSION = "11.0-dev";
    static final int ZULIP_FEATURE_LEVEL = 378;
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
        ObjectNode handle(Context ctx, Realm.UserRec caller, Params params) throws Exception;
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
            Realm.UserRec caller = ctx.attribute(CALLER);
            ObjectNode body = endpoint.handle(ctx, caller, params);
            List<String> ignored = params.ignored();
            if (!ignored.isEmpty()) {
                ArrayNode list = body.putArray("ignored_parameters_unsupported");
                ignored.forEach(list::add);
            }
            responder.respond(ctx, 200, body);
        });
    }

    // ---------------------------------------------------------------- events

    private ObjectNode registerQueue(Context ctx, Realm.UserRec caller, Params p) {
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
        realm.lock.lock();
        try {
            narrow.requireKnownOperands(realm);
            EventQueue q = realm.register(caller.id, eventTypes == null ? null : Set.copyOf(eventTypes), narrow,
                    applyMarkdown, clientGravatar, bulkDeletion);
            ObjectNode body = Json.success();
            body.put("queue_id", q.id);
            body.put("last_event_id", q.lastEventId());
            body.put("zulip_version", ZULIP_VERSION);
            body.put("zulip_feature_level", ZULIP_FEATURE_LEVEL);
            body.put("zulip_merge_base", ZULIP_VERSION);
            body.put("event_queue_longpoll_timeout_seconds", heartbeat.toSeconds() + 40);
            Set<String> fetch = fetchTypes == null ? null : Set.copyOf(fetchTypes);
            if (fetch == null || fetch.contains("message")) {
                body.put("max_message_id", realm.maxMessageId());
            }
            if (fetch == null || fetch.contains("realm_user")) {
                ArrayNode active = body.putArray("realm_users");
                ArrayNode inactive = body.putArray("realm_non_active_users");
                for (Realm.UserRec u : realm.users()) {
                    (u.active ? active : inactive).add(Views.user(u, clientGravatar));
                }
                body.putArray("cross_realm_bots");
                body.put("user_id", caller.id);
                body.put("email", caller.email);
                body.put("delivery_email", caller.email);
                body.put("full_name", caller.fullName);
                body.put("is_admin", caller.role.isAdministrator());
                body.put("is_owner", caller.role == Role.OWNER);
                body.put("is_moderator", caller.role == Role.MODERATOR);
                body.put("is_guest", caller.role == Role.GUEST);
                body.put("avatar_source", "G");
                body.put("avatar_url", Views.avatarUrl(caller));
                body.put("avatar_url_medium", Views.avatarUrl(caller));
            }
            if (fetch == null || fetch.contains("subscription")) {
                ArrayNode subscribed = body.putArray("subscriptions");
                body.putArray("unsubscribed");
                ArrayNode never = body.putArray("never_subscribed");
                for (Realm.ChannelRec c : realm.channels()) {
                    if (c.subscribers.contains(caller.id)) {
                        subscribed.add(Views.subscription(realm, c, includeSubscribers));
                    } else if (realm.canSeeChannel(caller.id, c)) {
                        ObjectNode channel = Views.channel(realm, c);
                        if (includeSubscribers) {
                            channel.set("subscribers", Json.ints(c.subscribers));
                        }
                        never.add(channel);
                    }
                }
            }
            if (fetch == null || fetch.contains("user_group")) {
                ArrayNode groups = body.putArray("realm_user_groups");
                realm.groups().forEach(g -> groups.add(Views.userGroup(realm, g)));
            }
            if (fetch == null || fetch.contains("stream")) {
                ArrayNode streams = body.putArray("streams");
                realm.channels().stream().filter(c -> realm.canSeeChannel(caller.id, c))
                        .forEach(c -> streams.add(Views.channel(realm, c)));
            }
            if (fetch == null || fetch.contains("realm")) {
                OrgSettings s = realm.settings();
                body.put("realm_name", realm.realmName);
                body.put("realm_url", realm.realmUrl);
                body.put("realm_allow_message_editing", s.allowMessageEditing());
                putNullable(body, "realm_message_content_edit_limit_seconds", s.messageContentEditLimitSeconds());
                putNullable(body, "realm_message_content_delete_limit_seconds", s.messageContentDeleteLimitSeconds());
                body.put("realm_can_delete_own_message_group",
                        s.everyoneCanDeleteOwnMessages() ? realm.everyoneGroupId : realm.administratorsGroupId);
                body.put("realm_can_delete_any_message_group", realm.administratorsGroupId);
                body.put("max_message_length", Realm.MAX_MESSAGE_LENGTH);
                body.put("max_topic_length", Realm.MAX_TOPIC_LENGTH);
            }
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private static void putNullable(ObjectNode node, String field, Integer value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private ObjectNode getEvents(Context ctx, Realm.UserRec caller, Params p) throws InterruptedException {
        String queueId = p.requiredString("queue_id");
        Integer lastEventId = p.integer("last_event_id");
        boolean dontBlock = p.bool("dont_block", false);
        List<ObjectNode> events = realm.poll(caller.id, queueId, lastEventId, dontBlock, heartbeat);
        ObjectNode body = Json.success();
        ArrayNode array = body.putArray("events");
        events.forEach(array::add);
        body.put("queue_id", queueId);
        return body;
    }

    private ObjectNode deleteQueue(Context ctx, Realm.UserRec caller, Params p) {
        realm.deleteQueue(caller.id, p.requiredString("queue_id"));
        return Json.success();
    }

    // ---------------------------------------------------------------- messages

    private ObjectNode sendMessage(Context ctx, Realm.UserRec caller, Params p) {
        String type = p.requiredString("type");
        String to = p.requiredString("to");
        String content = p.requiredString("content");
        String client = clientName(ctx.userAgent());
        int id;
        realm.lock.lock();
        try {
            switch (type) {
                case "direct", "private" -> id = realm.sendDirect(caller.id, directRecipients(to), content, client);
                case "stream", "channel" -> {
                    String topic = p.string("topic") != null ? p.string("topic") : p.string("subject");
                    if (topic == null) {
                        throw ZulipError.badRequest("Missing topic");
                    }
                    id = realm.sendToChannel(caller.id, channelRecipient(caller, to), topic, content, client);
                }
                default -> throw ZulipError.badRequest("Invalid message type");
            }
        } finally {
            realm.lock.unlock();
        }
        ObjectNode body = Json.success();
        body.put("id", id);
        return body;
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
                    ids.add(realm.userIdByEmail(element.asText()));
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
                    ids.add(realm.userIdByEmail(email.strip()));
                }
            }
        }
        return ids;
    }

    /** A channel by name (plain or JSON string, or a one-element JSON list) or by id; private ones only for those who can see them. */
    private Realm.ChannelRec channelRecipient(Realm.UserRec caller, String to) {
        JsonNode node = Json.parseOrNull(to);
        if (node != null && node.isArray() && node.size() == 1) {
            node = node.get(0);
        }
        if (node != null && node.isInt()) {
            Realm.ChannelRec channel = realm.channel(node.asInt());
            if (channel == null || !realm.canSeeChannel(caller.id, channel)) {
                throw new ZulipError(400, "STREAM_DOES_NOT_EXIST", "Channel with ID '" + node.asInt() + "' does not exist")
                        .with("stream_id", node.asInt());
            }
            return channel;
        }
        String name = node != null && node.isTextual() ? node.asText() : to;
        Realm.ChannelRec channel = realm.channelByName(name);
        if (channel == null || !realm.canSeeChannel(caller.id, channel)) {
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

    private Realm.MessageRec accessibleMessage(Context ctx, Realm.UserRec caller) {
        int id = Params.pathInt(ctx, "message_id");
        Realm.MessageRec m = realm.message(id);
        if (m == null || !realm.canAccess(caller.id, m)) {
            throw ZulipError.invalidMessage();
        }
        return m;
    }

    private ObjectNode getMessage(Context ctx, Realm.UserRec caller, Params p) {
        boolean applyMarkdown = p.bool("apply_markdown", true);
        p.bool("allow_empty_topic_name", false);
        realm.lock.lock();
        try {
            Realm.MessageRec m = accessibleMessage(ctx, caller);
            ObjectNode body = Json.success();
            body.put("raw_content", m.content);
            ObjectNode message = Views.message(realm, m, caller.id, applyMarkdown, false, true);
            message.set("flags", realm.flagsOf(m, caller.id));
            body.set("message", message);
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    /** Zulip's sentinel for {@code anchor=newest}: larger than any message id. */
    static final long LARGER_THAN_MAX_MESSAGE_ID = 10_000_000_000_000_000L;
    private static final int MAX_MESSAGES_PER_FETCH = 5000;

    /** {@code GET /messages}: a window of the caller's messages around an anchor, or the messages with given ids. */
    private ObjectNode getMessages(Context ctx, Realm.UserRec caller, Params p) {
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
            narrow.requireKnownOperands(realm);
            List<Realm.MessageRec> candidates = new ArrayList<>();
            for (Realm.MessageRec m : realm.allMessages()) {
                boolean visible = narrow.terms.isEmpty() ? realm.receivers(m).contains(caller.id) : realm.canAccess(caller.id, m);
                if (!m.deleted && visible && narrow.matches(m, realm, caller.id)) {
                    candidates.add(m);
                }
            }
            ObjectNode body = Json.success();
            ArrayNode messages = body.putArray("messages");
            if (messageIds != null) {
                if (anchorText != null || numBefore != null || numAfter != null) {
                    throw ZulipError.badRequest("Unsupported parameter combination: anchor, message_ids");
                }
                Set<Integer> wanted = new LinkedHashSet<>();
                messageIds.forEach(n -> wanted.add(n.asInt()));
                candidates.stream().filter(m -> wanted.contains(m.id))
                        .forEach(m -> messages.add(messageForList(m, caller, applyMarkdown, clientGravatar)));
                return body;
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
            List<Realm.MessageRec> before = candidates.stream().filter(m -> m.id < anchor).toList();
            List<Realm.MessageRec> after = candidates.stream().filter(m -> m.id > anchor).toList();
            Realm.MessageRec atAnchor = candidates.stream().filter(m -> m.id == anchor).findFirst().orElse(null);
            List<Realm.MessageRec> window = new ArrayList<>(before.subList(Math.max(0, before.size() - numBefore), before.size()));
            if (atAnchor != null && includeAnchor) {
                window.add(atAnchor);
            }
            window.addAll(after.subList(0, Math.min(numAfter, after.size())));
            window.forEach(m -> messages.add(messageForList(m, caller, applyMarkdown, clientGravatar)));
            body.put("anchor", anchor);
            body.put("found_anchor", atAnchor != null);
            body.put("found_oldest", before.size() <= numBefore);
            body.put("found_newest", after.size() <= numAfter);
            body.put("history_limited", false);
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private long anchor(String text, boolean firstUnread, List<Realm.MessageRec> candidates, int userId) {
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

    private ObjectNode messageForList(Realm.MessageRec m, Realm.UserRec caller, boolean applyMarkdown, boolean clientGravatar) {
        ObjectNode message = Views.message(realm, m, caller.id, applyMarkdown, clientGravatar, true);
        message.set("flags", realm.flagsOf(m, caller.id));
        return message;
    }

    private ObjectNode editMessage(Context ctx, Realm.UserRec caller, Params p) {
        String content = p.string("content");
        String topic = p.string("topic");
        Integer streamId = p.integer("stream_id");
        p.bool("send_notification_to_old_thread", false);
        p.bool("send_notification_to_new_thread", true);
        realm.lock.lock();
        try {
            Realm.MessageRec m = accessibleMessage(ctx, caller);
            if (content == null && topic == null && streamId == null) {
                throw ZulipError.badRequest("Nothing to change");
            }
            boolean moves = (topic != null && !topic.equals(m.topic)) || (streamId != null && streamId != m.channelId);
            if (moves) {
                // Out of scope: moving messages between topics and channels. Refused rather than silently ignored.
                throw ZulipError.badRequest("Moving messages is not supported by this emulated server");
            }
            if (content != null) {
                realm.editContent(caller.id, m, content);
            }
        } finally {
            realm.lock.unlock();
        }
        ObjectNode body = Json.success();
        body.putArray("detached_uploads");
        return body;
    }

    private ObjectNode deleteMessage(Context ctx, Realm.UserRec caller, Params p) {
        realm.lock.lock();
        try {
            realm.delete(caller.id, accessibleMessage(ctx, caller));
        } finally {
            realm.lock.unlock();
        }
        return Json.success();
    }

    private ObjectNode react(Context ctx, Realm.UserRec caller, Params p, boolean add) {
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
            Realm.MessageRec m = accessibleMessage(ctx, caller);
            String emojiName = name;
            if (emojiName == null) {
                String wanted = code;
                emojiName = m.reactions.stream().filter(r -> r.emojiCode().equals(wanted)).map(Realm.ReactionRec::emojiName)
                        .findFirst().orElse(code);
            }
            realm.react(caller.id, m, emojiName, code, type, add);
        } finally {
            realm.lock.unlock();
        }
        return Json.success();
    }

    // ---------------------------------------------------------------- users, channels, groups

    private ObjectNode getOwnUser(Context ctx, Realm.UserRec caller, Params p) {
        realm.lock.lock();
        try {
            ObjectNode body = Json.success();
            body.put("avatar_url", Views.avatarUrl(caller));
            body.put("avatar_version", 1);
            body.put("email", caller.email);
            body.put("full_name", caller.fullName);
            body.put("is_admin", caller.role.isAdministrator());
            body.put("is_owner", caller.role == Role.OWNER);
            body.put("role", caller.role.apiValue());
            body.put("is_guest", caller.role == Role.GUEST);
            body.put("is_bot", caller.isBot);
            body.put("is_active", caller.active);
            body.put("timezone", "");
            body.put("date_joined", Views.user(caller, false).get("date_joined").asText());
            body.put("max_message_id", realm.maxMessageId());
            body.put("user_id", caller.id);
            body.put("delivery_email", caller.email);
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getUsers(Context ctx, Realm.UserRec caller, Params p) {
        boolean clientGravatar = p.bool("client_gravatar", true);
        p.bool("include_custom_profile_fields", false);
        realm.lock.lock();
        try {
            ObjectNode body = Json.success();
            ArrayNode members = body.putArray("members");
            realm.users().forEach(u -> members.add(Views.user(u, clientGravatar)));
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getUser(Context ctx, Realm.UserRec caller, Params p) {
        boolean clientGravatar = p.bool("client_gravatar", true);
        p.bool("include_custom_profile_fields", false);
        int userId = Params.pathInt(ctx, "user_id");
        realm.lock.lock();
        try {
            Realm.UserRec user = realm.user(userId);
            if (user == null) {
                throw ZulipError.badRequest("No such user");
            }
            ObjectNode body = Json.success();
            body.set("user", Views.user(user, clientGravatar));
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getOwnSubscriptions(Context ctx, Realm.UserRec caller, Params p) {
        boolean includeSubscribers = p.bool("include_subscribers", false);
        realm.lock.lock();
        try {
            ObjectNode body = Json.success();
            ArrayNode subscriptions = body.putArray("subscriptions");
            realm.channels().stream().filter(c -> c.subscribers.contains(caller.id))
                    .forEach(c -> subscriptions.add(Views.subscription(realm, c, includeSubscribers)));
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private Realm.ChannelRec visibleChannel(Context ctx, Realm.UserRec caller) {
        int channelId = Params.pathInt(ctx, "stream_id");
        Realm.ChannelRec channel = realm.channel(channelId);
        if (channel == null || !realm.canSeeChannel(caller.id, channel)) {
            throw ZulipError.badRequest("Invalid channel ID");
        }
        return channel;
    }

    private ObjectNode getSubscriptionStatus(Context ctx, Realm.UserRec caller, Params p) {
        realm.lock.lock();
        try {
            int userId = Params.pathInt(ctx, "user_id");
            Realm.ChannelRec channel = visibleChannel(ctx, caller);
            if (realm.user(userId) == null) {
                throw ZulipError.badRequest("No such user");
            }
            ObjectNode body = Json.success();
            body.put("is_subscribed", channel.subscribers.contains(userId));
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getChannels(Context ctx, Realm.UserRec caller, Params p) {
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
            ObjectNode body = Json.success();
            ArrayNode streams = body.putArray("streams");
            for (Realm.ChannelRec c : realm.channels()) {
                boolean include = includeAllActive
                        || (includePublic && !c.inviteOnly)
                        || (includeSubscribed && c.subscribers.contains(caller.id));
                if (include) {
                    streams.add(Views.channel(realm, c));
                }
            }
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getChannelId(Context ctx, Realm.UserRec caller, Params p) {
        String name = p.requiredString("stream");
        realm.lock.lock();
        try {
            Realm.ChannelRec channel = realm.channelByName(name);
            if (channel == null || !realm.canSeeChannel(caller.id, channel)) {
                throw ZulipError.badRequest("Invalid channel name '" + name + "'");
            }
            ObjectNode body = Json.success();
            body.put("stream_id", channel.id);
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getChannelMembers(Context ctx, Realm.UserRec caller, Params p) {
        realm.lock.lock();
        try {
            Realm.ChannelRec channel = visibleChannel(ctx, caller);
            ObjectNode body = Json.success();
            body.set("subscribers", Json.ints(new ArrayList<>(channel.subscribers)));
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    /** Zulip's {@code require_member_or_admin}: bots and guests are refused, so bots learn groups from {@code /register}. */
    private ObjectNode getUserGroups(Context ctx, Realm.UserRec caller, Params p) {
        if (caller.isBot) {
            throw ZulipError.badRequest("This endpoint does not accept bot requests.");
        }
        if (caller.role == Role.GUEST) {
            throw ZulipError.badRequest("Not allowed for guest users");
        }
        p.bool("include_deactivated_groups", false);
        realm.lock.lock();
        try {
            ObjectNode body = Json.success();
            ArrayNode groups = body.putArray("user_groups");
            realm.groups().forEach(g -> groups.add(Views.userGroup(realm, g)));
            return body;
        } finally {
            realm.lock.unlock();
        }
    }

    private ObjectNode getServerSettings(Context ctx, Realm.UserRec caller, Params p) {
        ObjectNode body = Json.success();
        ObjectNode methods = body.putObject("authentication_methods");
        methods.put("password", true);
        methods.put("dev", false);
        methods.put("email", true);
        methods.put("ldap", false);
        methods.put("remoteuser", false);
        methods.put("github", false);
        methods.put("azuread", false);
        methods.put("gitlab", false);
        methods.put("apple", false);
        methods.put("google", false);
        methods.put("saml", false);
        methods.put("openid connect", false);
        body.putArray("external_authentication_methods");
        body.put("zulip_feature_level", ZULIP_FEATURE_LEVEL);
        body.put("zulip_version", ZULIP_VERSION);
        body.put("zulip_merge_base", ZULIP_VERSION);
        body.put("push_notifications_enabled", false);
        body.put("is_incompatible", false);
        body.put("email_auth_enabled", true);
        body.put("require_email_format_usernames", true);
        body.put("realm_uri", realm.realmUrl);
        body.put("realm_url", realm.realmUrl);
        body.put("realm_name", realm.realmName);
        body.put("realm_icon", realm.realmUrl + "/static/images/logo/zulip-icon-128x128.png");
        body.put("realm_description", "");
        body.put("realm_web_public_access_enabled", false);
        return body;
    }
}
