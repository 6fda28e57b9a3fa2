package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.bot.secret.Secret;
import dev.mfagate.bot.zulip.Backoff;
import dev.mfagate.bot.zulip.RateGuard;
import dev.mfagate.bot.zulip.ZulipClient;
import dev.mfagate.bot.zulip.ZulipListener;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplyExpiry} on its own, with a fixed clock, against the Zulip emulator over loopback: when a reply is
 * taken down (the delay is read against the injected clock, not the system's), how (edit or delete, and edit
 * when deleting is forbidden), and what shutdown does with replies still showing a code.
 */
class ReplyExpiryTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ZulipEmulator zulip;
    private ZulipClient client;
    private BotMetrics metrics;
    private int bot;
    private int ada;

    @BeforeEach
    void start() {
        zulip = ZulipEmulator.builder().validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
        ZulipClient.Settings settings = new ZulipClient.Settings(Duration.ofSeconds(5), Duration.ofSeconds(10),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)), new RateGuard(1000, 100), Duration.ofSeconds(5));
        client = new ZulipClient(URI.create(zulip.baseUrl()), zulip.email(bot), Secret.ofTrusted(zulip.apiKey(bot)), settings,
                ZulipListener.NONE, Clock.systemUTC());
        metrics = new BotMetrics(new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        client.close();
        try {
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    private ReplyExpiry expiry(ExpiryAction action) {
        return new ReplyExpiry(client.housekeeping(), action, metrics, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private int reply() {
        return zulip.sendDirectMessage(bot, List.of(ada), "**acme-aws**: `123456` (valid for 21 s)");
    }

    @Test
    void schedule_whenInThePastOfTheClock_deletesAtOnce() {
        ReplyExpiry expiry = expiry(ExpiryAction.DELETE);
        int id = reply();

        expiry.schedule(id, "acme-aws", NOW.minusSeconds(30));

        zulip.awaitMessage(m -> m.id() == id && m.deleted(), WAIT);
        awaitPending(expiry, 0);
        expiry.close(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void schedule_delayReadAgainstTheInjectedClock_notTheSystemClock() throws Exception {
        ReplyExpiry expiry = expiry(ExpiryAction.DELETE);
        int id = reply();

        // NOW is in the past of the system clock; only the injected clock makes this an hour away.
        expiry.schedule(id, "acme-aws", NOW.plusSeconds(3600));
        Thread.sleep(500);

        assertThat(zulip.message(id).orElseThrow().deleted()).isFalse();
        assertThat(expiry.pendingCount()).isEqualTo(1);
        expiry.close(Duration.ofSeconds(5), Duration.ofSeconds(1));
        assertThat(zulip.message(id).orElseThrow().deleted()).as("shutdown takes it down at once").isTrue();
        assertThat(expiry.pendingCount()).isZero();
    }

    @Test
    void schedule_shortDelay_takesItDownWhenDue() {
        ReplyExpiry expiry = expiry(ExpiryAction.DELETE);
        int id = reply();
        long start = System.nanoTime();

        expiry.schedule(id, "acme-aws", NOW.plusMillis(400));

        zulip.awaitMessage(m -> m.id() == id && m.deleted(), WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        expiry.close(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void schedule_editAction_replacesTheCodeWithTheExpiredText() {
        ReplyExpiry expiry = expiry(ExpiryAction.EDIT);
        int id = reply();

        expiry.schedule(id, "acme-aws", NOW);

        EmulatedMessage m = zulip.awaitMessage(x -> x.id() == id && x.content().equals(Replies.expired("acme-aws")), WAIT);
        assertThat(m.deleted()).isFalse();
        assertThat(m.content()).doesNotContain("123456");
        expiry.close(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void schedule_deletingForbidden_editsInstead() {
        zulip.setEveryoneCanDeleteOwnMessages(false);
        ReplyExpiry expiry = expiry(ExpiryAction.DELETE);
        int id = reply();

        expiry.schedule(id, "acme-aws", NOW);

        EmulatedMessage m = zulip.awaitMessage(x -> x.id() == id && x.content().equals(Replies.expired("acme-aws")), WAIT);
        assertThat(m.deleted()).isFalse();
        awaitPending(expiry, 0);
        expiry.close(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void schedule_deletingAndEditingForbidden_everyReplyLeftShowingItsCodeIsLoggedById() {
        zulip.setEveryoneCanDeleteOwnMessages(false);
        zulip.setAllowMessageEditing(false);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ReplyExpiry.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        logger.addAppender(seen);
        try {
            ReplyExpiry expiry = expiry(ExpiryAction.DELETE);
            int first = reply();
            int second = reply();
            expiry.schedule(first, "acme-aws", NOW);
            awaitPending(expiry, 0);
            expiry.schedule(second, "acme-aws", NOW);
            awaitPending(expiry, 0);
            expiry.close(Duration.ofSeconds(1), Duration.ofSeconds(1));

            List<String> lines = seen.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("codes stay visible").contains("message_id=" + first));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("left showing its code").contains("message_id=" + second));
        } finally {
            logger.detachAppender(seen);
        }
    }

    @Test
    void close_zulipUnreachable_leavesThePendingReplyCounted() {
        ReplyExpiry expiry = expiry(ExpiryAction.DELETE);
        int id = reply();
        expiry.schedule(id, "acme-aws", NOW.plusSeconds(3600));
        zulip.close();

        expiry.close(Duration.ofMillis(300), Duration.ofMillis(300));

        assertThat(expiry.pendingCount()).as("not confirmed by Zulip, so still showing").isEqualTo(1);
    }

    private static void awaitPending(ReplyExpiry expiry, int count) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (expiry.pendingCount() != count && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(expiry.pendingCount()).isEqualTo(count);
    }
}
