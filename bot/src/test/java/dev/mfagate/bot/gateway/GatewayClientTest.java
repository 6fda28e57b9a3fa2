package dev.mfagate.bot.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.api.LabelsResponse;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.api.TotpResponse;
import dev.mfagate.bot.StubServer;
import dev.mfagate.bot.StubServer.Answer;
import dev.mfagate.bot.secret.Secret;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bot's gateway client against a scripted loopback server: what it sends, and how it reads each answer. */
class GatewayClientTest {
    private static final String TOKEN = "mfa_bot_token_never_logged";
    private static final Requester ADA = new Requester(42, "ada@example.com", List.of(7L, 3L), List.of(12L));

    private StubServer server;
    private GatewayClient client;
    private final List<Duration> roundTrips = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new StubServer();
        client = new GatewayClient(server.baseUrl(), Secret.ofTrusted(TOKEN), Duration.ofSeconds(2), roundTrips::add);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static RequestedLabel label(String text) {
        return RequestedLabel.parse(text).orElseThrow();
    }

    @Test
    void code_allowed_sendsTokenAndOnBehalfHeadersAndReadsTheCode() {
        server.answer(Answer.json(200, "{\"client\":\"acme\",\"service\":\"aws-prod\",\"code\":\"123456\",\"valid_for\":21,"
                + "\"timestamp\":\"2026-03-01T10:00:09Z\",\"future_field\":true}"));

        GatewayResult<TotpResponse> r = client.code(label("acme-aws-prod"), ADA, "zulip-message-99");

        assertThat(r).isEqualTo(new GatewayResult.Ok<>(new TotpResponse("acme", "aws-prod", "123456", 21, "2026-03-01T10:00:09Z", null, null)));
        StubServer.Received sent = server.received().get(0);
        assertThat(sent.method()).isEqualTo("GET");
        assertThat(sent.pathAndQuery()).isEqualTo("/totp/acme/aws-prod");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(sent.header(OnBehalfOf.USER_ID)).isEqualTo("42");
        assertThat(sent.header(OnBehalfOf.EMAIL)).isEqualTo("ada@example.com");
        assertThat(sent.header(OnBehalfOf.GROUPS)).as("sorted ids").isEqualTo("3,7");
        assertThat(sent.header(OnBehalfOf.CHANNEL_IDS)).isEqualTo("12");
        assertThat(sent.header(OnBehalfOf.REQUEST_ID)).isEqualTo("zulip-message-99");
        assertThat(sent.header(OnBehalfOf.LEGACY_CHANNEL_NAMES)).as("channel names are never sent").isNull();
        assertThat(roundTrips).hasSize(1);
    }

    @Test
    void code_noGroupsNoChannelsUnsafeEmail_omitsThoseHeaders() {
        server.answer(Answer.json(200, "{\"client\":\"acme\",\"service\":\"aws\",\"code\":\"123456\",\"valid_for\":3,\"timestamp\":\"t\"}"));

        client.code(label("acme-aws"), new Requester(5, "bad email", List.of(), List.of()), "bad id\n");

        StubServer.Received sent = server.received().get(0);
        assertThat(sent.header(OnBehalfOf.USER_ID)).isEqualTo("5");
        assertThat(sent.header(OnBehalfOf.EMAIL)).isNull();
        assertThat(sent.header(OnBehalfOf.GROUPS)).isNull();
        assertThat(sent.header(OnBehalfOf.CHANNEL_IDS)).isNull();
        assertThat(sent.header(OnBehalfOf.REQUEST_ID)).isNull();
    }

    @Test
    void code_forbidden_isARefusalWithTheGatewaysRequestId() {
        server.answer(Answer.json(403, "{\"error\":{\"code\":\"forbidden\",\"message\":\"no\",\"request_id\":\"r-1\"}}")
                .with(OnBehalfOf.REQUEST_ID, "r-1"));

        GatewayResult<TotpResponse> r = client.code(label("acme-aws"), ADA, "zulip-message-1");

        assertThat(r).isEqualTo(new GatewayResult.Refused<>(Refusal.FORBIDDEN, "forbidden", null, "r-1", null));
    }

    @Test
    void code_dailyCapReached_carriesRetryAfterAndTheCap() {
        server.answer(Answer.json(429, "{\"error\":{\"code\":\"daily_cap_reached\",\"message\":\"m\",\"daily_cap\":3}}")
                .with("Retry-After", "3600"));

        GatewayResult<TotpResponse> r = client.code(label("acme-aws"), ADA, null);

        assertThat(r).isEqualTo(new GatewayResult.Refused<>(Refusal.DAILY_CAP_REACHED, "daily_cap_reached",
                Duration.ofHours(1), null, 3));
    }

