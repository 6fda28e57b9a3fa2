package dev.mfagate.gateway;

import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.core.issue.Requester;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.gateway.http.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The one before-guard of every API route, whatever the method: it names the route, authenticates
 * the bearer token, reads the on-behalf headers strictly ({@link OnBehalfHeaders}: an id of 0, an
 * email with a control character, ... is 400 {@code invalid_on_behalf} before the label is read or
 * looked up), and puts the {@link Requester} in the request's context for the handler
 * ({@link #requester}). A refusal is thrown as an {@link ApiException} for the one error mapper,
 * which audits it.
 *
 * <p>In demo mode no token is needed: every request is the demo token's (scope {@code *}).
 * Thread-safe; the per-request state lives in the context's attributes.
 */
public final class ApiGuard {

    /** The route template (attribute). */
    static final String ROUTE = "mfagate.route";
    /** The authenticated {@link Subject.Token} (attribute). */
    static final String TOKEN = "mfagate.token";
    /** The {@link Requester} (attribute). */
    static final String REQUESTER = "mfagate.requester";

    /** The one caller of demo mode: any label, directly or on behalf. */
    static final Subject.Token DEMO_TOKEN = new Subject.Token("demo", LabelPattern.ALL, true);
    private static final int MAX_AUTHORIZATION_CHARS = 512;

    private final Authenticator authenticator;
    private final Clock clock;
    private final boolean demo;

    /**
     * @param authenticator bearer token to token
     * @param clock the gateway's clock (token expiry)
     * @param demo whether requests need no token
     */
    public ApiGuard(Authenticator authenticator, Clock clock, boolean demo) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.demo = demo;
    }

    /** The before-handler for {@code route}; register it for that path. */
    public Handler forRoute(String route) {
        return ctx -> check(ctx, route);
    }

    /** Authenticates and reads the on-behalf headers, in that order, or throws the refusal. */
    void check(Context ctx, String route) {
        ctx.attribute(ROUTE, route);
        Subject.Token token = authenticate(single(ctx, "Authorization", RefusalReason.BAD_REQUEST));
        ctx.attribute(TOKEN, token);
        Optional<Subject.OnBehalf> onBehalf = OnBehalfHeaders.fromHeaders(name -> single(ctx, name, RefusalReason.INVALID_ON_BEHALF));
        Subject subject = onBehalf.map(u -> Subject.onBehalf(token, u)).orElseGet(() -> Subject.direct(token));
        ctx.attribute(REQUESTER, new Requester.ApiCaller(subject));
    }

    /**
     * The one value of header {@code name}, or null when it is absent. Sent twice it is refused with
     * {@code reason}: the first was used before, and a proxy in front may read the other, so two
     * parts of the system could see two callers or two users.
     */
    static String single(Context ctx, String name, RefusalReason reason) {
        java.util.Enumeration<String> values = ctx.req().getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String value = values.nextElement();
        if (values.hasMoreElements()) {
            throw ApiException.atDoor(reason, name + " was sent more than once; send it once");
        }
        return value;
    }

    /** The token the {@code Authorization} header presents, or {@code unauthenticated}. */
    Subject.Token authenticate(String authorization) {
        if (demo) {
            return DEMO_TOKEN;
        }
        if (authorization == null || authorization.length() > MAX_AUTHORIZATION_CHARS
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.atDoor(RefusalReason.UNAUTHENTICATED, "Send Authorization: Bearer <token>");
        }
        String token = authorization.substring(7).strip();
        return authenticator.authenticate(token, clock.instant())
                .orElseThrow(() -> ApiException.atDoor(RefusalReason.UNAUTHENTICATED, "Unknown, expired or revoked token"));
    }

    /** The requester the guard put in {@code ctx}; only in a handler of a guarded route. */
    static Requester.ApiCaller requester(Context ctx) {
        Requester.ApiCaller r = ctx.attribute(REQUESTER);
        if (r == null) {
            throw new IllegalStateException("No requester: the route is not behind the API guard");
        }
        return r;
    }
}
