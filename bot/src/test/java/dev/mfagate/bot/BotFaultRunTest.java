package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.FaultKind;
import dev.mfagate.zulip.emulator.FaultTarget;
import dev.mfagate.zulip.emulator.Faults;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 DMs while the emulator injects every fault kind (5xx, 429 with Retry-After, lost event queues,
 * slow answers, replies stored but answered after the bot's timeout, dropped connections) at random into the
 * bot's requests: every DM is answered exactly once.
 */
class BotFaultRunTest {
    private static final int USERS = 50;
    private static final int DMS_PER_USER = 20;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
    void thousandDirectMessages_everyFaultKind_eachAnsweredExactlyOnce() throws Exception {
        String dir = dataDir.toString();
        GatewayProcess.cli(null, "init", "--data-dir", dir);
        GatewayProcess.cli(TestSeeds.DEMO + "\n", "seed", "add", "client-demo", "--data-dir", dir);
        String token = GatewayProcess.cli(null, "token", "create", "--name", "zulip-bot", "--labels", "client-*", "--on-behalf", "--data-dir", dir);
        SecretScan.CREDENTIALS.add(token);
        // #team is the emulator's first channel, stream id 1: channel rules take stream ids.
        GatewayProcess.cli(null, "grant", "channel:1", "client-*", "--data-dir", dir);
        // The run is about the bot under Zulip faults: the gateway's own limits are raised out of the way.
        try (GatewayProcess gateway = GatewayProcess.serve("--data-dir", dir, "--rate-limit-label", "100000/1m",
                "--rate-limit-principal", "100000/1m", "--rate-limit-token", "100000/1m", "--lockout-after", "100000");
             ZulipEmulator zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            SecretScan.CREDENTIALS.add(zulip.apiKey(bot));
            assertThat(zulip.addChannel("team")).isEqualTo(1);
            List<Integer> people = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                int person = zulip.addUser("Person " + u, "person" + u + "@example.com", false);
                zulip.subscribe(person, "team");
                people.add(person);
            }
            Map<String, String> settings = new HashMap<>();
            settings.put("MFAGATE_BOT_BACKOFF_BASE_MS", "5");
            settings.put("MFAGATE_BOT_BACKOFF_MAX_MS", "100");
            // Shorter than the late answers of SLOW_ANSWER below: those replies are stored, answered after the
            // bot gave up waiting, and must not be posted twice (the bot looks for them before sending again).
            settings.put("MFAGATE_BOT_REQUEST_TIMEOUT_MS", "2000");
            settings.put("MFAGATE_BOT_SHUTDOWN_GRACE_MS", "30000");
            try (BotHarness harness = BotHarness.start(zulip, bot, gateway.url(), token, settings)) {
                Faults faults = zulip.faults().seed(42).setRetryAfterSeconds(1).setSlowDelay(Duration.ofMillis(100))
                        .setRate(FaultKind.SERVER_ERROR, 0.03)
                        .setRate(FaultKind.RATE_LIMIT, 0.005)
                        .setRate(FaultKind.BAD_EVENT_QUEUE_ID, 0.01)
                        .setRate(FaultKind.SLOW, 0.02)
                        .setSlowAnswerDelay(Duration.ofMillis(3000))
                        // A few, not a rate: each costs the bot its whole request timeout.
                        .failNext(3, FaultKind.SLOW_ANSWER, FaultTarget.of("POST", "/messages"))
                        .setRate(FaultKind.DROP_CONNECTION, 0.03);
                long start = System.nanoTime();
                int n = 0;
                for (int round = 0; round < DMS_PER_USER; round++) {
                    for (int person : people) {
                        String text = n % 2 == 0 ? "!mfa-client-demo" : "!mfa-client-u" + n;
                        zulip.sendDirectMessage(person, List.of(bot), text);
                        n++;
                    }
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(110).toNanos();
                while (System.nanoTime() < deadline && repliesTo(zulip, bot).size() < n) {
                    Thread.sleep(100);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                Thread.sleep(1000); // room for a duplicate to show up
                faults.clear();
                List<EmulatedMessage> replies = repliesTo(zulip, bot);
                replies.forEach(m -> SecretScan.recordCodes(m.content()));

                Set<FaultKind> injected = faults.injected().stream().map(Faults.InjectedFault::kind).collect(Collectors.toSet());
                assertThat(injected).as("every fault kind was injected").isEqualTo(EnumSet.allOf(FaultKind.class));
                assertThat(replies).as("one reply per DM, none lost, none duplicated (took %s)", took).hasSize(n);
                Map<Integer, Long> perPerson = replies.stream().collect(Collectors.groupingBy(m -> m.recipientIds().get(0), Collectors.counting()));
                assertThat(perPerson).hasSize(USERS).allSatisfy((p, c) -> assertThat(c).isEqualTo((long) DMS_PER_USER));
                for (int i = 1; i < n; i += 2) {
                    String label = "`client-u" + i + "`";
                    assertThat(replies.stream().filter(m -> m.content().contains(label)).count())
                            .as("the reply to DM %d", i).isEqualTo(1);
                }
                assertThat(harness.registry.get("mfagate.bot.reconnects").counter().count()).as("queues were lost and re-registered").isPositive();
                assertThat(replies.stream().filter(m -> m.content().contains("client-demo")).count())
                        .as("every code request got a code (policy through #team membership)").isEqualTo(n / 2);
            }
            zulip.assertNoSpecViolations();
        }
        assertThat(SecretScan.findings("bot log line", SecretScan.logLines())).as("no code and no token in anything the bot logged").isEmpty();
    }

    private static List<EmulatedMessage> repliesTo(ZulipEmulator zulip, int bot) {
        return zulip.messagesFrom(bot).stream().filter(m -> m.kind() == EmulatedMessage.Kind.DIRECT).toList();
    }
}
