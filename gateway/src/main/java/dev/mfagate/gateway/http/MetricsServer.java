package dev.mfagate.gateway.http;

import dev.mfagate.api.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Prometheus scrape endpoint, {@code GET /metrics}, on its own listener, apart from the API:
 * metrics name labels, so they are not served to every client the API admits. It listens on
 * loopback unless told otherwise, answers nothing but {@code /metrics} ({@code GET} or
 * {@code HEAD}), needs no token and writes no audit entries; whoever can reach it reads label
 * names and request counts, never a code, seed or token.
 *
 * <p>A small Jetty server of its own (a few threads, 16 connections, 8 KiB headers, 30 s idle
 * timeout) so that a busy API cannot starve scrapes and scrapes cannot starve the API.
 * Lifecycle: {@link #start} once, {@link #close} once. Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {

    /** The default port: beside the bot's 9465. */
    public static final int DEFAULT_PORT = 9464;
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * Where the metrics listener binds.
     *
     * @param host the address to bind, such as 127.0.0.1
     * @param port the port, 0 for any free port
     */
    public record Address(String host, int port) {
        /** Validates the port range. */
        public Address {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("Invalid --metrics-host ''; give an address such as 127.0.0.1");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Invalid --metrics-port " + port + "; must be from 0 to 65535, or off");
            }
        }
    }

    private final Server server;
    private final ServerConnector connector;

    private MetricsServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts listening on {@code address}, answering {@code GET /metrics} with {@code scrape}.
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static MetricsServer start(Address address, Supplier<String> scrape) {
        QueuedThreadPool threads = new QueuedThreadPool(8, 2, Math.toIntExact(Duration.ofMinutes(1).toMillis()));
        threads.setName("mfagate-metrics");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(8 * 1024);
        ServerConnector connector = new ServerConnector(server, 1, 1, new SerialHttpConnectionFactory(http));
        connector.setHost(address.host());
        connector.setPort(address.port());
        connector.setIdleTimeout(Duration.ofSeconds(30).toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(16, server));
        server.setErrorHandler(new JsonErrorHandler((remote, wireCode, requestId) -> { }));
        server.setHandler(new ScrapeHandler(scrape));
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            String why = e instanceof IOException && e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IllegalStateException("Cannot listen for metrics on " + address.host() + ":" + address.port() + " ("
                    + why + "); give another --metrics-port, or --metrics-port off");
        }
        return new MetricsServer(server, connector);
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** Stops listening. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping a listener that serves only metrics: nothing is lost.
        }
    }

    private static final class ScrapeHandler extends Handler.Abstract {
        private final Supplier<String> scrape;

        ScrapeHandler(Supplier<String> scrape) {
            this.scrape = scrape;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            if (!"/metrics".equals(Request.getPathInContext(request))) {
                return error(response, callback, ErrorCode.NOT_FOUND, "Only /metrics is served on this port");
            }
            String method = request.getMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                return error(response, callback, ErrorCode.METHOD_NOT_ALLOWED, ErrorResponses.messageFor(ErrorCode.METHOD_NOT_ALLOWED));
            }
            byte[] body = scrape.get().getBytes(StandardCharsets.UTF_8);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, method.equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
            return true;
        }

        private static boolean error(Response response, Callback callback, ErrorCode code, String message) {
            response.setStatus(code.httpStatus());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(ErrorResponses.body(code, message, null)), callback);
            return true;
        }
    }
}
