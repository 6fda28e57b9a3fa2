package dev.mfagate.gateway;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.policy.Authorizer;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.ratelimit.RateLimiter;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpSeed;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * The running gateway: the store, the audit log, the policy and the HTTP server, wired once.
 *
 * <p>Lifecycle: {@link #start} opens; {@link #close} stops accepting requests and lets in-flight
 * ones finish, then drains the audit log (every queued entry committed) and closes the store.
 */
public final class GatewayApp implements AutoCloseable {

    /**
     * How the gateway decides and limits.
     *
     * @param rateLimits per principal+label, per principal and per token
     * @param lockout how many denials lock a principal out, and for how long
     * @param instanceId names this process in audit entries
     */
    public record Options(RateLimitConfig rateLimits, LockoutPolicy lockout, String instanceId) {
        /** Validates presence. */
        public Options {
            Objects.requireNonNull(rateLimits, "rateLimits");
            Objects.requireNonNull(lockout, "lockout");
            Objects.requireNonNull(instanceId, "instanceId");
        }

        /** Documented defaults; the instance id is this host's name. */
        public static Options defaults() {
            return new Options(RateLimitConfig.defaults(), LockoutPolicy.defaults(), defaultInstanceId());
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

    private GatewayApp(Store store, AuditLog auditLog, GatewayServer server) {
        this.store = store;
        this.auditLog = auditLog;
        this.server = server;
    }

    /** Wires and starts the gateway on {@code store}, which it owns from now on, with default options. */
    public static GatewayApp start(Store store, Map<Label, TotpSeed> environmentSeeds, GatewayServer.Settings settings) {
        return start(store, environmentSeeds, settings, Options.defaults(), Clock.systemUTC());
    }

    /** As {@link #start(Store, Map, GatewayServer.Settings)}, reading time from {@code clock} (tests pass a fixed one). */
    public static GatewayApp start(Store store, Map<Label, TotpSeed> environmentSeeds, GatewayServer.Settings settings,
                                   Clock clock) {
        return start(store, environmentSeeds, settings, Options.defaults(), clock);
    }

    /** Wires and starts the gateway with explicit options. */
    public static GatewayApp start(Store store, Map<Label, TotpSeed> environmentSeeds, GatewayServer.Settings settings,
                                   Options options, Clock clock) {
        AuditLog auditLog = null;
        try {
            StoreHealth health = new StoreHealth(store.database());
            auditLog = AuditLog.builder(store.database(), store.keyring().auditMac())
                    .listener(health)
                    .build();
            Readiness readiness = new Readiness()
                    .require("store", health::checkStore)
                    .require("keys", () -> store.keyring().kek() != null ? "ok" : "no key-encryption key")
                    .require("audit", health::checkAudit);
            AuditRecorder audit = new AuditLogRecorder(auditLog, clock, options.instanceId());
            Authenticator authenticator = (token, now) -> store.tokens().authenticate(token, now)
                    .map(t -> new Subject.Token(t.id(), t.pattern(), t.onBehalfOf()));
            AccessControl access = settings.demo()
                    ? new ScopeAccessControl()
                    : new PolicyAccessControl(Authorizer.open(store.database()),
                            RateLimiter.forDatabase(store.database(), options.rateLimits(), clock),
                            new LockoutTracker(store.database(), options.lockout()), audit);
            GatewayServer server = new GatewayServer(settings, new GatewayServer.Components(
                    new StoreSeedLookup(store.seeds(), environmentSeeds), authenticator, access, audit, clock, readiness));
            server.start();
            return new GatewayApp(store, auditLog, server);
        } catch (RuntimeException e) {
            if (auditLog != null) {
                auditLog.close();
            }
            store.close();
            throw e;
        }
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** The store this gateway serves from. */
    public Store store() {
        return store;
    }

    @Override
    public void close() {
        server.close();
        auditLog.close();
        store.close();
    }
}
