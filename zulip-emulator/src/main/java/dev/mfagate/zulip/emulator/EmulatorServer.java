package dev.mfagate.zulip.emulator;

import io.javalin.Javalin;
import java.time.Duration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's HTTP server: Javalin on Jetty with virtual threads, faults drawn in front of it
 * ({@link FaultHandler}), the {@link RequestPipeline} around every route, the routes of {@link Api}, and Zulip's
 * error shape for every failure (a {@link ZulipError}, an unexpected exception, an unknown path).
 */
final class EmulatorServer {
    private static final Logger LOG = LoggerFactory.getLogger(ZulipEmulator.class);

    private EmulatorServer() {}

    /** A server, not yet started, listening on {@code host:port} (0 for a free port). */
    static Javalin create(Realm realm, Faults faults, RequestPipeline pipeline, String host, int requestedPort, Duration heartbeat) {
        Api api = new Api(realm, heartbeat, pipeline::respond);
        long idleMillis = heartbeat.plusSeconds(60).toMillis();
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            // Faults are drawn in front of Javalin, so that a dropped connection never reaches it.
            cfg.jetty.modifyServer(server -> server.setHandler(new FaultHandler(faults, realm::clock)));
            cfg.jetty.addConnector((server, httpConfig) -> {
                // The Date header comes from the emulator's clock (set in the before-handler), not Jetty's.
                httpConfig.setSendDateHeader(false);
                httpConfig.setSendServerVersion(false);
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                connector.setHost(host);
                connector.setPort(requestedPort);
                connector.setIdleTimeout(idleMillis);
                return connector;
            });
            cfg.routes.before(pipeline::before);
            api.register(cfg.routes);
            cfg.routes.exception(ZulipError.class, (e, ctx) -> {
                if (e.status == 401) {
                    ctx.header("WWW-Authenticate", "Basic realm=\"zulip\"");
                }
                pipeline.respond(ctx, e.status, e.body());
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("Unexpected failure handling {} {}", ctx.method(), ctx.path(), e);
                pipeline.respond(ctx, 500, new ZulipError(500, "BAD_REQUEST", "Internal server error").body());
            });
            cfg.routes.error(404, ctx -> {
                String result = ctx.result();
                if (result == null || !result.startsWith("{")) {
                    pipeline.respond(ctx, 404, new ZulipError(404, "BAD_REQUEST",
                            "Not emulated: " + ctx.method() + " " + ctx.path()).body());
                }
            });
            cfg.routes.after(pipeline::after);
        });
    }
}
