package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mfagate.zulip.emulator.TestClient.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fault injection seen from a real HTTP client; exchanges are still checked against the spec. */
class FaultsTest {
    private ZulipEmulator zulip;
    private int bot;
    private int alice;
    private TestClient botClient;

    @BeforeEach
    void start() {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        alice = zulip.addUser("Alice", "alice@example.com", false);
        botClient = new TestClient(zulip, bot);
    }

    @AfterEach
    void stop() {
        try {
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    @Test
    void rateLimit_onNextRequest_answers429WithRetryAfterFieldAndHeader() throws Exception {
        zulip.faults().setRetryAfterSeconds(7).failNext(1, FaultKind.RATE_LIMIT);

        Reply limited = botClient.get("/users/me");
        Reply next = botClient.get("/users/me");

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo(Json.parseOrNull("{\"result\":\"error\",\"code\":\"RATE_LIMIT_HIT\","
                + "\"msg\":\"API usage exceeded rate limit\",\"retry-after\":7}"));
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(next.status()).isEqualTo(200);
        assertThat(zulip.validatedExchangeCount()).as("the 429 is checked against the spec too").isEqualTo(2);
    }

    @Test
    void serverError_withStatus502_answersZulipStyleBody() throws Exception {
        zulip.faults().setServerErrorStatus(502).failNext(1, FaultKind.SERVER_ERROR);

        Reply reply = botClient.get("/users/me");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.body().get("result").asText()).isEqualTo("error");
        assertThat(reply.body().get("msg").asText()).isEqualTo("Bad gateway");
    }

    @Test
    void dropConnection_onPost_clientSeesIOExceptionAndNothingIsStored() throws Exception {
        zulip.faults().failNext(1, FaultKind.DROP_CONNECTION, FaultTarget.of("POST", "/messages"));

        assertThatThrownBy(() -> botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "123456"))
                .isInstanceOf(IOException.class);
        assertThat(zulip.messages()).isEmpty();
        assertThat(botClient.get("/users/me").status()).isEqualTo(200);
    }

    @Test
    void dropConnection_twiceOnGet_clientSeesIOException() throws Exception {
        // java.net.http retries an idempotent request once when its connection closes before any response byte,
        // so a GET needs two drops in a row before the caller sees the failure.
        zulip.faults().failNext(2, FaultKind.DROP_CONNECTION);

        assertThatThrownBy(() -> botClient.get("/users/me")).isInstanceOf(IOException.class);
        assertThat(zulip.faults().injected()).hasSize(2);
    }

    @Test
    void dropConnection_onceOnGet_isRetriedByJdkClient() throws Exception {
        zulip.faults().failNext(1, FaultKind.DROP_CONNECTION);

        assertThat(botClient.get("/users/me").status()).isEqualTo(200);
        assertThat(zulip.faults().injected()).extracting(Faults.InjectedFault::kind).containsExactly(FaultKind.DROP_CONNECTION);
    }

    @Test
    void badEventQueueId_dropsCallersQueue_thenRegisterRecovers() throws Exception {
        String queue = botClient.register();
        zulip.faults().failNext(1, FaultKind.BAD_EVENT_QUEUE_ID, FaultTarget.path("/events"));

        Reply lost = botClient.get("/events", "queue_id", queue, "dont_block", "true");
        String fresh = botClient.register();
        zulip.sendDirectMessage(alice, List.of(bot), "after the gap");
        Reply events = botClient.get("/events", "queue_id", fresh, "last_event_id", "-1", "dont_block", "true");

        assertThat(lost.status()).isEqualTo(400);
        assertThat(lost.code()).isEqualTo("BAD_EVENT_QUEUE_ID");
        assertThat(lost.body().get("queue_id").asText()).isEqualTo(queue);
        assertThat(events.body().get("events").findValuesAsText("content")).containsExactly("after the gap");
    }

