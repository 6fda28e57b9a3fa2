package dev.mfagate.gateway;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpSeed;
import java.time.Clock;
import java.util.Map;

/**
 * The running gateway: the store, the HTTP server and everything between them, wired once.
 *
 * <p>Lifecycle: {@link #start} opens, {@link #close} stops accepting requests, lets in-flight
 * ones finish, flushes the audit trail and closes the store.
 */
public final class GatewayApp implements AutoCloseable {

    private final Store store;
    private final GatewayServer server;

    private GatewayApp(Store store, GatewayServer server) {
        this.store = store;
        this.server = server;
    }

    /** Wires and starts the gateway on {@code store}, which it owns from now on. */
    public static GatewayApp start(Store store, Map<Label, TotpSeed> environmentSeeds, GatewayServer.Settings settings) {
        return start(store, environmentSeeds, settings, Clock.systemUTC());
    }

    /** As {@link #start(Store, Map, GatewayServer.Settings)}, reading time from {@code clock} (tests pass a fixed one). */
    public static GatewayApp start(Store store, Map<Label, TotpSeed> environmentSeeds, GatewayServer.Settings settings,
                                   Clock clock) {
        Authenticator authenticator = (token, now) -> store.tokens().authenticate(token, now)
                .map(t -> new Caller(t.id(), t.name(), LabelPattern.parse(t.labelPattern()), t.onBehalfOf()));
        AccessControl access = new ScopeAccessControl();
        AuditRecorder audit = (request, outcome, reason) -> { };
        GatewayServer server = new GatewayServer(settings, new GatewayServer.Components(
                new StoreSeedLookup(store.seeds(), environmentSeeds), authenticator, access, audit, clock));
        try {
            server.start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return new GatewayApp(store, server);
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }
}
