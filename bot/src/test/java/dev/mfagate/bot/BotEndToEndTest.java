package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.api.LabelsResponse;
import dev.mfagate.bot.gateway.GatewayClient;
import dev.mfagate.bot.gateway.GatewayResult;
import dev.mfagate.bot.gateway.Requester;
import dev.mfagate.bot.secret.Secret;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over loopback: the Zulip emulator, the real gateway jar (a subprocess with its own encrypted
 * store, seeds imported through its CLI) and the real bot. Every Zulip exchange is held to zulip.yaml.
 */
class BotEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern VALID_FOR = Pattern.compile("valid for (\\d+) s\\)");
    /** The stream id of #ops: each test's emulator creates it first, and the emulator numbers streams from 1. */
    private static final int OPS_STREAM_ID = 1;

    @TempDir
    static Path dataDir;
    private static GatewayProcess gateway;
    private static String token;
    private static String noBehalfToken;

    private ZulipEmulator zulip;
    private BotHarness harness;
    private int bot;
    private int ada;
    private int grace;
    private boolean codesMayRemain;

    @BeforeAll
    static void startGateway() throws Exception {
        String dir = dataDir.toString();
        GatewayProcess.cli(null, "init", "--data-dir", dir);
        GatewayProcess.cli(TestSeeds.DEMO + "\n", "seed", "add", "client-demo", "--data-dir", dir);
        GatewayProcess.cli(TestSeeds.FAST + "\n", "seed", "add", "client-fast", "--data-dir", dir);
        GatewayProcess.cli(TestSeeds.DEMO + "\n", "seed", "add", "other-secret", "--data-dir", dir);
        GatewayProcess.cli(TestSeeds.DEMO + "\n", "seed", "add", "client-capped", "--data-dir", dir);
        token = GatewayProcess.cli(null, "token", "create", "--name", "zulip-bot", "--labels", "client-*", "--on-behalf", "--data-dir", dir);
        assertThat(token).as("token create prints the token alone").doesNotContain(" ").isNotEmpty();
        SecretScan.CREDENTIALS.add(token);
        noBehalfToken = GatewayProcess.cli(null, "token", "create", "--name", "not-a-bot", "--labels", "client-*", "--data-dir", dir);
        SecretScan.CREDENTIALS.add(noBehalfToken);
        // Policy: members of #ops, by stream id, may have client-* codes. Everyone else is denied by default.
        GatewayProcess.cli(null, "grant", "channel:" + OPS_STREAM_ID, "client-*", "--data-dir", dir);
        // Generous rate limits (the tests reuse user ids across emulators); lockout after three denials.
        // No next code in replies: a client-fast reply then expires one second after its code (plus the
        // bot's grace), instead of one step later.
        gateway = GatewayProcess.serve("--data-dir", dir, "--next-code-threshold", "0s", "--rate-limit-label", "1000/1m",
                "--rate-limit-principal", "1000/1m", "--rate-limit-token", "10000/1m", "--lockout-after", "3");
    }

    @AfterAll
    static void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        List<String> findings = SecretScan.findings("bot log line", SecretScan.logLines());
        assertThat(findings).as("no code and no token in anything the bot logged").isEmpty();
        assertThat(SecretScan.CODES).as("the scan had codes to look for").isNotEmpty();
    }

    @BeforeEach
    void startZulip() {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
        grace = zulip.addUser("Grace Hopper", "grace@example.com", false);
        SecretScan.CREDENTIALS.add(zulip.apiKey(bot));
        assertThat(zulip.addChannel("ops")).isEqualTo(OPS_STREAM_ID);
        zulip.subscribe(bot, "ops");
        zulip.subscribe(ada, "ops");
        // Grace is not in #ops: the gateway's policy denies her.
        // A second channel with a comma and non-ASCII letters in its name: the bot sends stream ids only.
        zulip.addChannel("équipe, nord");
        zulip.subscribe(ada, "équipe, nord");
    }

    private void startBot(Map<String, String> overrides) throws Exception {
        harness = BotHarness.start(zulip, bot, gateway.url(), token, overrides);
    }

    @AfterEach
    void stop() {
        try {
            if (harness != null) {
                harness.close(); // graceful: pending replies are expired before the queue is deleted
            }
            if (!codesMayRemain) {
                List<String> contents = zulip.messages().stream().filter(m -> !m.deleted()).map(EmulatedMessage::content).toList();
                assertThat(SecretScan.findings("Zulip message", contents)).as("no code left in Zulip after expiry").isEmpty();
            }
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    private EmulatedMessage dmFromBot(int to, String containing) {
        return zulip.awaitMessage(m -> m.senderId() == bot && m.kind() == EmulatedMessage.Kind.DIRECT
                && m.recipientIds().contains(to) && m.content().contains(containing), WAIT);
    }

    @Test
    void directMessage_codeRequest_replyHoldsTheTotpOfThatInstant() throws Exception {
        startBot(Map.of());
        Instant before = Instant.now();
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        EmulatedMessage reply = dmFromBot(ada, "client-demo");
        Instant after = Instant.now();
        List<String> codes = SecretScan.recordCodes(reply.content());
        assertThat(codes).isNotEmpty();
        Set<String> expected = TestSeeds.codesBetween(TestSeeds.DEMO, before, after);
        assertThat(codes.get(0)).as("the code is the TOTP for the moment of the request").isIn(expected);
        Matcher m = VALID_FOR.matcher(reply.content());
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isBetween(1, 30);
        assertThat(reply.recipientIds()).as("a one-to-one DM with the requester").containsExactly(ada);
    }

    @Test
    void channelMention_codeRequest_answeredThereWithoutCode_codeByDirectMessage() throws Exception {
        startBot(Map.of());
        zulip.sendChannelMessage(ada, "ops", "deploys", "@**MFA Bot** !mfa-client-demo");
        EmulatedMessage ack = zulip.awaitMessage(m -> m.senderId() == bot && "ops".equals(m.channel()), WAIT);
        EmulatedMessage dm = dmFromBot(ada, "client-demo");
        List<String> codes = SecretScan.recordCodes(dm.content());
        assertThat(ack.topic()).isEqualTo("deploys");
        assertThat(ack.content()).contains("direct message");
        assertThat(SecretScan.findings("channel answer", List.of(ack.content()))).isEmpty();
        assertThat(codes).isNotEmpty();
    }

    @Test
    void groupDirectMessage_codeRequest_isRefusedAndNoCodeIsFetched() throws Exception {
        startBot(Map.of());
        zulip.sendDirectMessage(ada, List.of(bot, grace), "!mfa-client-demo");
        EmulatedMessage refusal = zulip.awaitMessage(m -> m.senderId() == bot, WAIT);
        assertThat(refusal.content()).contains("group direct message");
        assertThat(refusal.content()).doesNotContainPattern("`\\d{6}`");
    }

    @Test
    void expiry_editSetting_replyIsEditedToSayExpired() throws Exception {
        startBot(Map.of("MFAGATE_BOT_EXPIRY_ACTION", "edit"));
        zulip.sendDirectMessage(ada, List.of(bot), "code client-fast");
        EmulatedMessage reply = dmFromBot(ada, "client-fast");
        SecretScan.recordCodes(reply.content());
        EmulatedMessage edited = zulip.awaitMessage(m -> m.id() == reply.id() && m.content().contains("expired"), WAIT);
        assertThat(edited.deleted()).isFalse();
        assertThat(edited.content()).doesNotContainPattern("\\d{6}");
    }

    @Test
    void expiry_defaultSetting_replyIsDeleted() throws Exception {
        startBot(Map.of());
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-fast");
        EmulatedMessage reply = dmFromBot(ada, "client-fast");
        SecretScan.recordCodes(reply.content());
        zulip.awaitMessage(m -> m.id() == reply.id() && m.deleted(), WAIT);
    }

    @Test
    void expiry_organisationForbidsDeleting_replyEditedInsteadAndWarnedOnce() throws Exception {
        zulip.setEveryoneCanDeleteOwnMessages(false);
        long refusalsBefore = deleteRefusals(); // the log file outlives a run: count this test's lines only
        startBot(Map.of());
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-fast");
        EmulatedMessage reply = dmFromBot(ada, "client-fast");
        SecretScan.recordCodes(reply.content());
        EmulatedMessage edited = zulip.awaitMessage(m -> m.id() == reply.id() && m.content().contains("expired"), WAIT);
        assertThat(edited.deleted()).as("deleting is forbidden here").isFalse();
        assertThat(edited.content()).doesNotContainPattern("\\d{6}");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && deleteRefusals() == refusalsBefore) {
            Thread.sleep(50); // the log is written asynchronously
        }
        assertThat(deleteRefusals() - refusalsBefore).as("the refusal is logged once").isEqualTo(1);
    }

    private static long deleteRefusals() throws Exception {
        return SecretScan.logLines().stream().filter(l -> l.contains("refused to delete an expired code reply")).count();
    }

    @Test
    void expiry_organisationForbidsEditing_loggedOnceAndBotCarriesOn() throws Exception {
        codesMayRemain = true; // the organisation keeps them: that is the point of this test
        zulip.setAllowMessageEditing(false);
        startBot(Map.of("MFAGATE_BOT_EXPIRY_ACTION", "edit"));
        long warningsBefore = warnings();
        for (int i = 0; i < 2; i++) {
            zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-fast");
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && (harness.bot.pendingExpiries() > 0 || zulip.messagesFrom(bot).size() < 2)) {
            Thread.sleep(100);
        }
        zulip.messagesFrom(bot).forEach(m -> SecretScan.recordCodes(m.content()));
        assertThat(harness.bot.pendingExpiries()).isZero();
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        SecretScan.recordCodes(dmFromBot(ada, "client-demo").content());
        long logDeadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < logDeadline && warnings() - warningsBefore == 0) {
            Thread.sleep(50); // the log is written asynchronously
        }
        Thread.sleep(200); // a second warning, if there were one, would have had time to arrive
        assertThat(warnings() - warningsBefore).as("the refusal is logged once, not per reply").isEqualTo(1);
    }

    private static long warnings() throws Exception {
        return SecretScan.logLines().stream().filter(l -> l.contains("Zulip refused to edit an expired code reply")).count();
    }

    @Test
    void gatewayRefusals_unknownAndForbidden_getDistinctReplies() throws Exception {
        startBot(Map.of());
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-nope");
        assertThat(dmFromBot(ada, "There is no seed labelled `client-nope`")).isNotNull();
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-other-secret");
        assertThat(dmFromBot(ada, "not allowed to get codes for `other-secret`")).isNotNull();
    }

    @Test
    void policy_personOutsideGrantedChannel_isRefused_thenLockedOut() throws Exception {
        startBot(Map.of());
        for (int i = 0; i < 3; i++) {
            zulip.sendDirectMessage(grace, List.of(bot), "!mfa-client-demo");
            int expected = i + 1;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && refusalsTo(grace, "not allowed") < expected) {
                Thread.sleep(20);
            }
        }
        assertThat(refusalsTo(grace, "not allowed")).as("the gateway's policy decides, through channel membership").isEqualTo(3);
        zulip.sendDirectMessage(grace, List.of(bot), "!mfa-client-demo");
        assertThat(dmFromBot(grace, "locked out for").content()).contains("minute").doesNotContainPattern("`\\d{6}`");
    }

    @Test
    void policy_lookAlikeChannels_refusedByStreamId_realChannelAllowed() throws Exception {
        // Users a test of its own: lockout counts per Zulip user id, and the gateway outlives each emulator.
        for (int i = 0; i < 4; i++) {
            zulip.addUser("Extra " + i, "extra" + i + "@example.com", false);
        }
        int mallory = zulip.addUser("Mallory", "mallory@example.com", false);
        // Zulip keeps these apart from "ops": a leading '#', and a Greek omicron for the 'o'.
        for (String lookAlike : List.of("#ops", "\u03bfps")) {
            zulip.addChannel(lookAlike);
            zulip.subscribe(mallory, lookAlike);
        }
        startBot(Map.of("MFAGATE_BOT_MEMBERSHIP_CACHE_MS", "0"));
        zulip.sendDirectMessage(mallory, List.of(bot), "!mfa-client-demo");
        assertThat(dmFromBot(mallory, "not allowed to get codes for `client-demo`"))
                .as("the look-alikes' own stream ids match no rule").isNotNull();

        zulip.subscribe(mallory, "ops");
        zulip.sendDirectMessage(mallory, List.of(bot), "!mfa-client-demo");
        SecretScan.recordCodes(dmFromBot(mallory, "**client-demo**: `").content());
    }

    private long refusalsTo(int user, String text) {
        return zulip.messagesFrom(bot).stream().filter(m -> m.recipientIds().contains(user) && m.content().contains(text)).count();
    }

    @Test
    void policy_userAndGroupGrants_followZulipUserIdsAndGroupEvents() throws Exception {
        int hedy = zulip.addUser("Hedy Lamarr", "hedy@example.com", false);
        startBot(Map.of());
        int group = zulip.addUserGroup("mfa-fast", "people who may have client-fast");
        zulip.addGroupMembers(group, List.of(hedy)); // learned from a user_group event, not from /user_groups
        GatewayProcess.cli(null, "grant", "user:" + hedy, "client-demo", "--data-dir", dataDir.toString());
        GatewayProcess.cli(null, "grant", "group:" + group, "client-fast", "--data-dir", dataDir.toString());
        awaitGatewayGrants(new Requester(hedy, "hedy@example.com", List.of((long) group), List.of()), "client-demo", "client-fast");
        zulip.sendDirectMessage(hedy, List.of(bot), "!mfa-client-demo");
        SecretScan.recordCodes(dmFromBot(hedy, "**client-demo**: `").content());
        zulip.sendDirectMessage(hedy, List.of(bot), "!mfa-client-fast");
        SecretScan.recordCodes(dmFromBot(hedy, "**client-fast**: `").content());
        double groupEventsBefore = userGroupEvents();
        zulip.removeGroupMembers(group, List.of(hedy));
        awaitUserGroupEventsAbove(groupEventsBefore); // the bot has learned that Hedy left the group
        zulip.sendDirectMessage(hedy, List.of(bot), "!mfa-client-fast");
        assertThat(dmFromBot(hedy, "not allowed to get codes for `client-fast`")).isNotNull();
    }

    /**
     * Waits until the gateway serving the tests has taken up new rules (it re-reads its policy at most once a
     * second): its {@code GET /labels} for {@code who}, which issues no code and counts no refusal, lists
     * every label in {@code labels}.
     */
    private static void awaitGatewayGrants(Requester who, String... labels) throws InterruptedException {
        GatewayClient client = new GatewayClient(gateway.url(), Secret.of(token), WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        GatewayResult<LabelsResponse> last = null;
        while (System.nanoTime() < deadline) {
            last = client.labels(who, null);
            if (last instanceof GatewayResult.Ok<LabelsResponse> ok && ok.value().labels().containsAll(List.of(labels))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the gateway did not grant " + List.of(labels) + " to user " + who.userId() + " within " + WAIT
                + "; last answer: " + last);
    }

    /** The user-group events the bot has received. */
    private double userGroupEvents() {
        Counter c = harness.registry.find("mfagate.bot.events.received").tag("type", "user_group").counter();
        return c == null ? 0 : c.count();
    }

    /** Waits until the bot has received a user-group event after the count {@code before}. */
    private void awaitUserGroupEventsAbove(double before) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && userGroupEvents() <= before) {
            Thread.sleep(10);
        }
        assertThat(userGroupEvents()).as("a user_group event reached the bot").isGreaterThan(before);
    }

    @Test
    void dailyCap_usedUp_getsItsOwnSentenceWithTheCountAndTheResetInHours() throws Exception {
        int linus = zulip.addUser("Linus Pauling", "linus@example.com", false);
        startBot(Map.of());
        // Only a capped rule grants client-capped to this person (they are not in #ops).
        GatewayProcess.cli(null, "grant", "user:" + linus, "client-capped", "--daily-cap", "1", "--data-dir", dataDir.toString());
        awaitGatewayGrants(new Requester(linus, "linus@example.com", List.of(), List.of()), "client-capped");
        zulip.sendDirectMessage(linus, List.of(bot), "!mfa-client-capped");
        SecretScan.recordCodes(dmFromBot(linus, "**client-capped**: `").content());
        zulip.sendDirectMessage(linus, List.of(bot), "!mfa-client-capped");
        String refusal = dmFromBot(linus, "today").content();
        assertThat(refusal).startsWith("You have had 1 code for `client-capped` today; the cap resets at 00:00 UTC, in ")
                .matches(".* in (\\d+ h( \\d+ min)?|\\d+ minutes|\\d+ seconds?)\\.")
                .doesNotContain("Too many code requests");
    }

    @Test
    void tokenWithoutOnBehalf_codeRequest_getsBotNotPermittedReply() throws Exception {
        harness = BotHarness.start(zulip, bot, gateway.url(), noBehalfToken, Map.of());
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        assertThat(dmFromBot(ada, "I am not allowed to fetch `client-demo` for you")).isNotNull();
    }

    @Test
    void list_directMessage_showsOnlyAllowedLabels() throws Exception {
        startBot(Map.of());
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa list");
        EmulatedMessage reply = dmFromBot(ada, "You may request");
        assertThat(reply.content()).contains("client-demo").contains("client-fast").doesNotContain("other-secret");
    }

    @Test
    void auditNotice_clientChannelMissing_goesToFallback_thenToClientChannel() throws Exception {
        zulip.addChannel("mfa-audit");
        Map<String, String> settings = new HashMap<>();
        settings.put("MFAGATE_BOT_AUDIT", "client");
        settings.put("MFAGATE_BOT_AUDIT_CHANNEL", "mfa-audit");
        settings.put("MFAGATE_BOT_MEMBERSHIP_CACHE_MS", "0");
        startBot(settings);
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        SecretScan.recordCodes(dmFromBot(ada, "client-demo").content());
        EmulatedMessage fallback = zulip.awaitMessage(m -> "mfa-audit".equals(m.channel()), WAIT);
        assertThat(fallback.topic()).isEqualTo("channel events");
        assertThat(fallback.content()).contains("client-demo").contains("Ada Lovelace");
        zulip.addChannel("client");
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        EmulatedMessage notice = zulip.awaitMessage(m -> "client".equals(m.channel()), WAIT);
        zulip.messagesFrom(bot).forEach(m -> SecretScan.recordCodes(m.content()));
        assertThat(SecretScan.findings("audit notice", List.of(fallback.content(), notice.content()))).isEmpty();
    }

    @Test
    void shutdown_pendingCodeReplies_areExpiredBeforeTheQueueIsDeleted() throws Exception {
        startBot(Map.of());
        zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        EmulatedMessage reply = dmFromBot(ada, "client-demo");
        SecretScan.recordCodes(reply.content());
        harness.close();
        assertThat(zulip.message(reply.id()).orElseThrow().deleted()).as("deleted before the bot left").isTrue();
        assertThat(zulip.eventQueueIds(bot)).as("the queue is deleted on shutdown").isEmpty();
    }
}
