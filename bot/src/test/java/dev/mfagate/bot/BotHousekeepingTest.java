package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.zulip.emulator.ApiCall;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Work nobody waits for (expiring code replies, reading back a queue gap) against replies to people, and
 * what shutdown does with replies still showing a code: the real bot against the emulator over loopback,
 * with a slow outbound rate guard so that requests queue. Order is read from the emulator's log of answered
 * calls, not from timings. The gateway is a closed port: {@code help} needs none.
 */
class BotHousekeepingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZulipEmulator zulip;
    private BotHarness harness;
    private int bot;
    private int ada;
    private int callsBeforeBot;

    @BeforeEach
    void startZulip() {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
    }

    @AfterEach
    void stop() {
        try {
            if (harness != null) {
                harness.close();
            }
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    private void startBot(Map<String, String> settings) throws Exception {
        warmUpSpecValidator();
        callsBeforeBot = zulip.apiCalls().size();
        harness = BotHarness.start(zulip, bot, BotConversationTest.closedPort(), "no-gateway-token", settings);
    }

    /**
     * The emulator checks every exchange against Zulip's description, and the first check of an operation in a
     * JVM can take seconds on a busy machine, delaying that answer: these tests compare orders of requests,
     * so every operation they use is checked once before the bot starts.
     */
    private void warmUpSpecValidator() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString((zulip.email(bot) + ":" + zulip.apiKey(bot)).getBytes(StandardCharsets.UTF_8));
        int id = zulip.sendDirectMessage(bot, List.of(ada), "warm-up");
        for (String[] call : List.of(new String[] {"GET", "/users/" + ada, ""}, new String[] {"GET", "/messages/" + id, ""},
                new String[] {"POST", "/messages", "type=direct&to=%5B" + ada + "%5D&content=warm-up"},
                new String[] {"DELETE", "/messages/" + id, ""})) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(zulip.apiUrl() + call[1])).header("Authorization", auth);
            if (call[2].isEmpty()) {
                b.method(call[0], HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/x-www-form-urlencoded").method(call[0], HttpRequest.BodyPublishers.ofString(call[2]));
            }
            assertThat(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("warm-up %s %s", call[0], call[1]).isEqualTo(200);
        }
    }

    /** {@code count} messages from the bot standing in for code replies (no real code in them). */
    private List<Integer> botReplies(int count) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(zulip.sendDirectMessage(bot, List.of(ada), "**client-demo**: a stand-in for a code reply"));
        }
        return ids;
    }

    private EmulatedMessage helpReplyTo(int user) {
        return zulip.awaitMessage(m -> m.senderId() == bot && m.recipientIds().contains(user) && m.content().contains("!mfa list"), WAIT);
    }

    /** How many calls matching {@code method} and {@code pathRegex} the emulator answered after the bot's first {@code POST /messages} (its reply). */
    private long callsAfterFirstReply(String method, String pathRegex) throws InterruptedException {
        // The message is stored before the call is listed as answered: wait for the listing.
        List<ApiCall> calls = zulip.apiCalls();
        int reply = -1;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (reply < 0 && System.nanoTime() < deadline) {
            calls = zulip.apiCalls();
            for (int i = callsBeforeBot; i < calls.size() && reply < 0; i++) {
                if (calls.get(i).is("POST", "/messages")) {
                    reply = i;
                }
            }
            if (reply < 0) {
                Thread.sleep(10);
            }
        }
        assertThat(reply).as("the bot sent a reply").isNotNegative();
        return calls.subList(reply + 1, calls.size()).stream().filter(c -> c.is(method, pathRegex)).count();
    }

    @Test
    void reply_whileExpiredRepliesQueueForDeletion_isSentAheadOfThem() throws Exception {
        startBot(Map.of("MFAGATE_BOT_SEND_RATE", "4", "MFAGATE_BOT_SEND_BURST", "1"));
        List<Integer> expiring = botReplies(24);
        Instant now = Instant.now();
        expiring.forEach(id -> harness.expireAt(id, "client-demo", now));
        zulip.awaitMessage(m -> expiring.contains(m.id()) && m.deleted(), WAIT); // deletions under way, the rest queued

        zulip.sendDirectMessage(ada, List.of(bot), "help");
        helpReplyTo(ada);
        for (int id : expiring) {
            zulip.awaitMessage(m -> m.id() == id && m.deleted(), WAIT);
        }

        // The reply needs two requests (the sender's lookup, the reply): at 4/s a few deletions pass meanwhile,
        // more on a busy machine, but not half of them. Queued behind the deletions, it would come after all.
        assertThat(callsAfterFirstReply("DELETE", "/messages/\\d+")).as("deletions still queued when the reply went out: %s",
                        zulip.apiCalls().subList(callsBeforeBot, zulip.apiCalls().size()))
                .isGreaterThanOrEqualTo(12);
    }

    @Test
    void catchUp_longQueueGap_newMessagesAreAnsweredWhileItIsRead() throws Exception {
        int carol = zulip.addUser("Carol", "carol@example.com", false);
        zulip.addChannel("elsewhere");
        zulip.subscribe(carol, "elsewhere");
        zulip.sendChannelMessage(carol, "elsewhere", "chatter", "before the bot"); // the bot starts with a message id to count from
        startBot(Map.of("MFAGATE_BOT_SEND_RATE", "5", "MFAGATE_BOT_SEND_BURST", "1"));
        // Messages the bot gets no event for (it is not in #elsewhere) widen the gap it reads back: 25 reads at 5/s.
        int lastChatter = 0;
        for (int i = 0; i < 25; i++) {
            lastChatter = zulip.sendChannelMessage(carol, "elsewhere", "chatter", "message " + i);
        }
        zulip.dropEventQueues(bot);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && zulip.waitingPolls(bot) == 0) {
            Thread.sleep(10); // registered again and polling (after the catch-up, where it blocks the poll)
        }
        assertThat(zulip.waitingPolls(bot)).as("the bot polls its new queue").isPositive();

        zulip.sendDirectMessage(ada, List.of(bot), "help");
        helpReplyTo(ada);
        String lastOfGap = "/messages/" + lastChatter;
        deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && zulip.apiCalls().stream().noneMatch(c -> c.is("GET", lastOfGap))) {
            Thread.sleep(20); // the catch-up reads the gap to its end
        }

        assertThat(callsAfterFirstReply("GET", "/messages/\\d+")).as("the gap was still being read when the new message was answered: %s",
                        zulip.apiCalls().subList(callsBeforeBot, zulip.apiCalls().size()))
                .isPositive();
    }

    @Test
    void shutdown_manyPendingCodeReplies_allDeletedBeforeTheBotStops() throws Exception {
        startBot(Map.of());
        List<Integer> pending = botReplies(60);
        Instant later = Instant.now().plus(Duration.ofHours(1));
        pending.forEach(id -> harness.expireAt(id, "client-demo", later));
        assertThat(harness.bot.pendingExpiries()).isEqualTo(60);

        harness.close();

        assertThat(zulip.messages().stream().filter(m -> pending.contains(m.id()) && !m.deleted()).toList())
                .as("no code reply left showing").isEmpty();
        assertThat(harness.bot.pendingExpiries()).isZero();
        assertThat(logLines("every code reply still showing was taken down before shutdown")).isNotEmpty();
    }

    @Test
    void shutdown_graceTooShortForAllDeletions_logsHowManyAndWhichMessageIdsAreLeft() throws Exception {
        startBot(Map.of("MFAGATE_BOT_SEND_RATE", "5", "MFAGATE_BOT_SEND_BURST", "1", "MFAGATE_BOT_SHUTDOWN_GRACE_MS", "1000"));
        List<Integer> pending = botReplies(30);
        Instant later = Instant.now().plus(Duration.ofHours(1));
        pending.forEach(id -> harness.expireAt(id, "client-demo", later));
        int warningsBefore = logLines("code replies still show a code").size();

        harness.close();

        Set<Long> showing = new TreeSet<>();
        zulip.messages().stream().filter(m -> pending.contains(m.id()) && !m.deleted()).forEach(m -> showing.add((long) m.id()));
        assertThat(showing).as("a 1 s grace at 5 deletions/s cannot take down 30").isNotEmpty();
        assertThat(showing.size()).as("but some went").isLessThan(30);
        List<JsonNode> warnings = logLines("code replies still show a code");
        assertThat(warnings).hasSize(warningsBefore + 1);
        JsonNode warning = warnings.getLast();
        Set<Long> logged = new TreeSet<>();
        warning.path("message_ids").forEach(id -> logged.add(id.asLong()));
        assertThat(logged).as("the log names exactly the replies left showing").isEqualTo(showing);
        assertThat(warning.path("left").asInt()).isEqualTo(showing.size());
        assertThat(warning.path("message").asText()).startsWith(showing.size() + " code replies still show a code");
    }

    @Test
    void shutdown_zulipGone_stopsWithinTheGraceInsteadOfRetryingTheQueueDeletionForMinutes() throws Exception {
        startBot(Map.of("MFAGATE_BOT_SHUTDOWN_GRACE_MS", "1000"));
        zulip.sendDirectMessage(ada, List.of(bot), "help");
        helpReplyTo(ada); // answered: the bot holds an event queue, which it deletes when it stops
        int before = logLines("could not delete the event queue").size();
        zulip.close();

        // Without its own budget the deletion retried for the client's ten minutes while Zulip refused connections.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), harness::close,
                "the bot stops within its grace and a request timeout");

        assertThat(logLines("could not delete the event queue")).as("and says that the queue was left to Zulip").hasSize(before + 1);
        assertThat(logLines("bot stopped")).isNotEmpty();
    }

    private static List<JsonNode> logLines(String containing) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : SecretScan.logLines()) {
            if (line.contains(containing)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }
}
