package dev.mfagate.gateway.cli;

import dev.mfagate.api.config.DotEnv;
import dev.mfagate.api.config.DotEnvException;
import dev.mfagate.api.logging.JsonStandardError;
import dev.mfagate.core.Label;
import dev.mfagate.core.seed.EnvSeeds;
import dev.mfagate.core.seed.SeedImportException;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.PostgresBucketBackend;
import dev.mfagate.core.ratelimit.RateLimit;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.store.Dialect;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.gateway.GatewayApp;
import dev.mfagate.gateway.GatewayServer;
import dev.mfagate.gateway.http.MetricsServer;
import dev.mfagate.gateway.http.NetworkOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mfagate serve}: runs the HTTP gateway until stopped (SIGTERM finishes in-flight requests first). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the HTTP gateway.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    /** A fake seed for the demo label only; it protects nothing. */
    static final String DEMO_SEED_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    static final Label DEMO_LABEL = Label.parse("client-demo");

    private final CliContext cli;

    @Mixin
    StoreOptions store;

    @Option(names = "--demo", description = "Demo mode: a temporary store with a fake seed for client-demo, no token needed.")
    boolean demo;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (env MFAGATE_HOST; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_HOST")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port to listen on, 0 for any free port (env MFAGATE_PORT; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_PORT")
    int port;

    @Option(names = "--next-code-threshold", paramLabel = "DURATION", converter = Durations.class, defaultValue = "5s",
            description = "Below this much time left in a step, responses also carry the next code (default ${DEFAULT-VALUE}).")
    Duration nextCodeThreshold;

    @Option(names = "--env-file", paramLabel = "FILE",
            description = "A .env file with MFAGATE_SEED_<CLIENT>_<SERVICE> seeds, which must exist (env MFAGATE_ENV_FILE);"
                    + " without it, .env is read if present.")
    @EnvironmentDefault("MFAGATE_ENV_FILE")
    Path envFile;

    /** Read when no {@code --env-file} is given, and only if it is there. */
    private static final Path DEFAULT_ENV_FILE = Path.of(".env");

    @Option(names = "--rate-limit-label", paramLabel = "N/DURATION", converter = RateLimits.class, defaultValue = "5/1m",
            description = "Codes per principal and label (env MFAGATE_RATE_LIMIT_LABEL; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_RATE_LIMIT_LABEL")
    RateLimit perPrincipalAndLabel;

    @Option(names = "--rate-limit-principal", paramLabel = "N/DURATION", converter = RateLimits.class, defaultValue = "20/1m",
            description = "Requests per principal (a Zulip user, or a token asking for itself) (env MFAGATE_RATE_LIMIT_PRINCIPAL; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_RATE_LIMIT_PRINCIPAL")
    RateLimit perPrincipal;

    @Option(names = "--rate-limit-token", paramLabel = "N/DURATION", converter = RateLimits.class, defaultValue = "300/1m",
            description = "Requests per API token, whoever it asks for (env MFAGATE_RATE_LIMIT_TOKEN; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_RATE_LIMIT_TOKEN")
    RateLimit perToken;

    @Option(names = "--lockout-after", paramLabel = "N", defaultValue = "5",
            description = "Lock a principal out after N denials within --lockout-window (env MFAGATE_LOCKOUT_AFTER; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_LOCKOUT_AFTER")
    int lockoutAfter;

    @Option(names = "--lockout-window", paramLabel = "DURATION", converter = Durations.class, defaultValue = "10m",
            description = "The window denials are counted in (env MFAGATE_LOCKOUT_WINDOW; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_LOCKOUT_WINDOW")
    Duration lockoutWindow;

    @Option(names = "--lockout-for", paramLabel = "DURATION", converter = Durations.class, defaultValue = "15m",
            description = "How long a lockout lasts (env MFAGATE_LOCKOUT_FOR; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_LOCKOUT_FOR")
    Duration lockoutFor;

    @Option(names = "--allow-cidr", paramLabel = "CIDR", split = ",",
            description = "Client networks allowed (IPv4/IPv6, repeat or comma-separate). A peer outside them is reset as it"
                    + " connects, counted and logged, not audited; a client behind a --trusted-proxy outside them gets 403"
                    + " and an audit entry (env MFAGATE_ALLOW_CIDR).")
    @EnvironmentDefault("MFAGATE_ALLOW_CIDR")
    List<String> allowCidrs;

    @Option(names = "--trusted-proxy", paramLabel = "CIDR", split = ",",
            description = "Proxies whose X-Forwarded-For is believed; none by default (env MFAGATE_TRUSTED_PROXY).")
    @EnvironmentDefault("MFAGATE_TRUSTED_PROXY")
    List<String> trustedProxies;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Serve HTTPS with this PEM certificate chain (env MFAGATE_TLS_CERT).")
    @EnvironmentDefault("MFAGATE_TLS_CERT")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM",
            description = "The PKCS#8 PEM private key of --tls-cert (env MFAGATE_TLS_KEY).")
    @EnvironmentDefault("MFAGATE_TLS_KEY")
    Path tlsKey;

    @Option(names = "--allow-plain-http", description = "Allow plain HTTP on a non-loopback address (a TLS proxy or VPN is in front).")
    boolean allowPlainHttp;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "30s",
            description = "Close connections silent this long; every byte received restarts it (default ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--request-header-timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "10s",
            description = "Close a connection whose request line and headers have not all arrived this long after the request's"
                    + " first byte (a new connection's first request: after connecting), however slowly they trickle"
                    + " (default ${DEFAULT-VALUE}).")
    Duration requestHeaderTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "2048",
            description = "The most connections held at once; more wait in the accept queue (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            defaultValue = "64",
            description = "The most connections one client address may hold, loopback included; trusted proxies are not capped;"
                    + " 0 for no cap (env MFAGATE_MAX_CONNECTIONS_PER_ADDRESS; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_MAX_CONNECTIONS_PER_ADDRESS")
    int maxConnectionsPerAddress;

    @Option(names = "--metrics-host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address of the Prometheus metrics listener, apart from the API; whoever reaches it reads label names"
                    + " (env MFAGATE_METRICS_HOST; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_METRICS_HOST")
    String metricsHost;

    @Option(names = "--metrics-port", paramLabel = "PORT|off", defaultValue = "9464",
            description = "Port of the metrics listener (GET /metrics), 0 for any free port, off for none"
                    + " (env MFAGATE_METRICS_PORT; default ${DEFAULT-VALUE}).")
    @EnvironmentDefault("MFAGATE_METRICS_PORT")
    String metricsPort;

    @Option(names = "--ntp-server", paramLabel = "SERVER",
            description = "Compare the clock with this NTP server (HOST or HOST:PORT) every 5 minutes (SNTP; env MFAGATE_NTP_SERVER).")
    @EnvironmentDefault("MFAGATE_NTP_SERVER")
    String ntpServer;

    @Option(names = "--max-clock-skew", paramLabel = "DURATION", converter = Durations.class, defaultValue = "5s",
            description = "Above this skew readiness turns degraded and a warning is logged (default ${DEFAULT-VALUE}).")
    Duration maxClockSkew;

    @Option(names = "--no-metrics", description = "Record no metrics and open no metrics listener.")
    boolean noMetrics;

    @Option(names = "--oidc-issuer", paramLabel = "URL",
            description = "Serve the web console under /console, signing people in with this OpenID Connect provider"
                    + " (env MFAGATE_OIDC_ISSUER).")
    @EnvironmentDefault("MFAGATE_OIDC_ISSUER")
    String oidcIssuer;

    @Option(names = "--oidc-client-id", paramLabel = "ID",
            description = "The console's client id at the provider (env MFAGATE_OIDC_CLIENT_ID).")
    @EnvironmentDefault("MFAGATE_OIDC_CLIENT_ID")
    String oidcClientId;

    @Option(names = "--oidc-client-secret-file", paramLabel = "FILE",
            description = "A file holding the console's client secret (env MFAGATE_OIDC_CLIENT_SECRET_FILE, or the secret"
                    + " itself in MFAGATE_OIDC_CLIENT_SECRET).")
    @EnvironmentDefault("MFAGATE_OIDC_CLIENT_SECRET_FILE")
    Path oidcClientSecretFile;

    @Option(names = "--console-url", paramLabel = "URL",
            description = "The gateway's https address as browsers reach it; the provider sends people back to"
                    + " URL/console/callback. Default on plain-HTTP loopback: the listen address and port"
                    + " (env MFAGATE_CONSOLE_URL).")
    @EnvironmentDefault("MFAGATE_CONSOLE_URL")
    String consoleUrl;

    @Option(names = "--console-idle-timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "15m",
            description = "A console session unused this long ends (default ${DEFAULT-VALUE}).")
    Duration consoleIdleTimeout;

    @Option(names = "--console-session-lifetime", paramLabel = "DURATION", converter = Durations.class, defaultValue = "8h",
            description = "A console session ends this long after sign-in, however busy (default ${DEFAULT-VALUE}).")
    Duration consoleLifetime;

    @Option(names = "--auto-link-email", description = "At console sign-in, link an SSO identity not yet linked to anyone"
            + " to the person whose email: identity is the ID token's email, when the provider marks it verified"
            + " (email_verified true); audited as an ADMIN act. Off by default (env MFAGATE_AUTO_LINK_EMAIL=true).")
    @EnvironmentDefault("MFAGATE_AUTO_LINK_EMAIL")
    boolean autoLinkEmail;

    @Option(names = "--oidc-groups-claim", paramLabel = "CLAIM", defaultValue = "groups",
            description = "The ID token claim listing the person's SSO groups (a list of strings); each group holds the"
                    + " organisation roles bound to sso-group:<group> (default ${DEFAULT-VALUE};"
                    + " env MFAGATE_OIDC_GROUPS_CLAIM).")
    @EnvironmentDefault("MFAGATE_OIDC_GROUPS_CLAIM")
    String oidcGroupsClaim;

    ServeCommand(CliContext cli) {
        this.cli = cli;
    }

    /** The demo mode's temporary store, removed at the stop, and also when the start fails. */
    private Path demoDir;

    /** The SQLite store's {@link ServeLock}, held while this command serves; null on PostgreSQL and in demo mode. */
    private ServeLock serveLock;

    @Override
    public Integer call() throws Exception {
        try {
            return serve();
        } catch (Exception | Error e) {
            if (demoDir != null) {
                deleteTree(demoDir);
            }
            throw e;
        } finally {
            if (serveLock != null) {
                serveLock.close();
            }
        }
    }

    private Integer serve() throws Exception {
        dev.mfagate.core.StartupTrace.mark("serve: command parsed");
        Map<Label, TotpSeed> envSeeds = environmentSeeds();
        LockoutPolicy lockout = lockoutPolicy();
        Store s;
        Path tempDir = null;
        if (demo) {
            tempDir = Files.createTempDirectory("mfagate-demo-");
            demoDir = tempDir;
            s = Store.init(tempDir.resolve("data"));
            s.seeds().add(DEMO_LABEL, SeedParser.parse(DEMO_SEED_BASE32), cli.clock().instant());
            if (JsonStandardError.isJson(cli.env())) {
                LOG.warn("DEMO MODE: temporary store, FAKE seed for client-demo, NO TOKEN REQUIRED;"
                        + " never use demo mode for real accounts");
            } else {
                cli.err().println("""
                        ******************************************************************
                        *  DEMO MODE: temporary store, FAKE seed for client-demo,        *
                        *  NO TOKEN REQUIRED. Never use demo mode for real accounts.     *
                        ******************************************************************""");
            }
        } else {
            s = store.open();
            if (s.database().dialect() == Dialect.SQLITE) {
                try {
                    serveLock = ServeLock.acquire(store.dataDir());
                } catch (UserError e) {
                    s.close();
                    throw e;
                }
            }
            if (s.tokens().list().stream().noneMatch(t -> t.revokedAt().isEmpty()
                    && t.expiresAt().map(e -> e.isAfter(cli.clock().instant())).orElse(true))) {
                s.close();
                throw UserError.failure("No active API token; create one first with 'mfagate token create --name NAME'");
            }
        }
        dev.mfagate.core.StartupTrace.mark("serve: store open");
        GatewayServer.Settings settings;
        try {
            NetworkOptions network = new NetworkOptions(nonBlank(allowCidrs), nonBlank(trustedProxies), tlsCert, tlsKey,
                    allowPlainHttp, idleTimeout, maxConnections, maxConnectionsPerAddress, requestHeaderTimeout);
            settings = new GatewayServer.Settings(host, port, nextCodeThreshold, demo, 16 * 1024, network, metricsAddress());
            if (network.tls()) {
                // Read and matched now, before any check thread or listener starts, so a wrong file is one line and exit 2.
                dev.mfagate.gateway.http.PemKeyStores.load(network.tlsCertificate(), network.tlsPrivateKey(), new char[] {'-'});
            }
        } catch (IllegalArgumentException e) {
            s.close();
            throw UserError.badInput(e.getMessage());
        }
        dev.mfagate.gateway.console.ConsoleSettings console;
        try {
            console = consoleSettings(settings);
        } catch (IllegalArgumentException e) {
            s.close();
            throw UserError.badInput(e.getMessage());
        }
        GatewayApp.Options options;
        try {
            options = new GatewayApp.Options(new RateLimitConfig(perPrincipalAndLabel, perPrincipal, perToken),
                    lockout, GatewayApp.Options.defaults().instanceId(), !noMetrics, ntpServer, maxClockSkew);
        } catch (IllegalArgumentException e) {
            s.close();
            throw UserError.badInput(e.getMessage());
        }
        InertRules.warn(new PolicyRepository(s.database()).load(), LOG::warn);
        dev.mfagate.core.StartupTrace.mark("serve: settings read");
        GatewayApp app = GatewayApp.builder(s).environmentSeeds(envSeeds).settings(settings).options(options)
                .clock(cli.clock()).console(console).start();
        if (s.database().dialect() == Dialect.POSTGRESQL) {
            sweepExpiredBuckets(s, cli.clock());
        }
        cli.out().println("mfagate listening on " + (settings.network().tls() ? "https" : "http") + "://" + hostForUrl(host) + ":" + app.port());
        app.metricsPort().ifPresent(p -> cli.out().println("mfagate metrics on http://" + hostForUrl(settings.metrics().host()) + ":" + p + "/metrics"));
        cli.out().flush();
        dev.mfagate.core.StartupTrace.mark("serve: listening");
        Path demoDir = tempDir;
        cli.stop().awaitThen(() -> {
            app.close();
            if (demoDir != null) {
                deleteTree(demoDir);
            }
        });
        return ExitCodes.OK;
    }

    /**
     * The console's settings, or null when no {@code --oidc-issuer} is given. Cookies are
     * {@code Secure} unless the console's URL is plain HTTP on a loopback address (a local test set-up);
     * a plain-HTTP console URL anywhere else is refused.
     */
    private dev.mfagate.gateway.console.ConsoleSettings consoleSettings(GatewayServer.Settings settings) throws IOException {
        if (oidcIssuer == null || oidcIssuer.isBlank()) {
            if (oidcClientId != null || oidcClientSecretFile != null) {
                throw new IllegalArgumentException("--oidc-client-id and --oidc-client-secret-file need --oidc-issuer");
            }
            if (autoLinkEmail) {
                throw new IllegalArgumentException("--auto-link-email is for the web console: it needs --oidc-issuer");
            }
            return null;
        }
        if (oidcClientId == null || oidcClientId.isBlank()) {
            throw new IllegalArgumentException("The web console needs --oidc-client-id (or MFAGATE_OIDC_CLIENT_ID)");
        }
        String secret;
        if (oidcClientSecretFile != null) {
            if (!Files.isRegularFile(oidcClientSecretFile)) {
                throw new IllegalArgumentException("No file " + oidcClientSecretFile + " (--oidc-client-secret-file)");
            }
            secret = Files.readString(oidcClientSecretFile).strip();
        } else {
            secret = cli.env().getOrDefault("MFAGATE_OIDC_CLIENT_SECRET", "").strip();
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("The web console needs the OIDC client secret: --oidc-client-secret-file FILE"
                    + " or MFAGATE_OIDC_CLIENT_SECRET");
        }
        java.net.URI url;
        if (consoleUrl == null || consoleUrl.isBlank()) {
            if (settings.network().tls() || settings.network().allowPlainHttpOffLoopback() || port == 0) {
                throw new IllegalArgumentException("Give --console-url: the gateway's https address as browsers reach it");
            }
            url = java.net.URI.create("http://" + hostForUrl(host) + ":" + port);
        } else {
            url = dev.mfagate.gateway.console.ConsoleSettings.consoleUrl(consoleUrl);
        }
        boolean plainLoopback = dev.mfagate.gateway.console.ConsoleSettings.isPlainLoopback(url);
        if ("http".equals(url.getScheme()) && !plainLoopback) {
            throw new IllegalArgumentException("Invalid --console-url: plain http is allowed only on a loopback address;"
                    + " browsers must reach the console over https");
        }
        java.net.URI issuer;
        try {
            issuer = new java.net.URI(oidcIssuer.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("Invalid --oidc-issuer: not a URL");
        }
        return new dev.mfagate.gateway.console.ConsoleSettings(issuer, oidcClientId.strip(), secret, url,
                consoleIdleTimeout, consoleLifetime, !plainLoopback, autoLinkEmail, oidcGroupsClaim.strip());
    }

    /** The metrics listener's address, or null when metrics are off. */
    private MetricsServer.Address metricsAddress() {
        String p = metricsPort.strip();
        if (noMetrics || p.equalsIgnoreCase("off")) {
            return null;
        }
        if (!p.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("Invalid --metrics-port '" + (p.length() > 20 ? p.substring(0, 20) + "…" : p)
                    + "'; give a port from 0 to 65535, or off");
        }
        return new MetricsServer.Address(metricsHost.strip(), Integer.parseInt(p));
    }

    private static List<String> nonBlank(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    /**
     * Deletes rate-limit buckets that have refilled completely (Bucket4j stamps each row with that
     * time), every few minutes, so the shared table does not grow with every principal ever seen.
     * Each instance sweeps; concurrent sweeps delete disjoint rows or nothing.
     */
    private static void sweepExpiredBuckets(Store s, Clock clock) {
        PostgresBucketBackend buckets = new PostgresBucketBackend(s.database(), clock);
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mfagate-bucket-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                int removed;
                do {
                    removed = buckets.removeExpired(1_000);
                } while (removed == 1_000);
            } catch (RuntimeException e) {
                // The database is away or shutting down; the next sweep tries again.
                LOG.debug("Rate-limit bucket sweep failed: {}", e.getClass().getSimpleName());
            }
        }, 1, 5, TimeUnit.MINUTES);
    }

    /**
     * The lockout flags as a policy, checked here so a refusal names the flag and its range rather
     * than the record's fields ({@link LockoutPolicy} says "maxDenials", "window").
     */
    private LockoutPolicy lockoutPolicy() {
        if (lockoutAfter < 1) {
            throw UserError.badInput("Invalid --lockout-after: must be a whole number of denials from 1 to " + Integer.MAX_VALUE);
        }
        if (lockoutWindow.toMillis() < 1) {
            throw UserError.badInput("Invalid --lockout-window: must be at least 1ms, such as 10m");
        }
        if (lockoutFor.toMillis() < 1) {
            throw UserError.badInput("Invalid --lockout-for: must be at least 1ms, such as 15m");
        }
        return new LockoutPolicy(lockoutAfter, lockoutWindow, lockoutFor);
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private Map<Label, TotpSeed> environmentSeeds() throws SeedImportException, IOException {
        Map<String, String> vars = new HashMap<>();
        Path file = envFile;
        if (file == null) {
            file = Files.isRegularFile(DEFAULT_ENV_FILE) ? DEFAULT_ENV_FILE : null;
        } else if (!Files.exists(file)) {
            // A file named on purpose and missing would otherwise start the gateway without the seeds it holds.
            throw UserError.badInput("No file " + file + " (--env-file)");
        } else if (!Files.isRegularFile(file)) {
            throw UserError.badInput(file + " is not a file (--env-file)");
        } else if (!Files.isReadable(file)) {
            throw UserError.badInput("Cannot read " + file + ": permission denied (--env-file)");
        }
        if (file != null) {
            try {
                vars.putAll(DotEnv.read(file));
            } catch (DotEnvException e) {
                throw UserError.badInput(e.getMessage());
            } catch (IOException e) {
                throw UserError.badInput("Cannot read " + file + " (--env-file)");
            }
        }
        vars.putAll(cli.env());
        return EnvSeeds.from(vars);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: the demo store holds only the fake seed.
        }
    }

}
