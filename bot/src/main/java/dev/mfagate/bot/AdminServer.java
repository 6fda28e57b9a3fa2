package dev.mfagate.bot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bot's admin HTTP port: {@code GET /healthz} (the event loop is alive), {@code GET /readyz}
 * (Zulip queue registered and gateway reachable; clock skew beyond the threshold reports
 * {@code degraded}) and Prometheus {@code GET /metrics}.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} rather than Javalin: three fixed read-only routes
 * need no framework, and keeping Jetty out of the bot keeps its jar and its attack surface small.
 * Binds to 127.0.0.1 by default. Lifecycle: {@link #start()}, {@link #close()}. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private final AtomicBoolean closed = new AtomicBoolean();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "admin-http");
        t.setDaemon(true);
        return t;
    });

    /** An admin server on {@code address} for {@code bot}, exporting {@code registry}. */
    public AdminServer(InetSocketAddress address, MfaBot bot, PrometheusMeterRegistry registry) throws IOException {
        server = HttpServer.create(address, 16);
        server.setExecutor(executor);
        server.createContext("/healthz", ex -> {
            boolean alive = bot.alive();
            respond(ex, alive ? 200 : 503, "application/json", alive ? "{\"status\":\"ok\"}" : "{\"status\":\"down\"}");
        });
        server.createContext("/readyz", ex -> {
            Readiness r = bot.readiness();
            respond(ex, r.status().equals("ready") ? 200 : 503, "application/json", r.toJson());
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    }

    /** Starts serving. */
    public void start() {
        server.start();
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (!path.equals(ex.getHttpContext().getPath())) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving at once. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
