package dev.mfagate.bot.bench;

import dev.mfagate.bot.BotHarness;
import dev.mfagate.bot.GatewayProcess;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bot's latency benchmark (not part of the test suite; run by {@code bench/bot-latency/run.sh}).
 *
 * <p>Over loopback with the Zulip emulator (spec validation off, so the validator is not measured) and the
 * real gateway jar in demo mode:
 * <ol>
 *   <li>sequential: one DM at a time, the time from the emulator storing and eventing the DM (the long poll
 *       is waiting, so that is when it is delivered) to the bot's reply being stored, minus the gateway round
 *       trip the bot measured for that DM: the bot's own latency, median and p99;</li>
 *   <li>burst: {@code BURST} DMs from as many people at once; all answered? time to the last reply; run with
 *       the default outbound rate guard (10/s, burst 30) and with a raised one.</li>
 * </ol>
 * Arguments: {@code [sequential DMs, default 500] [burst, default 200]}.
 */
public final class BotLatencyBench {
    private BotLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int sequential = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int burst = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        try (GatewayProcess gateway = GatewayProcess.serve("--demo")) {
            sequentialRun(gateway, sequential);
            burstRun(gateway, burst, Map.of("MFAGATE_BOT_SEND_RATE", "10", "MFAGATE_BOT_SEND_BURST", "30"), "default rate guard (10/s, burst 30)");
            burstRun(gateway, burst, Map.of("MFAGATE_BOT_SEND_RATE", "1000", "MFAGATE_BOT_SEND_BURST", "1000"), "rate guard raised to 1000/s");
        }
        System.exit(0);
    }

    private static ZulipEmulator zulip() {
        return ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(50)).build().start();
    }

    private static void sequentialRun(GatewayProcess gateway, int count) throws Exception {
        try (ZulipEmulator zulip = zulip()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            int ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
            try (BotHarness h = BotHarness.start(zulip, bot, gateway.url(), "demo", Map.of("MFAGATE_BOT_SEND_RATE", "1000", "MFAGATE_BOT_SEND_BURST", "1000"))) {
                Timer gw = h.registry.get("mfagate.bot.gateway.request").timer();
                for (int i = 0; i < 200; i++) { // warm-up: JIT, connections
                    roundTrip(zulip, bot, ada, gw);
                }
                long[] total = new long[count];
                long[] botOnly = new long[count];
                for (int i = 0; i < count; i++) {
                    long[] r = roundTrip(zulip, bot, ada, gw);
                    total[i] = r[0];
                    botOnly[i] = r[0] - r[1];
                }
                System.out.printf("sequential, %d DMs (after 200 warm-up): DM delivered -> reply stored%n", count);
                System.out.printf("  end to end          median %6.2f ms   p99 %6.2f ms%n", pct(total, 50), pct(total, 99));
                System.out.printf("  bot only (minus gw) median %6.2f ms   p99 %6.2f ms%n", pct(botOnly, 50), pct(botOnly, 99));
            }
        }
    }

    /** One DM and its reply: {total nanos, gateway nanos}. */
    private static long[] roundTrip(ZulipEmulator zulip, int bot, int from, Timer gw) {
        double gwBefore = gw.totalTime(TimeUnit.NANOSECONDS);
        long start = System.nanoTime();
        int id = zulip.sendDirectMessage(from, List.of(bot), "!mfa-client-demo");
        zulip.awaitMessage(m -> m.id() > id && m.senderId() == bot, Duration.ofSeconds(10));
        long total = System.nanoTime() - start;
        return new long[] {total, (long) (gw.totalTime(TimeUnit.NANOSECONDS) - gwBefore)};
    }

    private static void burstRun(GatewayProcess gateway, int count, Map<String, String> settings, String what) throws Exception {
        try (ZulipEmulator zulip = zulip()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            List<Integer> people = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                people.add(zulip.addUser("Person " + i, "p" + i + "@example.com", false));
            }
            Map<String, String> all = new HashMap<>(settings);
            try (BotHarness h = BotHarness.start(zulip, bot, gateway.url(), "demo", all)) {
                long start = System.nanoTime();
                for (int p : people) {
                    zulip.sendDirectMessage(p, List.of(bot), "!mfa-client-demo");
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                long replies = 0;
                while (System.nanoTime() < deadline && (replies = replies(zulip, bot)) < count) {
                    Thread.sleep(5);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("burst, %d DMs at once, %s: %d answered, last reply after %.2f s%n", count, what, replies, seconds);
            }
        }
    }

    private static long replies(ZulipEmulator zulip, int bot) {
        return zulip.messagesFrom(bot).stream().filter(m -> m.kind() == EmulatedMessage.Kind.DIRECT).count();
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }
}
