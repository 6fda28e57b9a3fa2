package dev.mfagate.bot.zulip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mfagate.bot.StubServer;
import dev.mfagate.bot.StubServer.Answer;
import dev.mfagate.bot.secret.Secret;
import dev.mfagate.bot.zulip.wire.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transport against a scripted loopback server: what goes on the wire, what is retried, what is final. */
class ZulipTransportTest {
    private static final String KEY = "abcdefghijklmnopqrstuvwxyz012345";
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final String OK = "{\"result\":\"success\",\"msg\":\"\",\"id\":42}";

    private StubServer server;
    private ZulipTransport transport;
    private final List<String> retries = new CopyOnWriteArrayList<>();
    private final List<Instant[]> dates = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new StubServer();
        transport = transport(Duration.ofSeconds(5));
    }

    private ZulipTransport transport(Duration retryBudget) {
        return transport(server.baseUrl(), retryBudget);
    }

    private ZulipTransport transport(URI base, Duration retryBudget) {
        ZulipClient.Settings settings = new ZulipClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), new RateGuard(1000, 100), retryBudget);
        return new ZulipTransport(base, "bot@example.com", Secret.ofTrusted(KEY), settings, new ZulipListener() {
            @Override
            public void onServerDate(Instant serverDate, Instant localReceived) {
                dates.add(new Instant[] {serverDate, localReceived});
            }

            @Override
            public void onRetry(String kind) {
                retries.add(kind);
            }
        }, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        transport.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void call_form_sentWithBasicAuthAndReadIntoRecord() throws Exception {
        server.answer(Answer.json(200, OK));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("type", "direct");
        form.put("content", "a & b = ü");

        Wire.Sent sent = transport.call("POST", "/messages", Map.of(), form, false, Wire.Sent.class);

        assertThat(sent.id()).isEqualTo(42);
        StubServer.Received r = server.received().get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.pathAndQuery()).isEqualTo("/api/v1/messages");
        assertThat(r.header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString(("bot@example.com:" + KEY).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.body()).isEqualTo("type=direct&content=a+%26+b+%3D+%C3%BC");
    }

    @Test
    void call_429WithRetryAfter_waitsThatLongThenRetries() throws Exception {
        server.answer(Answer.json(429, "{\"result\":\"error\",\"code\":\"RATE_LIMIT_HIT\",\"msg\":\"x\"}").with("Retry-After", "1"),
                Answer.json(200, OK));
        long start = System.nanoTime();

        transport.call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(retries).containsExactly("rate_limited");
        assertThat(server.received()).hasSize(2);
    }

    @Test
    void retryAfter_headerMissing_readsTheBodysRetryAfter() throws Exception {
        server.answer(Answer.json(429, "{\"result\":\"error\",\"code\":\"RATE_LIMIT_HIT\",\"msg\":\"x\",\"retry-after\":0.25}"),
                Answer.json(200, OK));
        long start = System.nanoTime();

        transport.call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class);

        long waitedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(waitedMillis).isBetween(250L, 900L);
    }

    @Test
    void call_5xxThenSuccess_backsOffAndRetries() throws Exception {
        server.answer(Answer.json(502, "<html>bad gateway</html>"), Answer.json(503, ""), Answer.json(200, OK));

        transport.call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class);

        assertThat(retries).containsExactly("server_error", "server_error");
        assertThat(server.received()).hasSize(3);
    }

    @Test
    void call_4xx_isFinalWithZulipsCode() {
        server.answer(Answer.json(400, "{\"result\":\"error\",\"code\":\"BAD_REQUEST\",\"msg\":\"Invalid message(s)\"}"));

        ZulipException e = catchThrowableOfType(ZulipException.class,
                () -> transport.call("GET", "/messages/17", Map.of(), null, false, Wire.Ok.class));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("BAD_REQUEST");
        assertThat(e.getMessage()).contains("GET /messages/{id}").contains("Invalid message(s)").doesNotContain(KEY);
        assertThat(server.received()).hasSize(1);
        assertThat(retries).isEmpty();
    }

    @Test
    void call_serverKeepsFailing_stopsWhenTheRetryBudgetIsSpent() {
        transport.close();
        transport = transport(Duration.ofMillis(100));
        server.answer(Answer.json(503, ""));

        ZulipException e = catchThrowableOfType(ZulipException.class,
                () -> transport.call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class));

        assertThat(e.code()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(server.received().size()).isGreaterThan(1);
    }

    @Test
    void call_promptAnswersDate_reportedWithTheGivenClocksInstant() throws Exception {
        // The JDK's HttpServer stamps its own Date, so this answer comes from a bare socket.
        try (ServerSocket raw = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread answering = Thread.ofVirtual().start(() -> answerRaw(raw, 2, "Sun, 01 Mar 2026 09:58:00 GMT"));
            server.close();
            server = null;
            transport.close();
            transport = transport(URI.create("http://127.0.0.1:" + raw.getLocalPort()), Duration.ofSeconds(5));

            transport.call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class);
            transport.call("GET", "/events", Map.of("queue_id", "q"), null, true, Wire.Ok.class);
            answering.join(5_000);
        }

        assertThat(dates).as("the long poll's Date is not read").hasSize(1);
        assertThat(dates.get(0)[0]).isEqualTo(Instant.parse("2026-03-01T09:58:00Z"));
        assertThat(dates.get(0)[1]).isEqualTo(NOW);
    }

    /** Answers {@code count} requests, one per connection, with a success carrying {@code date}. */
    private static void answerRaw(ServerSocket raw, int count, String date) {
        for (int i = 0; i < count; i++) {
            try (Socket s = raw.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // headers of a GET without a body
                }
                byte[] body = OK.getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 200 OK\r\nDate: " + date + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n";
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Test
    void call_closedTransport_sendsNothing() {
        transport.close();

        ZulipException e = catchThrowableOfType(ZulipException.class,
                () -> transport.housekeeping().call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class));

        assertThat(e.code()).isEqualTo("CLOSED");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void call_notJson_isFinalBadResponse() {
        server.answer(new Answer(200, Map.of(), "not json"));

        ZulipException e = catchThrowableOfType(ZulipException.class,
                () -> transport.call("GET", "/users/me", Map.of(), null, false, Wire.Ok.class));

        assertThat(e.code()).isEqualTo("BAD_RESPONSE");
    }
}
