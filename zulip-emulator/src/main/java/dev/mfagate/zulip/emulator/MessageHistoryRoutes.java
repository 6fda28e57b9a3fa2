package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code GET /messages}: a window of the caller's messages around an anchor, through a narrow, or given ids. */
final class MessageHistoryRoutes {
    private final Realm realm;

    MessageHistoryRoutes(Realm realm) {
        this.realm = realm;
    }

    void register(Api api, RoutesConfig routes) {
        api.route(routes, HandlerType.GET, "/messages", this::getMessages, "anchor", "include_anchor", "num_before", "num_after",
                "narrow", "client_gravatar", "apply_markdown", "use_first_unread_anchor", "message_ids", "allow_empty_topic_name");
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
                return new MessageResponses.MessagesById(candidates.stream().filter(m -> wanted.contains(m.id))
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
            return new MessageResponses.MessageWindow(window.stream().map(m -> messageForList(m, caller, applyMarkdown, clientGravatar)).toList(),
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
        return MessageRoutes.messageForList(realm, m, caller, applyMarkdown, clientGravatar);
    }
}
