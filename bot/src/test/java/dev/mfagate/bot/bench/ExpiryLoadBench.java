package dev.mfagate.bot.bench;

import dev.mfagate.bot.BotHarness;
import dev.mfagate.bot.GatewayProcess;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reply latency while many code replies expire in the same second (not part of the test suite; run by
 * {@code bench/bot-latency/expiry-load.sh}).
 *
 * <p>Over loopback with the Zulip emulator (spec validation off) and the real gateway jar in demo mode, the
 * bot with its default outbound rate guard (10 requests/s, burst 30). Each round puts {@code EXPIRING}
 * replies of the bot on its expiry timer for the same instant (what happens when that many people asked
 * for a code within one 30-second step), then, from just after that instant, {@code SAMPLES} new people ask
 * for a code one after another; each sample is the time from the DM being stored to the reply being stored.
 * The same is measured without the expiring replies, as the baseline. Arguments:
 * {@code [rounds, default 5] [expiring per round, default 90] [samples per round, default 5]}.
 */
public final class ExpiryLoadBench {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ExpiryLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int expiring = args.length > 1 ? Integer.parseInt(args[1]) : 90;
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (GatewayProcess gateway = GatewayProcess.serve("--demo")) {
            long[] idle = run(gateway, rounds, 0, samples);
            long[] loaded = run(gateway, rounds, expiring, samples);
            System.out.printf("reply latency, DM stored -> reply stored, default rate guard (10/s, burst 30), %d samples each%n",
                    rounds * samples);
            print("no expiries", idle);
            print(expiring + " replies expiring in the same second", loaded);
        }
        System.exit(0);
    }

    private static void print(String what, long[] nanos) {
        System.out.printf("  %-40s median %7.1f ms   p90 %7.1f ms   max %7.1f ms%n", what, pct(nanos, 50), pct(nanos, 90), pct(nanos, 100));
    }

    private static long[] run(GatewayProcess gateway, int rounds, int expiring, int samples) throws Exception {
        List<Long> out = new ArrayList<>();
        try (ZulipEmulator zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(50)).build().start()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            List<Integer> holders = new ArrayList<>();
            for (int i = 0; i < expiring; i++) {
                holders.add(zulip.addUser("Holder " + i, "holder" + i + "@example.com", false));
            }
            try (BotHarness h = BotHarness.start(zulip, bot, gateway.url(), "demo",
                    Map.of("MFAGATE_BOT_SEND_RATE", "10", "MFAGATE_BOT_SEND_BURST", "30"))) {
                // Warm-up: JIT, connections, the gateway's first answers; then the guard refills.
                for (int i = 0; i < 3; i++) {
                    sample(zulip, bot, zulip.addUser("Warm " + i, "warm" + i + "@example.com", false));
                }
                Thread.sleep(3_500);
                for (int round = 0; round < rounds; round++) {
                    List<Integer> replies = new ArrayList<>();
                    for (int holder : holders) {
                        replies.add(zulip.sendDirectMessage(bot, List.of(holder), "**client-demo**: the code (bench stand-in)"));
                    }
                    Instant at = Instant.now().plusMillis(500);
                    replies.forEach(id -> h.expireAt(id, "client-demo", at));
                    Thread.sleep(Math.max(0, Duration.between(Instant.now(), at).toMillis() + 50));
                    for (int s = 0; s < samples; s++) {
                        int person = zulip.addUser("Round " + round + " person " + s, "r" + round + "p" + s + "@example.com", false);
                        out.add(sample(zulip, bot, person));
                    }
                    for (int id : replies) {
                        zulip.awaitMessage(m -> m.id() == id && m.deleted(), WAIT);
                    }
                    Thread.sleep(3_500); // the guard refills its burst before the next round
                }
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** One code request from {@code person}: nanoseconds from the DM being stored to the reply being stored. */
    private static long sample(ZulipEmulator zulip, int bot, int person) {
        long start = System.nanoTime();
        zulip.sendDirectMessage(person, List.of(bot), "!mfa-client-demo");
        zulip.awaitMessage(m -> m.senderId() == bot && m.kind() == EmulatedMessage.Kind.DIRECT && m.recipientIds().contains(person)
                && m.content().contains("valid for"), WAIT);
        return System.nanoTime() - start;
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }
}