    @Test
    void slow_onNextRequest_delaysThenAnswersNormally() throws Exception {
        zulip.faults().setSlowDelay(Duration.ofMillis(400)).failNext(1, FaultKind.SLOW);
        long started = System.nanoTime();

        Reply reply = botClient.get("/users/me");

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(400);
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void slowAnswer_onPost_storesTheMessageBeforeTheLateAnswer() throws Exception {
        zulip.faults().setSlowAnswerDelay(Duration.ofMillis(600)).failNext(1, FaultKind.SLOW_ANSWER, FaultTarget.of("POST", "/messages"));
        long started = System.nanoTime();
        java.util.concurrent.CompletableFuture<Reply> late = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "123456");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        EmulatedMessage stored = zulip.awaitMessage(m -> m.content().equals("123456"), Duration.ofSeconds(5));
        boolean answeredWhenStored = late.isDone();
        Reply reply = late.get(5, TimeUnit.SECONDS);

        assertThat(answeredWhenStored).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(600);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("id").asInt()).isEqualTo(stored.id());
        assertThat(zulip.messages()).hasSize(1);
    }

    @Test
    void failNext_withTarget_hitsOnlyMatchingMethodAndPath() throws Exception {
        zulip.faults().failNext(2, FaultKind.SERVER_ERROR, FaultTarget.of("POST", "/messages"));

        Reply me = botClient.get("/users/me");
        Reply first = botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "1");
        Reply reaction = botClient.post("/messages/1/reactions", "emoji_name", "lock");
        Reply second = botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "2");
        Reply third = botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "3");

        assertThat(me.status()).isEqualTo(200);
        assertThat(first.status()).isEqualTo(500);
        assertThat(reaction.status()).as("a reaction is not POST /messages").isEqualTo(400);
        assertThat(second.status()).isEqualTo(500);
        assertThat(third.status()).isEqualTo(200);
        assertThat(zulip.messages()).extracting(EmulatedMessage::content).containsExactly("3");
        assertThat(zulip.faults().injected()).extracting(Faults.InjectedFault::path).containsExactly("/messages", "/messages");
    }

    @Test
    void randomFaults_withSameSeed_repeatExactly() throws Exception {
        List<Integer> firstRun = statuses(42);
        List<Integer> secondRun = statuses(42);

        assertThat(firstRun).isEqualTo(secondRun);
        assertThat(firstRun).contains(200, 503);
    }

    private List<Integer> statuses(long seed) throws Exception {
        zulip.faults().clear();
        zulip.faults().seed(seed).setServerErrorStatus(503).setRate(FaultKind.SERVER_ERROR, 0.5);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            statuses.add(botClient.get("/users/me").status());
        }
        zulip.faults().clear();
        return statuses;
    }

    @Test
    void humanMessage_underFlakyEventPolling_isDeliveredExactlyOnce() throws Exception {
        String queue = botClient.register();
        zulip.faults().seed(7).setRate(FaultKind.SERVER_ERROR, 0.4, FaultTarget.path("/events"));
        zulip.faults().failNext(1, FaultKind.DROP_CONNECTION, FaultTarget.path("/events"));
        int sent = zulip.sendDirectMessage(alice, List.of(bot), "!mfa-acme-aws");
        List<Integer> seen = new ArrayList<>();
        int lastEventId = -1;

        for (int attempt = 0; attempt < 20 && seen.isEmpty(); attempt++) {
            Reply reply;
            try {
                reply = botClient.get("/events", "queue_id", queue, "last_event_id", Integer.toString(lastEventId), "dont_block", "true");
            } catch (IOException dropped) {
                continue;
            }
            if (reply.status() != 200) {
                continue;
            }
            for (JsonNode event : reply.body().get("events")) {
                lastEventId = event.get("id").asInt();
                if (event.get("type").asText().equals("message")) {
                    seen.add(event.get("message").get("id").asInt());
                }
            }
        }
        zulip.faults().clear();
        Reply after = botClient.get("/events", "queue_id", queue, "last_event_id", Integer.toString(lastEventId), "dont_block", "true");

        assertThat(seen).containsExactly(sent);
        assertThat(after.body().get("events")).isEmpty();
        assertThat(zulip.messages()).hasSize(1);
        assertThat(zulip.faults().injected()).isNotEmpty();
    }
}
