package dev.mfagate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SerialHttpConnectionFactory}: after a request Jetty refuses while parsing, a connection's
 * read loop never runs on two threads at once, and no client reads another's bytes.
 *
 * <p>Both servers here are the gateway's Jetty set-up (its thread pool and JSON error handler) with
 * a connection that pauses 2 ms each time its read loop looks at its socket, which widens the
 * window of the race from microseconds to milliseconds. The loop's threads are counted while they
 * pause: two at once means two loops share the connection's request buffer.
 */
class SerialHttpConnectionFactoryTest {

    private static final String LONG_URI = "/code?label=" + "x".repeat(20_000);

    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void refusedRequests_serialConnections_neverTwoReadLoopsAndEveryResponseIntact() throws Exception {
        Watch watch = new Watch();
        int port = start(new SerialHttpConnectionFactory(new HttpConfiguration()) {
            @Override
            protected SerialHttpConnection newSerialConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
                return new SerialHttpConnection(config, connector, endPoint) {
                    private final AtomicInteger pausing = new AtomicInteger();

                    @Override
                    public void onFillable() {
                        watch.loop(super::onFillable);
                    }

                    @Override
                    public EndPoint getEndPoint() {
                        watch.pause(pausing);
                        return super.getEndPoint();
                    }
                };
            }
        });

        List<String> wrong = exchange(port, 3, 40);

        assertThat(wrong).as("responses that are not exactly the expected one").isEmpty();
        assertThat(watch.pauses.get()).as("the pause ran, so the window was wide").isGreaterThan(100);
        assertThat(watch.most.get()).as("read loops of one connection at once").isEqualTo(1);
    }

    /**
     * The same with Jetty's own connection: the read loop does run twice at once. Should a Jetty
     * release stop doing so, this fails, and the serial connection is no longer needed.
     */
    @Test
    void refusedRequests_jettysConnections_twoReadLoopsAtOnce() throws Exception {
        Watch watch = new Watch();
        int port = start(new HttpConnectionFactory(new HttpConfiguration()) {
            @Override
            public Connection newConnection(Connector connector, EndPoint endPoint) {
                HttpConnection connection = new HttpConnection(getHttpConfiguration(), connector, endPoint) {
                    private final AtomicInteger pausing = new AtomicInteger();

                    @Override
                    public void onFillable() {
                        watch.loop(super::onFillable);
                    }

                    @Override
                    public EndPoint getEndPoint() {
                        watch.pause(pausing);
                        return super.getEndPoint();
                    }
                };
                return configure(connection, connector, endPoint);
            }
        });

        for (int i = 0; i < 200 && watch.most.get() < 2; i++) {
            send(port, LONG_URI);
        }

        assertThat(watch.most.get()).as("read loops of one connection at once").isGreaterThanOrEqualTo(2);
    }

    /** Marks the read loops' threads, and keeps the most that paused in one connection's loop at once. */
    private static final class Watch {
        private final ThreadLocal<Boolean> inLoop = ThreadLocal.withInitial(() -> false);
        private final AtomicInteger most = new AtomicInteger();
        private final AtomicInteger pauses = new AtomicInteger();

        void loop(Runnable body) {
            boolean outer = inLoop.get();
            inLoop.set(true);
            try {
                body.run();
            } finally {
                inLoop.set(outer);
            }
        }

        /** @param pausing the connection's count of threads pausing in its loop */
        void pause(AtomicInteger pausing) {
            if (!inLoop.get()) {
                return;
            }
            pauses.incrementAndGet();
            most.accumulateAndGet(pausing.incrementAndGet(), Math::max);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pausing.decrementAndGet();
            }
        }
    }

    /** Starts the gateway's Jetty set-up with {@code connections} on a free port, answering {@code ok} to every request it accepts. */
    private int start(HttpConnectionFactory connections) throws Exception {
        server = new Server(JettySetup.threadPool());
        server.setErrorHandler(new JsonErrorHandler((remote, reason, requestId) -> { }));
        connections.getHttpConfiguration().setRequestHeaderSize(8 * 1024);
        ServerConnector connector = new ServerConnector(server, connections);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        });
        server.start();
        return connector.getLocalPort();
    }

    /**
     * {@code clients} threads each send {@code rounds} of an over-long URI, headers too large and an
     * ordinary request; returns every response that was not exactly what its request should get.
     */
    private static List<String> exchange(int port, int clients, int rounds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        expect(wrong, send(port, LONG_URI), "HTTP/1.1 414 ", "{\"error\":{\"code\":\"uri_too_long\"");
                        expect(wrong, send(port, "/ok", "X-Big: " + "y".repeat(20_000)), "HTTP/1.1 431 ",
                                "{\"error\":{\"code\":\"headers_too_large\"");
                        expect(wrong, send(port, "/ok"), "HTTP/1.1 200 ", "ok");
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : results) {
                wrong.addAll(f.get());
            }
            return wrong;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void expect(List<String> wrong, String response, String statusLine, String bodyStart) {
        int split = response.indexOf("\r\n\r\n");
        String body = split < 0 ? "" : response.substring(split + 4);
        // Ten in a row: the request's own bytes echoed, never three letters by chance in a request id.
        if (!response.startsWith(statusLine) || !body.startsWith(bodyStart) || response.contains("x".repeat(10))
                || response.contains("y".repeat(10))) {
            wrong.add(response.substring(0, Math.min(120, response.length())));
        }
    }

    /** Sends {@code GET target} with {@code headers} and reads until the server closes; a reset is an answer too. */
    private static String send(int port, String target, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try {
                in.transferTo(buf);
            } catch (java.net.SocketException reset) {
                buf.writeBytes(("<" + reset.getMessage() + ">").getBytes(StandardCharsets.US_ASCII));
            }
            return buf.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