    @Test
    void code_malformedRetryAfter_isIgnored() {
        server.answer(Answer.json(429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"m\"}}").with("Retry-After", "-5"));

        GatewayResult<TotpResponse> r = client.code(label("acme-aws"), ADA, null);

        assertThat(r).isEqualTo(new GatewayResult.Refused<>(Refusal.RATE_LIMITED, "rate_limited", null, null, null));
    }

    @Test
    void code_proxyErrorPage_5xxIsUnreachable4xxIsMisconfigured() {
        server.answer(new Answer(502, java.util.Map.of(), "<html>bad gateway</html>"),
                new Answer(404, java.util.Map.of(), "<html>not here</html>"));

        assertThat(client.code(label("acme-aws"), ADA, null)).isInstanceOf(GatewayResult.Unreachable.class);
        assertThat(client.code(label("acme-aws"), ADA, null))
                .isEqualTo(new GatewayResult.Refused<>(Refusal.BOT_MISCONFIGURED, "http_404", null, null, null));
    }

    @Test
    void code_okWithForeignBody_isUnreachable() {
        server.answer(Answer.json(200, "[1,2,3]"));

        assertThat(client.code(label("acme-aws"), ADA, null)).isInstanceOf(GatewayResult.Unreachable.class);
    }

    @Test
    void labels_allowed_readsTheList() {
        server.answer(Answer.json(200, "{\"labels\":[\"acme-aws\",\"acme-gcp\"]}"));

        assertThat(client.labels(ADA, "zulip-message-2"))
                .isEqualTo(new GatewayResult.Ok<>(new LabelsResponse(List.of("acme-aws", "acme-gcp"))));
        assertThat(server.received().get(0).pathAndQuery()).isEqualTo("/labels");
    }

    @Test
    void code_nothingListening_isUnreachableAfterRetries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        GatewayClient offline = new GatewayClient(URI.create("http://127.0.0.1:" + port), Secret.ofTrusted(TOKEN), Duration.ofSeconds(1));

        GatewayResult<TotpResponse> r = offline.code(label("acme-aws"), ADA, null);

        assertThat(r).isInstanceOf(GatewayResult.Unreachable.class);
        assertThat(((GatewayResult.Unreachable<TotpResponse>) r).reason()).doesNotContain(TOKEN);
        assertThat(offline.reachable()).isFalse();
    }

    @Test
    void code_gatewayTakesTheRequestButDoesNotAnswerInTime_sentOnceNotAgain_labelsAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) {
                        java.net.Socket s = silent.accept();
                        held.add(s);
                        Thread.ofVirtual().start(() -> {
                            try {
                                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
                                if (in.readLine() != null) {
                                    requests.incrementAndGet(); // read, never answered
                                }
                            } catch (java.io.IOException e) {
                                // closed by the test
                            }
                        });
                    }
                } catch (java.io.IOException e) {
                    held.forEach(h -> {
                        try {
                            h.close();
                        } catch (java.io.IOException ignored) {
                            // closing
                        }
                    });
                }
            });
            GatewayClient slow = new GatewayClient(URI.create("http://127.0.0.1:" + silent.getLocalPort()), Secret.ofTrusted(TOKEN),
                    Duration.ofMillis(500));

            GatewayResult<TotpResponse> code = slow.code(label("acme-aws"), ADA, "zulip-message-7");

            assertThat(code).isInstanceOf(GatewayResult.Unreachable.class);
            Thread.sleep(300);
            assertThat(requests.get()).as("a code request that may have been served is not sent again").isEqualTo(1);

            slow.labels(ADA, "zulip-message-8");
            Thread.sleep(300);
            assertThat(requests.get()).as("a label list is asked for again").isGreaterThan(2);
        }
    }

    @Test
    void reachable_anyHttpAnswer_countsAsReachable() {
        server.answer(Answer.json(503, "{}"));

        assertThat(client.reachable()).isTrue();
        assertThat(server.received().get(0).pathAndQuery()).isEqualTo("/healthz");
        assertThat(server.received().get(0).header("Authorization")).as("the probe sends no token").isNull();
    }

    @Test
    void percentEncode_spaceAndSlash_encodedForAPathSegment() {
        assertThat(GatewayClient.percentEncode("a b/c")).isEqualTo("a%20b%2Fc");
    }
}
