package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.Set;

/**
 * The HTTP API of the emulated Zulip: the route table and what every endpoint shares (the caller, parameters,
 * the JSON answer). The endpoints live by area, each a small handler over the {@link Realm} answering with a
 * record: {@link EventRoutes}, {@link MessageRoutes}, {@link MessageHistoryRoutes}, {@link DirectoryRoutes}.
 */
final class Api {
    static final String PREFIX = "/api/v1";
    static final String CALLER = "mfagate.caller";

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
        new EventRoutes(realm, heartbeat).register(this, routes);
        new MessageRoutes(realm).register(this, routes);
        new MessageHistoryRoutes(realm).register(this, routes);
        new DirectoryRoutes(realm).register(this, routes);
    }

    /** Adds one endpoint: its parameters read by {@link Params}, its record answered as JSON, unknown parameters listed. */
    void route(RoutesConfig routes, HandlerType method, String path, Endpoint endpoint, String... known) {
        Set<String> names = Set.of(known);
        routes.addHttpHandler(method, PREFIX + path, ctx -> {
            Params params = Params.of(ctx, names);
            Directory.User caller = ctx.attribute(CALLER);
            Responses.Success answer = endpoint.handle(ctx, caller, params);
            responder.respond(ctx, 200, Json.tree(new Responses.Answered(answer, params.ignored())));
        });
    }
}
