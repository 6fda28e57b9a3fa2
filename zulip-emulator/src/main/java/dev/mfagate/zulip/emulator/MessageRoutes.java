package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The endpoints on single messages: send ({@code POST /messages}), read ({@code GET /messages/{id}}), edit,
 * delete, and reactions. Message history ({@code GET /messages}) is {@link MessageHistoryRoutes}.
 */
final class MessageRoutes {
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

    private final Realm realm;

    MessageRoutes(Realm realm) {
        this.realm = realm;
    }

    void register(Api api, RoutesConfig routes) {
        api.route(routes, HandlerType.POST, "/messages", this::sendMessage, "type", "to", "content", "topic", "subject",
                "queue_id", "local_id", "read_by_sender");
        api.route(routes, HandlerType.GET, "/messages/{message_id}", this::getMessage, "apply_markdown", "allow_empty_topic_name");
        api.route(routes, HandlerType.PATCH, "/messages/{message_id}", this::editMessage, "topic", "propagate_mode",
                "send_notification_to_old_thread", "send_notification_to_new_thread", "content", "stream_id");
        api.route(routes, HandlerType.DELETE, "/messages/{message_id}", this::deleteMessage);
        api.route(routes, HandlerType.POST, "/messages/{message_id}/reactions", (c, u, p) -> react(c, u, p, true),
                "emoji_name", "emoji_code", "reaction_type");
        api.route(routes, HandlerType.DELETE, "/messages/{message_id}/reactions", (c, u, p) -> react(c, u, p, false),
                "emoji_name", "emoji_code", "reaction_type");
    }

    private MessageResponses.Sent sendMessage(Context ctx, Directory.User caller, Params p) {
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
        return new MessageResponses.Sent(id);
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

    private MessageResponses.OneMessage getMessage(Context ctx, Directory.User caller, Params p) {
        boolean applyMarkdown = p.bool("apply_markdown", true);
        p.bool("allow_empty_topic_name", false);
        realm.lock.lock();
        try {
            MessageStore.Message m = accessibleMessage(ctx, caller);
            return new MessageResponses.OneMessage(m.content, messageForList(m, caller, applyMarkdown, false));
        } finally {
            realm.lock.unlock();
        }
    }

    private Wire.Message messageForList(MessageStore.Message m, Directory.User caller, boolean applyMarkdown, boolean clientGravatar) {
        return messageForList(realm, m, caller, applyMarkdown, clientGravatar);
    }

    /** A message as the caller's list shows it: their flags beside it. Callers hold the realm's lock. */
    static Wire.Message messageForList(Realm realm, MessageStore.Message m, Directory.User caller, boolean applyMarkdown,
                                       boolean clientGravatar) {
        return Views.message(realm.directory, m, applyMarkdown, clientGravatar, true).withFlags(realm.messages.flags(m, caller.id));
    }

    private MessageResponses.Edited editMessage(Context ctx, Directory.User caller, Params p) {
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
        return new MessageResponses.Edited();
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
}
