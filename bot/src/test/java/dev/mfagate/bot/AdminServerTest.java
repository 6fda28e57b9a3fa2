package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin port of a running bot, over real HTTP. */
class AdminServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private ZulipEmulator zulip;
    private BotHarness harness;

    private com.sun.net.httpserver.HttpServer gatewayHealth;

    private void start(Clock zulipClock) throws Exception {
        start(zulipClock, BotConversationTest.closedPort());
    }

    private void start(Clock zulipClock, URI gateway) throws Exception {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofMillis(500)).clock(zulipClock).validateAgainstSpec(true).build().start();
        int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        harness = BotHarness.start(zulip, bot, gateway, "t0ken-for-tests", Map.of());
    }

    /** A stand-in for the gateway's {@code /healthz} over loopback: the bot's readiness probe needs only an HTTP answer. */
    private URI gatewayHealth() throws Exception {
        gatewayHealth = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        gatewayHealth.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        gatewayHealth.start();
        return URI.create("http://127.0.0.1:" + gatewayHealth.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        if (gatewayHealth != null) {
            gatewayHealth.stop(0);
        }
        if (zulip != null) {
            try {
                zulip.assertNoSpecViolations();
            } finally {
                zulip.close();
            }
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(harness.adminUrl().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthz_runningBot_isOk() throws Exception {
        start(Clock.systemUTC());
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void readyz_gatewayUnreachable_isNotReady() throws Exception {
        start(Clock.systemUTC());
        HttpResponse<String> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"status\":\"not_ready\"").contains("\"zulip_queue_registered\":true")
                .contains("\"gateway_reachable\":false");
    }

    @Test
    void readyz_zulipClockSkewed_reportsDegradedSkew() throws Exception {
        start(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-30)));
        HttpResponse<String> r = get("/readyz");
        assertThat(r.body()).contains("\"clock_skew_degraded\":true");
        assertThat(get("/metrics").body()).containsPattern("mfagate_bot_clock_skew_seconds \\d\\d");
        assertThat(Files.readLog()).contains("clock skew against the Zulip server is beyond the threshold");
    }

    @Test
    void readyz_longPollAnswersWithOldDate_staysReadyWithoutSkewWarning() throws Exception {
        start(Clock.systemUTC(), gatewayHealth());
        assertThat(get("/readyz").body()).contains("\"status\":\"ready\"");
        long warningsBefore = skewWarnings();
        // Only long polls run while the bot is idle; their Date now says 60 s ago, as a Date stamped when a
        // poll started would after a quiet spell.
        zulip.setClock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-60)));
        double heartbeats = heartbeats();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && heartbeats() < heartbeats + 3) {
            Thread.sleep(50);
        }
        assertThat(heartbeats()).as("long polls answered under the old clock").isGreaterThanOrEqualTo(heartbeats + 3);
        HttpResponse<String> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"ready\"").contains("\"clock_skew_degraded\":false");
        assertThat(skewWarnings()).as("no skew warning from long-poll answers").isEqualTo(warningsBefore);
    }

    private double heartbeats() {
        io.micrometer.core.instrument.Counter c = harness.registry.find("mfagate.bot.events.received").tag("type", "heartbeat").counter();
        return c == null ? 0 : c.count();
    }

    private static long skewWarnings() throws Exception {
        return Files.readLog().lines().filter(l -> l.contains("clock skew against the Zulip server is beyond the threshold")).count();
    }

    @Test
    void metrics_afterTraffic_exportBotAndJvmMeters() throws Exception {
        start(Clock.systemUTC());
        int ada = zulip.addUser("Ada", "ada@example.com", false);
        zulip.sendDirectMessage(ada, List.of(harness.botUserId), "help");
        zulip.awaitMessage(m -> m.senderId() == harness.botUserId, Duration.ofSeconds(10));
        long heartbeatDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < heartbeatDeadline
                && !get("/metrics").body().contains("mfagate_bot_events_received_total{type=\"heartbeat\"}")) {
            Thread.sleep(50); // the emulator sends a heartbeat every 500 ms
        }
        String body = get("/metrics").body();
        assertThat(body).contains("mfagate_bot_events_received_total{type=\"message\"}")
                .contains("mfagate_bot_events_received_total{type=\"heartbeat\"}")
                .contains("mfagate_bot_replies_sent_total{kind=\"help\"}")
                .contains("mfagate_bot_reconnects_total")
                .contains("jvm_memory_used_bytes");
        zulip.dropEventQueues(harness.botUserId);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !get("/metrics").body().contains("mfagate_bot_reconnects_total 1.0")) {
            Thread.sleep(50);
        }
        assertThat(get("/metrics").body()).contains("mfagate_bot_reconnects_total 1.0");
    }

    @Test
    void unknownPath_is404_andPost_is405() throws Exception {
        start(Clock.systemUTC());
        assertThat(get("/healthz/x").statusCode()).isEqualTo(404);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(harness.adminUrl().resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }

    /** The test log file, which logback-test.xml writes. */
    static final class Files {
        static String readLog() throws Exception {
            return java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("mfagate.bot.test.log", "target/bot-test.log")));
        }
    }
}
