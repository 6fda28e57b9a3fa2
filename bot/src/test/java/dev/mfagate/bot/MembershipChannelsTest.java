package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.bot.secret.Secret;
import dev.mfagate.bot.zulip.Backoff;
import dev.mfagate.bot.zulip.RateGuard;
import dev.mfagate.bot.zulip.ZulipClient;
import dev.mfagate.bot.zulip.ZulipListener;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Channel membership cached from Zulip, against the emulator over real HTTP. */
class MembershipChannelsTest {

    @Test
    void newEventQueue_forgetsCachedChannelMembers_soARemovalMissedInTheGapCountsAtOnce() throws Exception {
        try (ZulipEmulator zulip = ZulipEmulator.builder().validateAgainstSpec(true).build().start()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            int carol = zulip.addUser("Carol", "carol@example.com", false);
            long acme = zulip.addChannel("acme");
            zulip.subscribe(bot, "acme");
            zulip.subscribe(carol, "acme");
            ZulipClient.Settings settings = new ZulipClient.Settings(Duration.ofSeconds(5), Duration.ofSeconds(10),
                    new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)), new RateGuard(1000, 100), Duration.ofSeconds(20));
            ZulipClient client = new ZulipClient(URI.create(zulip.baseUrl()), "mfa-bot@example.com", Secret.ofTrusted(zulip.apiKey(bot)),
                    settings, ZulipListener.NONE, Clock.systemUTC());
            try {
                Membership membership = new Membership(client, Duration.ofSeconds(60));
                assertThat(membership.channelsOf(carol)).containsExactly(acme);

                // Removed while the bot's queue was lost: no peer_remove event will ever arrive.
                zulip.unsubscribe(carol, "acme");
                assertThat(membership.channelsOf(carol)).as("cached, for up to its time").containsExactly(acme);

                membership.resetGroups(List.of()); // what a new registration does
                assertThat(membership.channelsOf(carol)).as("read again after the new queue").isEmpty();
            } finally {
                client.close();
            }
            zulip.assertNoSpecViolations();
        }
    }
}
