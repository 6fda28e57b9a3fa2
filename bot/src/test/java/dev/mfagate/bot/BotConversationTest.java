package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bot's conversation rules that need no gateway answer, over real sockets: the emulator is a real
 * Zulip stand-in; the gateway is a port nobody listens on (what the bot meets when the gateway is down).
 */
class BotConversationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ZulipEmulator zulip;
    private BotHarness harness;
    private int bot;
    private int ada;
    private int grace;
    private int otherBot;

    @BeforeEach
    void start() throws Exception {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
        grace = zulip.addUser("Grace Hopper", "grace@example.com", false);
        otherBot = zulip.addUser("Other Bot", "other-bot@example.com", true);
        zulip.addChannel("ops");
        zulip.subscribe(bot, "ops");
        zulip.subscribe(ada, "ops");
        harness = BotHarness.start(zulip, bot, closedPort(), "no-gateway-token", Map.of());
    }

    @AfterEach
    void stop() {
        try {
            harness.close();
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    static URI closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    private EmulatedMessage replyTo(int userId, String containing) {
        return zulip.awaitMessage(m -> m.senderId() == bot && m.recipientIds().contains(userId) && m.content().contains(containing), WAIT);
    }

    @Test
    void help_inDirectMessage_answersUsage() {
        zulip.sendDirectMessage(ada, List.of(bot), "  !MFA-help ");
        assertThat(replyTo(ada, "!mfa list").kind()).isEqualTo(EmulatedMessage.Kind.DIRECT);
    }

    @Test
    void unknownText_inDirectMessage_getsShortHint() {
        zulip.sendDirectMessage(ada, List.of(bot), "good morning");
        assertThat(replyTo(ada, "didn't understand").content()).contains("!mfa-<client>-<service>");
    }

    @Test
    void codeRequest_inGroupDirectMessage_isRefusedNamingWhy() {
        zulip.sendDirectMessage(ada, List.of(bot, grace), "!mfa-client-demo");
        EmulatedMessage refusal = replyTo(ada, "group direct message");
        assertThat(refusal.recipientIds()).contains(ada, grace);
        assertThat(refusal.content()).contains("everyone here would see");
    }

    @Test
    void codeRequest_gatewayDown_getsDistinctPlainReply() {
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        EmulatedMessage reply = replyTo(ada, "can't reach the code service");
        assertThat(reply.content()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    @Test
    void codeRequest_zulipTakesTheReplyOnlyAfterTheCodeExpired_memberIsToldWhyAndTheCodeIsTakenDown() throws Exception {
        harness.close();
        try (StubServer gateway = new StubServer()) {
            gateway.answer(StubServer.Answer.json(200, "{\"client\":\"acme\",\"service\":\"aws\",\"code\":\"314159\",\"valid_for\":1,"
                    + "\"timestamp\":\"" + java.time.Instant.now() + "\"}"));
            harness = BotHarness.start(zulip, bot, gateway.baseUrl(), "gateway-token",
                    Map.of("MFAGATE_BOT_BACKOFF_BASE_MS", "1000", "MFAGATE_BOT_BACKOFF_MAX_MS", "1000"));
            // Three failed posts of the reply, a second apart: it lands after its one second of validity.
            zulip.faults().failNext(3, dev.mfagate.zulip.emulator.FaultKind.SERVER_ERROR,
                    dev.mfagate.zulip.emulator.FaultTarget.of("POST", "/messages"));
            zulip.sendDirectMessage(ada, List.of(bot), "!mfa-acme-aws");

            EmulatedMessage late = replyTo(ada, "Zulip took my reply only after its code had expired");
            assertThat(late.content()).contains("`!mfa-acme-aws`").doesNotContain("314159");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && zulip.messages().stream()
                    .anyMatch(m -> m.senderId() == bot && m.content().contains("314159") && !m.deleted())) {
                Thread.sleep(100);
            }
            assertThat(zulip.messages()).as("the late code reply is taken down")
                    .noneMatch(m -> m.senderId() == bot && m.content().contains("314159") && !m.deleted());
        }
    }

    @Test
    void channelMessage_withoutMention_isIgnored_withMention_isAnswered() {
        zulip.sendChannelMessage(ada, "ops", "general", "!mfa-client-demo");
        zulip.sendChannelMessage(ada, "ops", "general", "@**MFA Bot** help");
        EmulatedMessage help = zulip.awaitMessage(m -> m.senderId() == bot && "ops".equals(m.channel()), WAIT);
        assertThat(help.content()).contains("!mfa list");
        assertThat(help.topic()).isEqualTo("general");
        assertThat(zulip.messagesFrom(bot)).as("the unaddressed message got nothing").hasSize(1);
    }

    @Test
    void messages_fromOtherBots_areIgnored() throws Exception {
        zulip.sendDirectMessage(otherBot, List.of(bot), "!mfa-client-demo");
        zulip.sendDirectMessage(ada, List.of(bot), "help");
        replyTo(ada, "!mfa list");
        Thread.sleep(300);
        assertThat(zulip.messagesFrom(bot)).extracting(EmulatedMessage::recipientIds).noneMatch(r -> r.contains(otherBot));
    }

    @Test
    void queueLost_messagesInTheGap_areAnsweredExactlyOnce() throws Exception {
        zulip.sendDirectMessage(ada, List.of(bot), "help");
        replyTo(ada, "!mfa list");
        for (int round = 0; round < 5; round++) {
            zulip.dropEventQueues(bot);
            zulip.sendDirectMessage(ada, List.of(bot), "hello " + round);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && hints() < 5) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
        assertThat(hints()).as("each message in a queue gap answered, none twice").isEqualTo(5);
    }

    private long hints() {
        return zulip.messagesFrom(bot).stream().filter(m -> m.content().contains("didn't understand")).count();
    }
}
