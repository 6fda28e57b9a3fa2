package dev.mfagate.gateway;

import dev.mfagate.api.CodeResponse;
import dev.mfagate.api.LabelsResponse;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.api.TotpResponse;
import dev.mfagate.core.Label;
import dev.mfagate.core.issue.CodeIssuer;
import dev.mfagate.core.issue.Door;
import dev.mfagate.core.issue.IssueResult;
import dev.mfagate.core.issue.LabelsResult;
import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.core.issue.Requester;
import dev.mfagate.core.totp.TotpWindow;
import dev.mfagate.gateway.ApiErrors.Exchange;
import dev.mfagate.gateway.http.ApiException;
import dev.mfagate.gateway.http.ClientAddresses;
import dev.mfagate.gateway.http.ConnectionGuard;
import dev.mfagate.gateway.http.JettySetup;
import dev.mfagate.gateway.http.JsonBodies;
import dev.mfagate.gateway.http.MetricsServer;
import dev.mfagate.gateway.http.NetworkOptions;
import dev.mfagate.gateway.http.RequestHeaderTimeout;
import dev.mfagate.gateway.http.RequestIds;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.servlet.JavalinServlet;
import io.javalin.http.servlet.ServletEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The gateway's HTTP server: Javalin on Jetty with virtual threads, and nothing but the HTTP side
 * of the API. Routes: {@code GET /totp/{client}/{service}}, {@code GET /code?label=},
 * {@code GET /labels}, {@code GET /healthz}, {@code GET /readyz}, {@code GET /openapi.json},
 * the admin API under {@code /api/v1/} ({@link AdminRoutes}, behind the same guard), and the web
 * console under {@code /console} when configured ({@link dev.mfagate.gateway.console.Console});
 * Prometheus metrics on a listener of their own ({@link MetricsServer}).
 *
 * <p>The request path:
 * <pre>
 * before (every request)   request id, client address, draining, allow-list, known method
 * ApiGuard (API routes,     token, on-behalf headers (400 invalid_on_behalf before the label is
 *   every method)           read) -> Requester in the context
 * handler                   label -> CodeIssuer.issue -> Issued: JSON | Refused: ApiException
 * ApiErrors                 audit a door's own refusal, count, JSON error via ErrorMapping
 * </pre>
 * {@code /totp} and {@code /code} differ only in how the label is read and the response shaped.
 * A code is returned only after its audit entry is committed (the issuer sees to it). Jetty, TLS
 * and connection limits are set up by {@link JettySetup}; connections are refused at accept when
 * their address is not allowed or holds too many ({@link ConnectionGuard}), and closed when a
 * request does not arrive whole in time ({@link RequestHeaderTimeout}).
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {

    static {
        // Jetty pads its queues to the cache line, and without this property asks the JVM whether
        // references are compressed through the platform MBean server, which registers every
        // platform MBean first (about 0.1 s and 300 classes at start, for one boolean). Heaps below
        // 32 GB use compressed references; the value only sizes padding, never behaviour.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            boolean compressed = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            int longsPerLine = Integer.getInteger("org.eclipse.jetty.util.cacheLineBytes", 64) / Long.BYTES;
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine",
                    Integer.toString(compressed ? longsPerLine * 2 : longsPerLine));
        }
    }

    /** The API description, served as it is in the {@code api} module. */
    private static final byte[] OPENAPI = loadOpenApi();
    /** How long a stop waits for in-flight requests. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
    private static final String TOTP_ROUTE = "/totp/{client}/{service}";
    private static final String CODE_ROUTE = "/code";
    private static final String LABELS_ROUTE = "/labels";
    /** The HTTP methods Javalin knows; any other token is a method too, and is refused on every path. */
    private static final Set<HandlerType> KNOWN_METHODS = HandlerType.values().stream()
            .filter(HandlerType::isHttpMethod).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> ROUTES = routes();

    private static Set<String> routes() {
        Set<String> routes = new java.util.HashSet<>(Set.of("/healthz", "/readyz", "/openapi.json", TOTP_ROUTE, CODE_ROUTE,
                LABELS_ROUTE, "/console", "/console/login", "/console/callback", "/console/codes", "/console/codes/reveal",
                "/console/logout", "/console/enrol", "/console/enrol/labels", "/console/audit"));
        routes.addAll(AdminRoutes.ROUTES.keySet());
        routes.addAll(dev.mfagate.gateway.console.Console.PASSKEY_ROUTES);
        routes.addAll(dev.mfagate.gateway.console.Console.ADMIN_PAGE_ROUTES);
        return Set.copyOf(routes);
    }

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
     * @param issuer the code issuer: policy, limits, audit and codes
     * @param authenticator bearer token to caller
     * @param clock the only clock the gateway reads
     * @param readiness the checks behind {@code /readyz}
     * @param metrics where counters and timers go ({@link GatewayMetrics#disabled()} for none)
     * @param admin the services behind the admin API ({@link AdminRoutes})
     * @param console the web console, or null when it is not configured
     */
    public record Components(CodeIssuer issuer, Authenticator authenticator, Clock clock, Readiness readiness,
                             GatewayMetrics metrics, dev.mfagate.core.admin.AdminServices admin,
                             dev.mfagate.gateway.console.Console console) {

        /** Validates; {@code console} may be null (no web console). */
        public Components {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(authenticator, "authenticator");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(readiness, "readiness");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(admin, "admin");
        }
    }

    private final Settings settings;
    private final Components components;
    private final Javalin app;
    private final ClientAddresses addresses;
    private final ApiErrors errors;
    private volatile MetricsServer metricsServer;
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean draining;

    /** Builds the server; nothing listens until {@link #start()}. */
    public GatewayServer(Settings settings, Components components) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.components = Objects.requireNonNull(components, "components");
        this.addresses = new ClientAddresses(settings.network());
        this.errors = new ApiErrors(components.issuer(), components.metrics(), components.clock());
        ApiGuard guard = new ApiGuard(components.authenticator(), components.clock(), settings.demo());
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.defaultContentType = "application/json";
            // Javalin's servlet alone: the gateway has no WebSocket route, and Javalin's default wraps
            // it in Jetty's WebSocket servlet, whose container initialiser sets WebSocket components
            // up at every start (about 90 classes, their pools and extension registry) for nothing.
            cfg.unsafe.servlet = kotlin.LazyKt.lazy(() -> new ServletEntry(null, new JavalinServlet(cfg.unsafe)));
            JettySetup.apply(cfg, settings.host(), settings.port(), settings.maxRequestBodyBytes(), settings.network(),
                    addresses, (remote, reason, requestId) -> components.issuer().recordRejected(reason, requestId, remote,
                            components.clock().instant()),
                    components.metrics()::connectionDropped, SHUTDOWN_GRACE);
            cfg.routes.before(this::beginRequest);
            cfg.routes.after(this::endRequest);
            PathGuards guards = new PathGuards(cfg.router);
            cfg.routes.before(guards::handle);
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(OPENAPI));
            cfg.routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")));
            cfg.routes.get("/readyz", ctx -> {
                // Open to anyone who reaches the port: tenant keys are counted, never named (the Health page names them).
                Readiness.Report report = components.readiness().report(false);
                ctx.status(report.ready() ? 200 : 503).json(java.util.Map.of("status", report.status(), "checks", report.checks()));
            });
            for (String route : List.of(TOTP_ROUTE, CODE_ROUTE, LABELS_ROUTE)) {
                // Every method passes the guard, and any but GET is refused by it (405) before Javalin
                // routes the request: Javalin would otherwise answer HEAD with the GET handler and
                // other methods with 404.
                guards.add(route, guard.forRoute(route), Set.of(HandlerType.GET), ctx -> {
                    ctx.header("Allow", "GET");
                    throw ApiException.atDoor(RefusalReason.METHOD_NOT_ALLOWED, "Only GET is allowed on " + route);
                });
            }
            cfg.routes.get(TOTP_ROUTE, ctx -> {
                Label label = readLabel(ctx, () -> new Label(ctx.pathParam("client"), ctx.pathParam("service")));
                TotpWindow w = issue(ctx, label, Door.API_TOTP);
                JsonBodies.write(ctx, new TotpResponse(label.client(), label.service(), w.code(), w.validForSeconds(),
                        w.timestamp().truncatedTo(ChronoUnit.SECONDS).toString(), w.nextCode().orElse(null), nextValid(w)));
            });
            cfg.routes.get(CODE_ROUTE, ctx -> {
                List<String> values = ctx.queryParams("label");
                if (values.size() != 1) {
                    throw ApiException.atDoor(RefusalReason.BAD_REQUEST,
                            "Give exactly one label query parameter, for example ?label=acme-aws");
                }
                TotpWindow w = issue(ctx, readLabel(ctx, () -> Label.parse(values.get(0))), Door.API_CODE);
                JsonBodies.write(ctx, new CodeResponse(w.code(), w.periodSeconds(), w.validForSeconds(), w.nextCode().orElse(null),
                        nextValid(w)));
            });
            ListGate lists = new ListGate();
            cfg.routes.get(LABELS_ROUTE, lists.gated(ctx -> {
                LabelsResult result = components.issuer().listLabels(ApiGuard.requester(ctx), components.clock().instant(),
                        Exchange.of(ctx).meta(ctx));
                switch (result) {
                    // Written before the turn is given back, so that no more lists than the gate lets run are held.
                    case LabelsResult.Listed listed ->
                            JsonBodies.write(ctx, new LabelsResponse(listed.labels().stream().map(Label::value).toList()));
                    case IssueResult.Refused refused -> throw ApiException.audited(refused);
                }
            }));
            new AdminRoutes(components.admin(), components.clock(), settings.maxRequestBodyBytes(), components.console(), lists)
                    .register(cfg, guards, guard);
            if (components.console() != null) {
                components.console().register(cfg, guards::add, ctx -> Exchange.of(ctx).meta(ctx));
                components.console().registerAdminPages(cfg, ctx -> Exchange.of(ctx).meta(ctx), components.admin(),
                        components.readiness()::report);
            }
            cfg.routes.exception(ApiException.class, errors::onApiException);
            cfg.routes.exception(Exception.class, errors::onUnexpected);
            for (int status : new int[] {404, 405, 413}) {
                cfg.routes.error(status, ctx -> onBareStatus(cfg, ctx, status));
            }
        });
    }

    /**
     * A status the router set with no page or body of the gateway's: the console answers its own paths
     * with a page (a GET of a form's address is a 405 there, which Javalin would call a missing
     * endpoint), everything else is the API's JSON error.
     */
    private void onBareStatus(io.javalin.config.JavalinConfig cfg, Context ctx, int status) {
        String path = ctx.path().substring(Math.min(ctx.contextPath().length(), ctx.path().length()));
        if (components.console() == null || Exchange.of(ctx) == null || !dev.mfagate.gateway.console.Console.owns(path)) {
            errors.onBareStatus(ctx, status);
            return;
        }
        Set<String> allowed = new java.util.TreeSet<>();
        for (HandlerType method : List.of(HandlerType.GET, HandlerType.POST)) {
            if (method != ctx.method() && cfg.unsafe.internalRouter.hasHttpHandlerEntry(method, path)) {
                allowed.add(method.name());
            }
        }
        components.console().onBareStatus(ctx, status, allowed, Exchange.of(ctx).meta(ctx));
    }

    /** The one path of {@code /totp} and {@code /code}: the issuer decides, audits and computes. */
    private TotpWindow issue(Context ctx, Label label, Door routeDoor) {
        Requester.ApiCaller requester = ApiGuard.requester(ctx);
        Door door = requester.subject().isOnBehalf() ? Door.BOT : routeDoor;
        IssueResult result = components.issuer().issue(new CodeIssuer.Request(requester, label, door,
                components.clock().instant(), Exchange.of(ctx).meta(ctx)));
        return switch (result) {
            case IssueResult.Issued issued -> {
                components.metrics().codeIssued(label.value());
                yield issued.window();
            }
            case IssueResult.Refused refused -> throw ApiException.audited(refused);
        };
    }

    /** Reads the label, after the guard: 400 {@code invalid_label} when it breaks the rule. */
    private static Label readLabel(Context ctx, Supplier<Label> parse) {
        try {
            Label label = parse.get();
            ctx.attribute(Exchange.LABEL, label.value());
            return label;
        } catch (IllegalArgumentException e) {
            throw ApiException.atDoor(RefusalReason.INVALID_LABEL, e.getMessage());
        }
    }

    private static Integer nextValid(TotpWindow w) {
        return w.nextCode().isPresent() ? (int) w.periodSeconds() : null;
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
        try {
            app.start();
        } catch (io.javalin.util.JavalinBindException e) {
            // Javalin's and Jetty's messages name only the port; the innermost cause (a BindException) says why.
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            boolean taken = String.valueOf(cause.getMessage()).contains("in use");
            throw new IllegalStateException("Cannot listen on " + settings.host() + ":" + settings.port() + " ("
                    + cause.getMessage() + "); " + (taken ? "give another --port, or stop what holds it"
                    : "give a --host that is an address of this machine"));
        }
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
        // The path as sent, cut short: only guarded routes replace it with their template.
        String path = ctx.path().length() > 128 ? ctx.path().substring(0, 128) + "..." : ctx.path();
        inFlight.increment();
        ctx.attribute(Exchange.KEY, new Exchange(requestId, path, client, System.nanoTime()));
        if (draining) {
            throw ApiException.atDoor(RefusalReason.SHUTTING_DOWN, "The gateway is shutting down; retry, or use another instance",
                    Duration.ofSeconds(1));
        }
        if (!addresses.isAllowed(client)) {
            throw ApiException.atDoor(RefusalReason.ADDRESS_NOT_ALLOWED, "Your address is not on this gateway's allow-list");
        }
        if (!KNOWN_METHODS.contains(ctx.method())) {
            // No route is registered for a method outside the registry, so no route's guard would run.
            ctx.header("Allow", "GET");
            throw ApiException.atDoor(RefusalReason.METHOD_NOT_ALLOWED, "Method not allowed; the API answers GET");
        }
    }

    private void endRequest(Context ctx) {
        Exchange ex = Exchange.of(ctx);
        if (ex != null) {
            inFlight.decrement();
            // Unmatched paths share one series, so junk paths cannot explode the metric's cardinality.
            String route = ex.route(ctx);
            route = ROUTES.contains(route) ? route : "other";
            // Methods outside the registry share one series too: any token is a valid method name.
            String method = KNOWN_METHODS.contains(ctx.method()) ? ctx.method().name() : "other";
            components.metrics().httpRequest(route, method, ctx.statusCode(), System.nanoTime() - ex.startNanos());
        }
        org.slf4j.MDC.remove("request_id");
    }
}
