package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What happens around every endpoint of the emulated API: before it, the {@code Date} header, the injected
 * faults that answer in its place (slow, 5xx, 429 with {@code Retry-After}, a lost queue) and authentication;
 * the one place a JSON answer is written; after it, the record of calls and the spec check. Thread-safe.
 */
final class RequestPipeline {
    private final Realm realm;
    private final Faults faults;
    private final SpecCheck specCheck;
    private final List<ApiCall> apiCalls = Collections.synchronizedList(new ArrayList<>());
    private volatile UnaryOperator<ObjectNode> responseMutator;

    RequestPipeline(Realm realm, Faults faults, SpecCheck specCheck) {
        this.realm = realm;
        this.faults = faults;
        this.specCheck = specCheck;
    }

    void before(Context ctx) throws Exception {
        Clock clock = realm.clock();
        // Replaced by respond() when the answer is written; kept here for answers that do not pass through it.
        ctx.header("Date", Views.httpDate(clock.instant()));
        String path = ctx.path();
        if (!path.startsWith(Api.PREFIX + "/")) {
            return;
        }
        String apiPath = path.substring(Api.PREFIX.length());
        FaultKind fault = ctx.attribute(FaultHandler.ATTRIBUTE);
        if (fault == FaultKind.SLOW) {
            Thread.sleep(faults.slowDelay().toMillis());
        }
        if (fault == FaultKind.SERVER_ERROR) {
            ctx.attribute(SpecCheck.INJECTED_ERROR, Boolean.TRUE);
            int status = faults.serverErrorStatus();
            String msg = switch (status) {
                case 502 -> "Bad gateway";
                case 503 -> "Service temporarily unavailable";
                default -> "Internal server error";
            };
            throw new ZulipError(status, "BAD_REQUEST", msg);
        }
        if (fault == FaultKind.RATE_LIMIT) {
            int retryAfter = faults.retryAfterSeconds();
            ctx.header("Retry-After", Integer.toString(retryAfter));
            ctx.header("X-RateLimit-Limit", "200");
            ctx.header("X-RateLimit-Remaining", "0");
            ctx.header("X-RateLimit-Reset", Long.toString(clock.instant().getEpochSecond() + retryAfter));
            throw new ZulipError(429, "RATE_LIMIT_HIT", "API usage exceeded rate limit").with("retry-after", retryAfter);
        }
        // Zulip's server settings need no authentication at all.
        if (apiPath.equals("/server_settings")) {
            return;
        }
        Directory.User caller = BasicAuth.authenticate(realm, ctx.header("Authorization"));
        ctx.attribute(Api.CALLER, caller);
        if (fault == FaultKind.BAD_EVENT_QUEUE_ID) {
            realm.events.drop(caller.id);
        }
    }

    /**
     * Writes a JSON response; every response of the API goes through here. {@code Date} is stamped here, when
     * the answer is written, as Zulip's server does: a long poll's answer carries the time it returned, not
     * the time it started waiting.
     */
    void respond(Context ctx, int status, ObjectNode body) {
        ctx.header("Date", Views.httpDate(realm.clock().instant()));
        UnaryOperator<ObjectNode> mutator = responseMutator;
        ObjectNode sent = mutator == null ? body : mutator.apply(body.deepCopy());
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.write(sent));
    }

    void after(Context ctx) throws InterruptedException {
        if (ctx.attribute(FaultHandler.ATTRIBUTE) == FaultKind.SLOW_ANSWER) {
            // The endpoint has acted; its answer is written once the after-handlers are done.
            Thread.sleep(faults.slowAnswerDelay().toMillis());
        }
        if (ctx.path().startsWith(Api.PREFIX + "/")) {
            apiCalls.add(new ApiCall(ctx.method().name(), ctx.path().substring(Api.PREFIX.length()), ctx.statusCode()));
        }
        specCheck.check(ctx);
    }

    List<ApiCall> apiCalls() {
        synchronized (apiCalls) {
            return List.copyOf(apiCalls);
        }
    }

    void mutateResponses(UnaryOperator<ObjectNode> mutator) {
        this.responseMutator = mutator;
    }
}
