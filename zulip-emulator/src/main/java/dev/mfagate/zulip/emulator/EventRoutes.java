package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** The event-queue endpoints: {@code POST /register} (a queue and the initial state), {@code GET /events} (the long poll), {@code DELETE /events}. */
final class EventRoutes {
    private final Realm realm;
    private final Duration heartbeat;

    EventRoutes(Realm realm, Duration heartbeat) {
        this.realm = realm;
        this.heartbeat = heartbeat;
    }

    void register(Api api, RoutesConfig routes) {
        api.route(routes, HandlerType.POST, "/register", this::registerQueue, "apply_markdown", "client_gravatar",
                "include_subscribers", "slim_presence", "presence_history_limit_days", "event_types",
                "all_public_streams", "client_capabilities", "fetch_event_types", "narrow");
        api.route(routes, HandlerType.GET, "/events", this::getEvents, "queue_id", "last_event_id", "dont_block");
        api.route(routes, HandlerType.DELETE, "/events", this::deleteQueue, "queue_id");
    }

    private EventResponses.Registered registerQueue(Context ctx, Directory.User caller, Params p) {
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
            return new EventResponses.Registered(q.id, q.lastEventId(), heartbeat.toSeconds() + 40,
                    fetches.test("message") ? new EventResponses.MessageState(realm.messages.maxMessageId()) : null,
                    fetches.test("realm_user") ? EventResponses.RealmUserState.of(directory.users(), caller, clientGravatar) : null,
                    fetches.test("subscription") ? EventResponses.SubscriptionState.of(directory, caller.id, includeSubscribers) : null,
                    fetches.test("user_group") ? EventResponses.UserGroupState.of(directory) : null,
                    fetches.test("stream") ? EventResponses.StreamState.of(directory, caller.id) : null,
                    fetches.test("realm") ? EventResponses.RealmState.of(realm.realmName, realm.realmUrl, realm.settings(), directory) : null);
        } finally {
            realm.lock.unlock();
        }
    }

    private EventResponses.Events getEvents(Context ctx, Directory.User caller, Params p) throws InterruptedException {
        String queueId = p.requiredString("queue_id");
        Integer lastEventId = p.integer("last_event_id");
        boolean dontBlock = p.bool("dont_block", false);
        List<EventQueue.Entry> events = realm.events.poll(caller.id, queueId, lastEventId, dontBlock, heartbeat);
        return new EventResponses.Events(events, queueId);
    }

    private Responses.Ok deleteQueue(Context ctx, Directory.User caller, Params p) {
        realm.events.delete(caller.id, p.requiredString("queue_id"));
        return new Responses.Ok();
    }
}
