package dev.mfagate.gateway;

import dev.mfagate.api.CodeResponse;
import dev.mfagate.api.ErrorCode;
import dev.mfagate.api.LabelsResponse;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.api.TotpResponse;
import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.core.totp.TotpWindow;
import dev.mfagate.gateway.http.ApiException;
import dev.mfagate.gateway.http.ErrorResponses;
import dev.mfagate.gateway.http.JsonErrorHandler;
import dev.mfagate.gateway.http.RequestIds;
import dev.mfagate.gateway.http.StoreFailures;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server: Javalin on Jetty with virtual threads.
 *
 * <p>Routes: {@code GET /totp/{client}/{service}}, {@code GET /code?label=}, {@code GET /labels},
 * {@code GET /healthz}. Every API request passes one guard (request id, bearer token) and ends
 * in one audit entry; errors are typed {@link ApiException}s mapped to JSON in one place. A code is
 * returned only after its audit entry is committed.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private static final String RECORD = "mfagate.request";
    /** The one caller of demo mode: any label, directly or on behalf. */
    private static final Subject.Token DEMO_TOKEN = new Subject.Token("demo", LabelPattern.ALL, true);

    /**
     * Server settings.
     *
     * @param host the address to bind
     * @param port the port, 0 for any free port
     * @param nextCodeThreshold below this many seconds left, responses also carry the next code
     * @param demo whether requests need no token (demo mode only)
     * @param maxRequestBodyBytes the largest request body accepted
     */
    public record Settings(String host, int port, Duration nextCodeThreshold, boolean demo, long maxRequestBodyBytes) {
        /** Validates ranges. */
        public Settings {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Invalid port " + port + "; must be from 0 to 65535");
            }
            if (nextCodeThreshold.isNegative()) {
                throw new IllegalArgumentException("Invalid next-code threshold; must not be negative");
            }
        }
    }

    /**
     * What the server needs.
     *
     * @param seeds where seeds come from
     * @param authenticator bearer token to caller
     * @param access the policy decision point
     * @param audit the durable audit trail
     * @param clock the only clock the gateway reads
     * @param readiness the checks behind {@code /readyz}
     */
    public record Components(SeedLookup seeds, Authenticator authenticator, AccessControl access,
                             AuditRecorder audit, Clock clock, Readiness readiness) {
    }

    private final Settings settings;
    private final Components components;
    private final Javalin app;

    /** Builds the server; nothing listens until {@link #start()}. */
    public GatewayServer(Settings settings, Components components) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.components = Objects.requireNonNull(components, "components");
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.host = settings.host();
            cfg.jetty.port = settings.port();
            cfg.http.maxRequestSize = settings.maxRequestBodyBytes();
            cfg.http.defaultContentType = "application/json";
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            cfg.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                http.setRequestHeaderSize(8 * 1024);
            });
            cfg.routes.before(this::beginRequest);
            cfg.routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")));
            cfg.routes.get("/readyz", ctx -> {
                Readiness.Report report = components.readiness().report();
                ctx.status(report.ready() ? 200 : 503).json(java.util.Map.of("status", report.status(), "checks", report.checks()));
            });
            cfg.routes.get("/totp/{client}/{service}", this::totp);
            cfg.routes.get("/code", this::code);
            cfg.routes.get("/labels", this::labels);
            cfg.routes.exception(ApiException.class, this::onApiException);
            cfg.routes.exception(Exception.class, this::onUnexpected);
            cfg.routes.error(404, ctx -> onBareStatus(ctx, 404));
            cfg.routes.error(405, ctx -> onBareStatus(ctx, 405));
            cfg.routes.error(413, ctx -> onBareStatus(ctx, 413));
        });
    }

    /** Starts listening. */
    public GatewayServer start() {
        app.start();
        return this;
    }

    /** The bound port. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private void beginRequest(Context ctx) {
        String requestId = RequestIds.acceptOrCreate(ctx.header(OnBehalfOf.REQUEST_ID));
        ctx.header(OnBehalfOf.REQUEST_ID, requestId);
        ctx.header("Cache-Control", "no-store");
        RequestRecord rec = new RequestRecord(requestId, routeOf(ctx), ctx.ip(), components.clock().instant());
        ctx.attribute(RECORD, rec);
    }

    /** The path as sent, cut short: only routes' own handlers replace it with their template. */
    private static String routeOf(Context ctx) {
        String path = ctx.path();
        return path.length() > 128 ? path.substring(0, 128) + "..." : path;
    }

    private boolean isAudited(RequestRecord rec) {
        return !rec.route.equals("/healthz") && !rec.route.equals("/readyz");
    }

    private Subject.Token authenticate(Context ctx, RequestRecord rec) {
        if (settings.demo()) {
            rec.tokenId = DEMO_TOKEN.tokenId();
            return DEMO_TOKEN;
        }
        String auth = ctx.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() > 512) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "Send Authorization: Bearer <token>");
        }
        String token = auth.substring(7).strip();
        Subject.Token t = components.authenticator().authenticate(token, components.clock().instant())
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED, "Unknown, expired or revoked token"));
        rec.tokenId = t.tokenId();
        return t;
    }

    /** The subject of the request: the token, and the user it acts for when the headers name one. */
    private Subject subject(Context ctx, Subject.Token token, RequestRecord rec) {
        Optional<Subject.OnBehalf> ob = OnBehalfHeaders.fromHeaders(ctx::header);
        if (ob.isEmpty()) {
            return Subject.direct(token);
        }
        rec.onBehalf = ob.get();
        if (!token.mayActOnBehalf()) {
            throw new ApiException(ErrorCode.ON_BEHALF_NOT_PERMITTED, "This token may not act on behalf of users");
        }
        return Subject.onBehalf(token, ob.get());
    }

    private void totp(Context ctx) {
        RequestRecord rec = ctx.attribute(RECORD);
        rec.route = "/totp/{client}/{service}";
        Subject.Token token = authenticate(ctx, rec);
        Label label = parseLabel(rec, ctx.pathParam("client"), ctx.pathParam("service"));
        TotpWindow w = issue(rec, subject(ctx, token, rec), label);
        Integer nextValid = w.nextCode().isPresent() ? (int) w.periodSeconds() : null;
        ctx.json(new TotpResponse(label.client(), label.service(), w.code(), w.validForSeconds(),
                w.timestamp().truncatedTo(ChronoUnit.SECONDS).toString(), w.nextCode().orElse(null), nextValid));
    }

    private void code(Context ctx) {
        RequestRecord rec = ctx.attribute(RECORD);
        rec.route = "/code";
        Subject.Token token = authenticate(ctx, rec);
        List<String> values = ctx.queryParams("label");
        if (values.size() != 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "Give exactly one label query parameter, for example ?label=acme-aws");
        }
        Label label = parseLabel(rec, values.get(0));
        TotpWindow w = issue(rec, subject(ctx, token, rec), label);
        Integer nextValid = w.nextCode().isPresent() ? (int) w.periodSeconds() : null;
        ctx.json(new CodeResponse(w.code(), w.periodSeconds(), w.validForSeconds(), w.nextCode().orElse(null), nextValid));
    }

    private void labels(Context ctx) {
        RequestRecord rec = ctx.attribute(RECORD);
        rec.route = "/labels";
        Subject subject = subject(ctx, authenticate(ctx, rec), rec);
        Instant now = components.clock().instant();
        List<String> allowed = components.access().allowed(subject, components.seeds().labels(), now)
                .stream().map(Label::value).toList();
        components.audit().recordDurably(rec, "ALLOWED", "list_labels");
        rec.audited = true;
        ctx.json(new LabelsResponse(allowed));
    }

    private Label parseLabel(RequestRecord rec, String client, String service) {
        try {
            Label label = new Label(client, service);
            rec.label = label.value();
            return label;
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_LABEL, e.getMessage());
        }
    }

    private Label parseLabel(RequestRecord rec, String text) {
        try {
            Label label = Label.parse(text);
            rec.label = label.value();
            return label;
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_LABEL, e.getMessage());
        }
    }

    /** Authorise, find the seed, commit the audit entry, and only then compute the code. */
    private TotpWindow issue(RequestRecord rec, Subject subject, Label label) {
        Instant now = components.clock().instant();
        // Authorise before looking the label up, so a caller cannot learn which labels exist.
        components.access().authorize(rec, subject, label, now);
        TotpSeed seed = components.seeds().find(label)
                .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_LABEL, "No seed has the label " + label.value()));
        try {
            components.audit().recordDurably(rec, "ALLOWED", "code_issued");
            rec.audited = true;
            return TotpGenerator.window(seed, now, settings.nextCodeThreshold());
        } finally {
            seed.destroy();
        }
    }

    private void onApiException(ApiException e, Context ctx) {
        RequestRecord rec = ctx.attribute(RECORD);
        ErrorCode code = e.code();
        // When the audit trail itself is down there is nowhere to record the refusal; the log has it.
        if (rec != null && !rec.audited && isAudited(rec) && code != ErrorCode.AUDIT_UNAVAILABLE) {
            try {
                components.audit().recordDurably(rec, outcomeOf(code), code.wireCode());
                rec.audited = true;
            } catch (ApiException auditDown) {
                code = auditDown.code();
                e = auditDown;
            }
        }
        e.retryAfter().ifPresent(d -> ctx.header("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        writeError(ctx, code, e.getMessage());
    }

    private void onUnexpected(Exception e, Context ctx) {
        RequestRecord rec = ctx.attribute(RECORD);
        String id = rec == null ? null : rec.requestId;
        if (StoreFailures.isStoreFailure(e)) {
            // The database is away (restart, network, pool timeout): fail closed with a 503 that says so.
            LOG.warn("Store unavailable in request {}: {}", id, StoreFailures.describe(e));
            onApiException(new ApiException(ErrorCode.STORE_UNAVAILABLE,
                    "The store is unavailable, so no code is issued; try again shortly", Duration.ofSeconds(2)), ctx);
            return;
        }
        // The message of an unexpected exception may carry anything; log its type and stack, never send it.
        LOG.error("Unexpected failure in request {}", id, e);
        onApiException(new ApiException(ErrorCode.INTERNAL_ERROR, ErrorResponses.messageFor(ErrorCode.INTERNAL_ERROR)), ctx);
    }

    private void onBareStatus(Context ctx, int status) {
        if (ctx.attribute("mfagate.error") != null) {
            return;
        }
        ErrorCode code = ErrorResponses.forStatus(status);
        onApiException(new ApiException(code, ErrorResponses.messageFor(code)), ctx);
    }

    private void writeError(Context ctx, ErrorCode code, String message) {
        RequestRecord rec = ctx.attribute(RECORD);
        ctx.attribute("mfagate.error", code);
        ctx.status(HttpStatus.forStatus(code.httpStatus()));
        ctx.contentType("application/json");
        ctx.result(ErrorResponses.body(code, message, rec == null ? null : rec.requestId));
    }

    private static String outcomeOf(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> "UNAUTHENTICATED";
            case FORBIDDEN, ON_BEHALF_NOT_PERMITTED, ADDRESS_NOT_ALLOWED, UNKNOWN_LABEL -> "DENIED";
            case RATE_LIMITED -> "RATE_LIMITED";
            case LOCKED_OUT -> "LOCKED_OUT";
            case INTERNAL_ERROR, AUDIT_UNAVAILABLE, STORE_UNAVAILABLE -> "FAILED";
            default -> "MALFORMED";
        };
    }
}
