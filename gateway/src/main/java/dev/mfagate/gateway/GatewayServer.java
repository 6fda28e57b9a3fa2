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
import dev.mfagate.gateway.http.ClientAddresses;
import dev.mfagate.gateway.http.ConnectionGuard;
import dev.mfagate.gateway.http.DroppedConnectionLog;
import dev.mfagate.gateway.http.MetricsServer;
import dev.mfagate.gateway.http.RequestHeaderTimeout;
import dev.mfagate.gateway.http.NetworkOptions;
import dev.mfagate.gateway.http.PemKeyStores;
import dev.mfagate.gateway.http.ErrorResponses;
import dev.mfagate.gateway.http.JsonErrorHandler;
import dev.mfagate.gateway.http.RequestIds;
import dev.mfagate.gateway.http.StoreFailures;
import io.javalin.Javalin;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
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
 * {@code GET /healthz}, {@code GET /readyz}, {@code GET /openapi.json}; Prometheus metrics on a
 * listener of their own ({@link MetricsServer}). Every request on an API route, whatever its method,
 * passes one guard (request id, bearer token) and ends in one audit entry (any method but
 * {@code GET} gets 405 once authenticated); errors are typed {@link ApiException}s mapped to JSON in
 * one place. A code is returned only after its audit entry is committed. Connections are refused
 * at accept when their address is not allowed or holds too many ({@link ConnectionGuard}), and
 * closed when a request does not arrive whole in time ({@link RequestHeaderTimeout}).
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private static final String RECORD = "mfagate.request";
    /** The API description, served as it is in the {@code api} module. */
    private static final byte[] OPENAPI = loadOpenApi();
    /** How long a stop waits for in-flight requests. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
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
     * @param network address allow-list, trusted proxies, TLS, connection limits and timeouts
     * @param metrics where the Prometheus metrics listener binds, or null for none
     */
    public record Settings(String host, int port, Duration nextCodeThreshold, boolean demo, long maxRequestBodyBytes,
                           NetworkOptions network, MetricsServer.Address metrics) {

        /** Settings with {@link NetworkOptions#defaults()} and no metrics listener. */
        public Settings(String host, int port, Duration nextCodeThreshold, boolean demo, long maxRequestBodyBytes) {
            this(host, port, nextCodeThreshold, demo, maxRequestBodyBytes, NetworkOptions.defaults());
        }

        /** Settings without a metrics listener. */
        public Settings(String host, int port, Duration nextCodeThreshold, boolean demo, long maxRequestBodyBytes,
                        NetworkOptions network) {
            this(host, port, nextCodeThreshold, demo, maxRequestBodyBytes, network, null);
        }

        /** Validates ranges. */
        public Settings {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Invalid port " + port + "; must be from 0 to 65535");
            }
            if (nextCodeThreshold.isNegative()) {
                throw new IllegalArgumentException("Invalid next-code threshold; must not be negative");
            }
            Objects.requireNonNull(network, "network");
            if (!network.tls() && !network.allowPlainHttpOffLoopback() && !isLoopback(host)) {
                throw new IllegalArgumentException("Refusing plain HTTP on " + host + ", which is not a loopback address: give"
                        + " --tls-cert and --tls-key, or --allow-plain-http when a TLS proxy or VPN is in front");
            }
        }

        private static boolean isLoopback(String host) {
            try {
                for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                    if (!a.isLoopbackAddress()) {
                        return false;
                    }
                }
                return true;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("Cannot resolve the listen address " + host);
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
     * @param metrics where counters and timers go ({@link GatewayMetrics#disabled()} for none)
     */
    public record Components(SeedLookup seeds, Authenticator authenticator, AccessControl access,
                             AuditRecorder audit, Clock clock, Readiness readiness, GatewayMetrics metrics) {
    }

    private final Settings settings;
    private final Components components;
    private final Javalin app;
    private final ClientAddresses addresses;
    private volatile MetricsServer metricsServer;
    private final java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean draining;

    /** Builds the server; nothing listens until {@link #start()}. */
    public GatewayServer(Settings settings, Components components) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.components = Objects.requireNonNull(components, "components");
        this.addresses = new ClientAddresses(settings.network());
        NetworkOptions net = settings.network();
        SslContextFactory.Server ssl = net.tls() ? sslContext(net) : null;
        // Dropped connections are counted and logged at most once a minute, never audited one by one.
        DroppedConnectionLog drops = new DroppedConnectionLog((drop, peer) -> components.metrics().connectionDropped(drop.reason()));
        ConnectionGuard guard = new ConnectionGuard(addresses, net.maxConnectionsPerAddress(), drops);
        RequestHeaderTimeout headerTimeout = new RequestHeaderTimeout(net.requestHeaderTimeout(), drops);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jetty.host = settings.host();
            cfg.jetty.port = settings.port();
            cfg.http.maxRequestSize = settings.maxRequestBodyBytes();
            cfg.http.defaultContentType = "application/json";
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new JsonErrorHandler(components.audit()::recordRejected));
                // Bounds what allowed clients can hold together; the guard bounds each address, the
                // header timeout each slow request, the idle timeout each silent connection.
                server.addBean(new NetworkConnectionLimit(net.maxConnections(), server));
                server.setStopTimeout(SHUTDOWN_GRACE.toMillis());
            });
            cfg.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                http.setRequestHeaderSize(8 * 1024);
                http.setIdleTimeout(net.idleTimeout().toMillis());
                if (ssl != null) {
                    http.addCustomizer(new SecureRequestCustomizer(false));
                }
                http.addCustomizer(headerTimeout);
            });
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector connector = ssl == null
                        ? new ServerConnector(server, new HttpConnectionFactory(http))
                        : new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                connector.setIdleTimeout(net.idleTimeout().toMillis());
                // Beans before the connector starts: it hands accept listeners to its selector manager then.
                connector.addBean(guard);
                connector.addBean(headerTimeout);
                return connector;
            });
            cfg.routes.before(this::beginRequest);
            cfg.routes.after(this::endRequest);
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(OPENAPI));
            cfg.routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")));
            cfg.routes.get("/readyz", ctx -> {
                Readiness.Report report = components.readiness().report();
                ctx.status(report.ready() ? 200 : 503).json(java.util.Map.of("status", report.status(), "checks", report.checks()));
            });
            apiRoute(cfg.routes, "/totp/{client}/{service}", this::totp);
            apiRoute(cfg.routes, "/code", this::code);
            apiRoute(cfg.routes, "/labels", this::labels);
            cfg.routes.exception(ApiException.class, this::onApiException);
            cfg.routes.exception(Exception.class, this::onUnexpected);
            cfg.routes.error(404, ctx -> onBareStatus(ctx, 404));
            cfg.routes.error(405, ctx -> onBareStatus(ctx, 405));
            cfg.routes.error(413, ctx -> onBareStatus(ctx, 413));
        });
    }

    /**
     * {@code GET path} runs {@code handler}; every other method of the HTTP method registry gets
     * the guard (a token is needed) and then 405, audited like any refusal. Without these, Javalin
     * would answer {@code HEAD} itself (200, no token, no audit) and other methods with 404.
     */
    private void apiRoute(io.javalin.router.JavalinDefaultRoutingApi routes, String path, Handler handler) {
        routes.get(path, handler);
        for (HandlerType method : HandlerType.values()) {
            if (method.isHttpMethod() && !method.equals(HandlerType.GET)) {
                routes.addHttpHandler(method, path, ctx -> methodNotAllowed(ctx, path));
            }
        }
    }

    private void methodNotAllowed(Context ctx, String route) {
        RequestRecord rec = ctx.attribute(RECORD);
        rec.route = route;
        authenticate(ctx, rec);
        ctx.header("Allow", "GET");
        throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "Only GET is allowed on " + route);
    }

    private static byte[] loadOpenApi() {
        try (var in = dev.mfagate.api.ErrorCode.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the api module");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts listening, on the metrics listener too when one is configured. */
    public GatewayServer start() {
        app.start();
        if (settings.metrics() != null) {
            try {
                metricsServer = MetricsServer.start(settings.metrics(), components.metrics()::scrape);
            } catch (RuntimeException e) {
                app.stop();
                throw e;
            }
        }
        return this;
    }

    /** The bound port. */
    public int port() {
        return app.port();
    }

    /** The bound port of the metrics listener, or empty when there is none. */
    public java.util.OptionalInt metricsPort() {
        MetricsServer m = metricsServer;
        return m == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(m.port());
    }

    /**
     * Stops gracefully: new requests get 503 {@code shutting_down}, requests in flight finish (up to
     * {@link #SHUTDOWN_GRACE}), then the listener closes.
     */
    @Override
    public void close() {
        draining = true;
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        while (inFlight.sum() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
        MetricsServer m = metricsServer;
        if (m != null) {
            m.close();
        }
    }

    /** The HTTP methods Javalin knows; any other token is a method too, and is refused on every path. */
    private static final java.util.Set<HandlerType> KNOWN_METHODS = HandlerType.values().stream()
            .filter(HandlerType::isHttpMethod).collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final java.util.Set<String> UNAUDITED = java.util.Set.of("/healthz", "/readyz", "/openapi.json");
    private static final java.util.Set<String> ROUTES = java.util.Set.of("/healthz", "/readyz", "/openapi.json",
            "/totp/{client}/{service}", "/code", "/labels");

    private void endRequest(Context ctx) {
        RequestRecord rec = ctx.attribute(RECORD);
        if (rec != null) {
            inFlight.decrement();
            // Unmatched paths share one series, so junk paths cannot explode the metric's cardinality.
            String route = ROUTES.contains(rec.route) ? rec.route : "other";
            // Methods outside the registry share one series too: any token is a valid method name.
            String method = KNOWN_METHODS.contains(ctx.method()) ? ctx.method().name() : "other";
            components.metrics().httpRequest(route, method, ctx.statusCode(), System.nanoTime() - rec.startNanos);
        }
        org.slf4j.MDC.remove("request_id");
    }

    private void beginRequest(Context ctx) {
        String requestId = RequestIds.acceptOrCreate(ctx.header(OnBehalfOf.REQUEST_ID));
        org.slf4j.MDC.put("request_id", requestId);
        ctx.header(OnBehalfOf.REQUEST_ID, requestId);
        ctx.header("Cache-Control", "no-store");
        if (settings.network().tls()) {
            ctx.header("Strict-Transport-Security", "max-age=31536000");
        }
        // Every X-Forwarded-For line, in order: a proxy may append its own line after the client's.
        String client = addresses.client(ctx.req().getRemoteAddr(), java.util.Collections.list(ctx.req().getHeaders("X-Forwarded-For")));
        RequestRecord rec = new RequestRecord(requestId, routeOf(ctx), client, components.clock().instant());
        inFlight.increment();
        ctx.attribute(RECORD, rec);
        if (draining) {
            throw new ApiException(ErrorCode.SHUTTING_DOWN, "The gateway is shutting down; retry, or use another instance",
                    Duration.ofSeconds(1));
        }
        if (!addresses.isAllowed(client)) {
            throw new ApiException(ErrorCode.ADDRESS_NOT_ALLOWED, "Your address is not on this gateway's allow-list");
        }
        if (!KNOWN_METHODS.contains(ctx.method())) {
            // No route is registered for a method outside the registry, so no route's guard would run.
            ctx.header("Allow", "GET");
            throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed; the API answers GET");
        }
    }

    private static SslContextFactory.Server sslContext(NetworkOptions net) {
        // Protects only the in-memory key store Jetty reads; random so nothing guessable is kept.
        char[] password = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16)).toCharArray();
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            ssl.setKeyStore(PemKeyStores.load(net.tlsCertificate(), net.tlsPrivateKey(), password));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Cannot read the TLS files: " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        ssl.setKeyStorePassword(new String(password));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }

    /** The path as sent, cut short: only routes' own handlers replace it with their template. */
    private static String routeOf(Context ctx) {
        String path = ctx.path();
        return path.length() > 128 ? path.substring(0, 128) + "..." : path;
    }

    private boolean isAudited(RequestRecord rec) {
        return !UNAUDITED.contains(rec.route);
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
            components.metrics().codeIssued(label.value());
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
        if (code.httpStatus() >= 400 && code.httpStatus() < 500 && code != ErrorCode.NOT_FOUND) {
            String reason = rec != null && rec.reason != null ? rec.reason : code.wireCode();
            components.metrics().denied(reason);
            if (code == ErrorCode.RATE_LIMITED || code == ErrorCode.DAILY_CAP_REACHED || code == ErrorCode.LOCKED_OUT) {
                components.metrics().rateLimitHit(reason);
            }
        }
        e.retryAfter().ifPresent(d -> ctx.header("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        writeError(ctx, code, e.getMessage(), code == e.code() ? e.dailyCap() : null);
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
        if (e instanceof dev.mfagate.core.crypto.SeedDecryptionException sde
                && sde.reason() == dev.mfagate.core.crypto.SeedDecryptionException.Reason.KEK_NOT_HELD) {
            // A rotation or key migration made elsewhere: the store already tried a reload of the keys.
            LOG.warn("Key unavailable in request {}: {}", id, sde.getMessage());
            onApiException(new ApiException(ErrorCode.KEY_UNAVAILABLE, "The seed is wrapped under a key-encryption key"
                    + " this instance has not loaded yet, so no code is issued; it reloads its keys: retry shortly",
                    Duration.ofSeconds(2)), ctx);
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

    private void writeError(Context ctx, ErrorCode code, String message, Integer dailyCap) {
        RequestRecord rec = ctx.attribute(RECORD);
        ctx.attribute("mfagate.error", code);
        ctx.status(HttpStatus.forStatus(code.httpStatus()));
        ctx.contentType("application/json");
        ctx.result(ErrorResponses.body(code, message, rec == null ? null : rec.requestId, dailyCap));
    }

    private static String outcomeOf(ErrorCode code) {
        return switch (code) {
            case UNAUTHENTICATED -> "UNAUTHENTICATED";
            case FORBIDDEN, ON_BEHALF_NOT_PERMITTED, ADDRESS_NOT_ALLOWED, UNKNOWN_LABEL -> "DENIED";
            case RATE_LIMITED, DAILY_CAP_REACHED -> "RATE_LIMITED";
            case LOCKED_OUT -> "LOCKED_OUT";
            case INTERNAL_ERROR, AUDIT_UNAVAILABLE, STORE_UNAVAILABLE, KEY_UNAVAILABLE, SHUTTING_DOWN -> "FAILED";
            default -> "MALFORMED";
        };
    }
}
