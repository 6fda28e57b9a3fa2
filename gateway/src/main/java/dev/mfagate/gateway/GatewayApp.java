package dev.mfagate.gateway;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.issue.AccessPolicy;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.issue.CodeIssuer;
import dev.mfagate.core.issue.SeedSource;
import dev.mfagate.core.policy.Authorizer;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.ratelimit.RateLimiter;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpSeed;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The running gateway: the store, the audit log, the policy and the HTTP server, wired once.
 *
 * <p>Lifecycle: {@link Builder#start()} opens; {@link #close} stops accepting requests and lets in-flight
 * ones finish, then drains the audit log (every queued entry committed) and closes the store.
 */
public final class GatewayApp implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GatewayApp.class);

    /**
     * How the gateway decides and limits.
     *
     * @param rateLimits per principal+label, per principal and per token
     * @param lockout how many denials lock a principal out, and for how long
     * @param instanceId names this process in audit entries
     * @param metricsEnabled whether Prometheus metrics are recorded (served on the metrics listener of
     *                       {@link GatewayServer.Settings#metrics()}, if any)
     * @param ntp the NTP server to compare the clock with, or null for no check
     * @param maxClockSkew the largest skew before readiness turns degraded
     */
    public record Options(RateLimitConfig rateLimits, LockoutPolicy lockout, String instanceId, boolean metricsEnabled,
                          String ntp, Duration maxClockSkew) {

        /** Options without a clock check. */
        public Options(RateLimitConfig rateLimits, LockoutPolicy lockout, String instanceId, boolean metricsEnabled) {
            this(rateLimits, lockout, instanceId, metricsEnabled, null, Duration.ofSeconds(5));
        }
        /** Validates presence. */
        public Options {
            Objects.requireNonNull(rateLimits, "rateLimits");
            Objects.requireNonNull(lockout, "lockout");
            Objects.requireNonNull(instanceId, "instanceId");
        }

        /** Documented defaults; the instance id is this host's name. */
        public static Options defaults() {
            return new Options(RateLimitConfig.defaults(), LockoutPolicy.defaults(), defaultInstanceId(), true);
        }

        static String defaultInstanceId() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid();
            } catch (java.net.UnknownHostException e) {
                return "pid:" + ProcessHandle.current().pid();
            }
        }
    }

    private final Store store;
    private final AuditLog auditLog;
    private final GatewayServer server;
    private final ClockCheck clockCheck;
    private final KeyProviderCheck keyCheck;

    private GatewayApp(Store store, AuditLog auditLog, GatewayServer server, ClockCheck clockCheck,
                       KeyProviderCheck keyCheck) {
        this.store = store;
        this.auditLog = auditLog;
        this.server = server;
        this.clockCheck = clockCheck;
        this.keyCheck = keyCheck;
    }

    /**
     * The classes whose initialisation a start of the HTTP server waits for (Javalin's, Jetty's, the
     * JSON mappers', the metrics registry's), loaded and initialised before the server is built.
     */
    static final List<String> SERVER_CLASSES = List.of(
            // First: its initialiser sets the Jetty property that keeps Jetty from starting the
            // platform MBean server, before any Jetty class reads it.
            "dev.mfagate.gateway.GatewayServer",
            "io.javalin.Javalin", "io.javalin.json.JavalinJackson", "org.eclipse.jetty.server.Server",
            "org.eclipse.jetty.server.ServerConnector", "org.eclipse.jetty.http.MimeTypes",
            "org.eclipse.jetty.http.HttpParser", "org.eclipse.jetty.http.HttpGenerator",
            "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
            "dev.mfagate.gateway.http.ErrorResponses", "dev.mfagate.gateway.AdminRoutes");

    /**
     * Initialises the server's libraries (static initialisers only: no socket, no store, nothing
     * configured), for {@code serve}'s start-up thread, which runs it while the store opens. A class
     * that fails here fails again, and is reported, where the server is built.
     *
     * <p>Then it does, on that thread, what the first code request would otherwise do itself after
     * the server listens: it builds the JSON serializers of the code responses (from samples that
     * hold no code or seed) and starts one virtual thread, which sets up the scheduler the request
     * handlers run on. Nothing is served or stored by it.
     */
    public static void preload() {
        ClassLoader loader = GatewayApp.class.getClassLoader();
        for (String name : SERVER_CLASSES) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // Reported where the server is built.
            }
        }
        dev.mfagate.gateway.http.JsonBodies.prepare(
                new dev.mfagate.api.TotpResponse("sample", "sample", "", 30, "1970-01-01T00:00:00Z", null, null),
                new dev.mfagate.api.CodeResponse("", 30, 30, null, null));
        try {
            Thread.ofVirtual().name("mfagate-preload-virtual").start(() -> { }).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A builder for a gateway on {@code store}, which the gateway owns once it has started (or failed to). */
    public static Builder builder(Store store) {
        return new Builder(store);
    }

    /**
     * How a gateway is started: the store and the server settings are required; the rest has
     * defaults ({@link Options#defaults()}, no environment seeds, the system UTC clock). Not
     * thread-safe; {@link #start()} once.
     */
    public static final class Builder {
        private final Store store;
        private Map<Label, TotpSeed> environmentSeeds = Map.of();
        private GatewayServer.Settings settings;
        private Options options;
        private Clock clock = Clock.systemUTC();
        private java.util.function.UnaryOperator<AuditSink> auditDecorator = java.util.function.UnaryOperator.identity();
        private dev.mfagate.gateway.console.ConsoleSettings console;

        private Builder(Store store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Read-only seeds from the environment, served after the store's. */
        public Builder environmentSeeds(Map<Label, TotpSeed> v) {
            this.environmentSeeds = Objects.requireNonNull(v, "environmentSeeds");
            return this;
        }

        /** Where and how the server listens (required). */
        public Builder settings(GatewayServer.Settings v) {
            this.settings = v;
            return this;
        }

        /** Limits, lockout, instance id, metrics, clock check; {@link Options#defaults()} unless set. */
        public Builder options(Options v) {
            this.options = v;
            return this;
        }

        /** The one clock the gateway reads (tests pass a fixed one); the system UTC clock unless set. */
        public Builder clock(Clock v) {
            this.clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * Passes the audit sink through {@code decorator}. Only benchmarks that measure what the
         * audit trail costs replace it; no flag or setting reaches this.
         */
        public Builder auditSink(java.util.function.UnaryOperator<AuditSink> decorator) {
            this.auditDecorator = Objects.requireNonNull(decorator, "decorator");
            return this;
        }

        /** Serves the web console under {@code /console} with these settings; no console unless set. */
        public Builder console(dev.mfagate.gateway.console.ConsoleSettings v) {
            this.console = v;
            return this;
        }

        /** Wires and starts the gateway; on failure closes what it opened, the store included. */
        public GatewayApp start() {
            if (settings == null) {
                store.close();
                throw new IllegalStateException("A gateway needs settings (host, port, ...)");
            }
            return GatewayApp.start(store, environmentSeeds, settings, options == null ? Options.defaults() : options,
                    clock, auditDecorator, console);
        }
    }

    private static GatewayApp start(Store store, Map<Label, TotpSeed> environmentSeeds, GatewayServer.Settings settings,
                                    Options options, Clock clock, java.util.function.UnaryOperator<AuditSink> auditDecorator,
                                    dev.mfagate.gateway.console.ConsoleSettings consoleSettings) {
        AuditLog auditLog = null;
        ClockCheck clockCheck = null;
        KeyProviderCheck keyCheck = null;
        try {
            GatewayMetrics metrics = options.metricsEnabled() ? GatewayMetrics.prometheus() : GatewayMetrics.disabled();
            dev.mfagate.core.StartupTrace.mark("gateway: metrics");
            StoreHealth health = new StoreHealth(store.database());
            AuditProbe auditProbe = new AuditProbe(store, health);
            auditLog = AuditLog.builder(store.database(), store.keyring().auditMac())
                    .listener(new dev.mfagate.core.audit.AuditLogListener() {
                        @Override
                        public void batchCommitted(int entries, java.time.Duration commitTime) {
                            health.batchCommitted(entries, commitTime);
                            auditProbe.batchCommitted();
                            metrics.batchCommitted(entries, commitTime);
                        }

                        @Override
                        public void batchFailed(int entries, Exception cause) {
                            health.batchFailed(entries, cause);
                            auditProbe.batchFailed();
                            metrics.batchFailed(entries, cause);
                        }
                    })
                    .build();
            auditProbe.log = auditLog;
            if (metrics.enabled()) {
                store.database().dataSource().setMetricRegistry(metrics.registry());
            }
            dev.mfagate.core.StartupTrace.mark("gateway: audit log");
            Readiness readiness = new Readiness()
                    .require("store", health::checkStore)
                    .require("keys", () -> store.keyring().kek() != null ? "ok" : "no key-encryption key")
                    .require("audit", auditProbe::state);
            // A tenant whose own key provider fails is refused (and logged as an ERROR) while the
            // others are served: one client's KMS outage or revoked key must not stop every client.
            Map<dev.mfagate.core.tenant.TenantId, String> tenantProblems = store.tenantKeys().loadAll();
            if (!tenantProblems.isEmpty()) {
                LOG.error("Starting without the keys of {} tenant(s) ({}): their codes are refused (503"
                        + " tenant_key_unavailable) until their providers answer; every other tenant is served",
                        tenantProblems.size(), String.join(", ", tenantProblems.keySet().stream().map(Object::toString).toList()));
            }
            keyCheck = new KeyProviderCheck(store.keyring(), store.tenantKeys()::check,
                    KeyProviderCheck.configuredInterval()).start();
            readiness.degradeOn("key_provider", keyCheck::state);
            readiness.degradeOnEach("tenant_key", () -> {
                Map<String, String> states = new java.util.TreeMap<>();
                store.tenantKeys().health().forEach((t, h) -> states.put(t.value(), h));
                return states;
            }, h -> h.equals("ok") || h.equals("revoked"));
            if (options.ntp() != null) {
                String[] hostPort = options.ntp().split(":(?=[0-9]+$)");
                clockCheck = new ClockCheck(hostPort[0], hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 123,
                        options.maxClockSkew(), Duration.ofMinutes(5), metrics).start();
                readiness.degradeOn("clock", clockCheck::state);
            }
            dev.mfagate.core.StartupTrace.mark("gateway: key checks");
            Authenticator authenticator = (token, now) -> store.tokens().authenticate(token, now)
                    .map(t -> new Subject.Token(t.id(), t.pattern(), t.onBehalfOf(), t.role().isPresent()));
            AuditSink auditSink = auditDecorator.apply(AuditSink.of(auditLog));
            CodeIssuer.Builder issuer = CodeIssuer.builder()
                    .seeds(SeedSource.of(store.seeds(), environmentSeeds))
                    .audit(auditSink)
                    .instanceId(options.instanceId())
                    .nextCodeThreshold(settings.nextCodeThreshold());
            // One policy store for the code path and the admin doors, so that a rule granted or revoked in
            // the console or over the admin API counts on this instance from the next request.
            dev.mfagate.core.policy.PolicyRepository policies = new dev.mfagate.core.policy.PolicyRepository(store.database());
            if (settings.demo()) {
                // Demo mode: the one demo token's scope ({@code *}) is the policy; nothing is limited.
                issuer.policy(AccessPolicy.tokenScopeOnly());
            } else {
                issuer.policy(AccessPolicy.rules(new Authorizer(policies, new dev.mfagate.core.policy.DailyUsage(store.database()))))
                        .rateLimiter(RateLimiter.forDatabase(store.database(), options.rateLimits(), clock))
                        .lockout(new LockoutTracker(store.database(), options.lockout()))
                        .people(dev.mfagate.core.issue.PersonLookup.cached(
                                new dev.mfagate.core.tenant.TenantRepository(store.database())));
            }
            CodeIssuer codeIssuer = issuer.build();
            dev.mfagate.core.StartupTrace.mark("gateway: code issuer");
            dev.mfagate.gateway.console.Console console = null;
            if (consoleSettings != null) {
                if (settings.demo()) {
                    throw new IllegalArgumentException("The web console is not served in demo mode");
                }
                console = new dev.mfagate.gateway.console.Console(consoleSettings,
                        new dev.mfagate.core.console.ConsoleSessions(store.database()),
                        new dev.mfagate.core.tenant.TenantRepository(store.database()),
                        new dev.mfagate.core.console.Passkeys(store.database()), store.seeds(),
                        new dev.mfagate.core.audit.AuditExporter(store.database()), codeIssuer, auditSink, clock,
                        options.instanceId());
            }
            GatewayServer server = new GatewayServer(settings, new GatewayServer.Components(
                    codeIssuer, authenticator, clock, readiness, metrics,
                    dev.mfagate.core.admin.AdminServices.of(store, policies, auditSink, options.instanceId()), console));
            dev.mfagate.core.StartupTrace.mark("gateway: server built");
            server.start();
            dev.mfagate.core.StartupTrace.mark("gateway: server started");
            return new GatewayApp(store, auditLog, server, clockCheck, keyCheck);
        } catch (RuntimeException e) {
            if (keyCheck != null) {
                keyCheck.close();
            }
            if (clockCheck != null) {
                clockCheck.close();
            }
            if (auditLog != null) {
                auditLog.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * The audit part of readiness: the free space of a SQLite store's file system (below
     * {@link dev.mfagate.core.store.Database#MIN_FREE_BYTES} no batch is written),
     * {@link StoreHealth#checkAudit()} (the last batch, forgiven once an outage is over), and an
     * insert into the audit table that is rolled back ({@link AuditLog#probeWritable()}), at most four times a second however often
     * /readyz is asked. The probe catches an audit store that reads but
     * cannot be written, also while no request has tried (an idle gateway), and sees it recover.
     */
    private static final class AuditProbe {
        private static final long INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);
        private final Store store;
        private final StoreHealth health;
        /** Set once the log is built; the listener that feeds this probe is part of the log. */
        private volatile AuditLog log;
        private volatile long probedAt = System.nanoTime() - INTERVAL_NANOS;
        private volatile String probe = "ok";
        private volatile long failedAt = probedAt;

        /** A batch committed: the store is writable, whatever an older probe found. */
        void batchCommitted() {
            probe = "ok";
        }

        /** A batch failed: the next readiness check probes again at once instead of trusting an older probe. */
        void batchFailed() {
            failedAt = System.nanoTime();
        }

        AuditProbe(Store store, StoreHealth health) {
            this.store = store;
            this.health = health;
        }

        synchronized String state() {
            try {
                store.database().requireFreeSpace();
            } catch (dev.mfagate.core.store.DiskFullException e) {
                return e.shortReason();
            }
            long now = System.nanoTime();
            if (now - probedAt >= INTERVAL_NANOS || failedAt - probedAt > 0) {
                probedAt = now;
                probe = probeOnce();
            }
            return !"ok".equals(probe) ? probe : health.checkAudit(true);
        }

        private String probeOnce() {
            AuditLog log = this.log;
            if (log == null) {
                return "ok";
            }
            try {
                log.probeWritable();
                return "ok";
            } catch (RuntimeException e) {
                return "audit store not writable: " + e.getClass().getSimpleName();
            }
        }
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** The bound port of the Prometheus metrics listener, or empty when there is none. */
    public java.util.OptionalInt metricsPort() {
        return server.metricsPort();
    }

    /** The store this gateway serves from. */
    public Store store() {
        return store;
    }

    @Override
    public void close() {
        keyCheck.close();
        if (clockCheck != null) {
            clockCheck.close();
        }
        server.close();
        auditLog.close();
        store.close();
    }
}
