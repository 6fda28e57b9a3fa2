package dev.mfagate.gateway;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.issue.CodeIssuer;
import dev.mfagate.core.issue.IssueResult;
import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.issue.Requester;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.store.StoreFailures;
import dev.mfagate.gateway.http.ApiException;
import dev.mfagate.gateway.http.ErrorMapping;
import dev.mfagate.gateway.http.ErrorResponses;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a refusal becomes a response: it audits a refusal the door made itself (through
 * {@link CodeIssuer#refuseAtDoor}, so door and issuer refusals are recorded alike), counts it, and
 * writes the JSON error body with the status, {@code Retry-After} and {@code error.daily_cap} that
 * {@link ErrorMapping} and the refusal give. Unexpected exceptions become {@code store_unavailable}
 * (a database outage) or {@code internal_error}, their message never sent. Thread-safe.
 */
final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    /** Set once a response carries an error body, so a bare status after it is left alone. */
    private static final String ERROR = "mfagate.error";
    /** Routes that are not audited: probes and the API description. */
    private static final Set<String> UNAUDITED = Set.of("/healthz", "/readyz", "/openapi.json");

    private final CodeIssuer issuer;
    private final GatewayMetrics metrics;
    private final Clock clock;

    ApiErrors(CodeIssuer issuer, GatewayMetrics metrics, Clock clock) {
        this.issuer = issuer;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The exception mapper of {@link ApiException}. */
    void onApiException(ApiException e, Context ctx) {
        IssueResult.Refused refusal = e.refusal();
        Exchange ex = Exchange.of(ctx);
        if (!e.isAudited() && ex != null && !UNAUDITED.contains(ex.route(ctx))) {
            refusal = issuer.refuseAtDoor(refusal, facts(ctx), clock.instant(), ex.meta(ctx));
        }
        write(ctx, refusal);
    }

    /** The exception mapper of everything else. */
    void onUnexpected(Exception e, Context ctx) {
        Exchange ex = Exchange.of(ctx);
        String id = ex == null ? null : ex.requestId();
        if (StoreFailures.isStoreFailure(e)) {
            // The database is away (restart, network, pool timeout): fail closed with a 503 that says so.
            LOG.warn("Store unavailable in request {}: {}", id, StoreFailures.describe(e));
            onApiException(ApiException.atDoor(RefusalReason.STORE_UNAVAILABLE,
                    "The store is unavailable, so no code is issued; try again shortly", Duration.ofSeconds(2)), ctx);
            return;
        }
        // The message of an unexpected exception may carry anything; log its type and stack, never send it.
        LOG.error("Unexpected failure in request {}", id, e);
        onApiException(ApiException.atDoor(RefusalReason.INTERNAL_ERROR,
                ErrorResponses.messageFor(ErrorCode.INTERNAL_ERROR)), ctx);
    }

    /** The error handler of a bare status set by the router (404, 405, 413). */
    void onBareStatus(Context ctx, int status) {
        // The console answers its own paths (GatewayServer); here, a body Javalin wrote for a browser
        // ("Endpoint ... not found", HTML) is replaced by the API's JSON error like any other.
        if (ctx.attribute(ERROR) != null) {
            return;
        }
        RefusalReason reason = ErrorMapping.forStatus(status);
        onApiException(ApiException.atDoor(reason, ErrorResponses.messageFor(ErrorMapping.errorCode(reason))), ctx);
    }

    /** Counts and writes a refusal that is audited already. */
    void write(Context ctx, IssueResult.Refused refusal) {
        RefusalReason reason = refusal.reason();
        ErrorCode code = ErrorMapping.errorCode(reason);
        if (code.httpStatus() >= 400 && code.httpStatus() < 500 && code != ErrorCode.NOT_FOUND) {
            metrics.denied(reason.auditReason());
            if (reason.isLimit()) {
                metrics.rateLimitHit(reason.auditReason());
            }
        }
        refusal.retryAfter().ifPresent(d -> ctx.header("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        Exchange ex = Exchange.of(ctx);
        ctx.attribute(ERROR, code);
        ctx.status(HttpStatus.forStatus(code.httpStatus()));
        ctx.contentType("application/json");
        Integer cap = refusal.dailyCap().isPresent() ? refusal.dailyCap().getAsInt() : null;
        ctx.result(ErrorResponses.body(code, refusal.message(), ex == null ? null : ex.requestId(), cap));
    }

    /** What the guard and handler learned before the refusal, for its audit entry. */
    private static CodeIssuer.DoorFacts facts(Context ctx) {
        Subject.Token token = ctx.attribute(ApiGuard.TOKEN);
        Requester.ApiCaller requester = ctx.attribute(ApiGuard.REQUESTER);
        Subject.OnBehalf onBehalf = requester == null ? null : requester.subject().onBehalf().orElse(null);
        // A console session's request is the console's in the trail, as the console's own entries are,
        // with the person and the session's short reference in the detail.
        dev.mfagate.core.console.ConsoleSessions.Session session = ctx.attribute(AdminRoutes.SESSION);
        if (token == null && session != null) {
            return new CodeIssuer.DoorFacts("console", null, ctx.attribute(Exchange.LABEL),
                    "person:" + session.person().value() + " session " + session.ref());
        }
        return new CodeIssuer.DoorFacts(token == null ? null : token.tokenId(), onBehalf, ctx.attribute(Exchange.LABEL));
    }

    /**
     * One request as the gateway first saw it; immutable, in the context's attributes.
     *
     * @param requestId the request id sent back as {@code X-Request-Id}
     * @param path the path as sent, cut short (the audit's route until a route names its template)
     * @param remoteAddress the client address after trusted-proxy resolution
     * @param startNanos {@link System#nanoTime()} at arrival
     */
    record Exchange(String requestId, String path, String remoteAddress, long startNanos) {
        static final String KEY = "mfagate.exchange";
        /** The canonical label, once read (attribute). */
        static final String LABEL = "mfagate.label";

        static Exchange of(Context ctx) {
            return ctx.attribute(KEY);
        }

        /** The route template when a guarded route matched, else the path as sent. */
        String route(Context ctx) {
            String route = ctx.attribute(ApiGuard.ROUTE);
            return route != null ? route : path;
        }

        RequestMeta meta(Context ctx) {
            return new RequestMeta(requestId, route(ctx), remoteAddress);
        }
    }
}
