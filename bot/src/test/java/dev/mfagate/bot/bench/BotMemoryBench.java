package dev.mfagate.bot.bench;

import dev.mfagate.bot.GatewayProcess;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bot's resident memory as shipped (not part of the test suite; run by
 * {@code bench/bot-latency/memory.sh}): the bot started by {@code bin/mfagate-bot} with the launcher's
 * defaults (no {@code JAVA_OPTS}), against the Zulip emulator in this JVM and the real gateway jar in
 * demo mode. It answers one DM (ready), then a burst of {@code BURST} DMs from as many people; the
 * bot's resident memory ({@code VmRSS}, {@code VmHWM}) and thread count are read from {@code /proc} when ready, after
 * the burst and after a pause. The outbound rate guard is raised so that the burst ends in seconds.
 * Arguments: {@code [burst, default 200]}; {@code BOT_JAVA_OPTS} in the environment: flags to try.
 */
public final class BotMemoryBench {
    private BotMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int burst = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        try (GatewayProcess gateway = GatewayProcess.serve("--demo");
             ZulipEmulator zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(50)).build().start()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            List<Integer> people = new ArrayList<>();
            for (int i = 0; i < burst + 1; i++) {
                people.add(zulip.addUser("Person " + i, "p" + i + "@example.com", false));
            }
            ProcessBuilder pb = new ProcessBuilder(Path.of("bin", "mfagate-bot").toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(File.createTempFile("mfagate-bot-bench", ".log"));
            // The launcher's defaults; BOT_JAVA_OPTS, when set, tries other flags (as JAVA_OPTS, which wins).
            pb.environment().remove("JAVA_OPTS");
            if (System.getenv("BOT_JAVA_OPTS") != null) {
                pb.environment().put("JAVA_OPTS", System.getenv("BOT_JAVA_OPTS"));
            }
            pb.environment().put("ZULIP_SITE", zulip.baseUrl());
            pb.environment().put("ZULIP_EMAIL", zulip.email(bot));
            pb.environment().put("ZULIP_API_KEY", zulip.apiKey(bot));
            pb.environment().put("MFAGATE_GATEWAY_URL", gateway.url().toString());
            pb.environment().put("MFAGATE_GATEWAY_TOKEN", "demo");
            pb.environment().put("MFAGATE_BOT_SEND_RATE", "1000");
            pb.environment().put("MFAGATE_BOT_SEND_BURST", "1000");
            long started = System.nanoTime();
            Process process = pb.start();
            try {
                // Listening: a long poll of the bot's event queue waits (a DM sent before its queue exists is never evented).
                long listenDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (zulip.waitingPolls(bot) == 0) {
                    if (System.nanoTime() > listenDeadline || !process.isAlive()) {
                        throw new IllegalStateException("the bot did not start listening; see its log in " + System.getProperty("java.io.tmpdir"));
                    }
                    Thread.sleep(10);
                }
                // Ready: the first DM answered (the bot also reached the gateway).
                int first = zulip.sendDirectMessage(people.getFirst(), List.of(bot), "!mfa-client-demo");
                zulip.awaitMessage(m -> m.id() > first && m.senderId() == bot, Duration.ofSeconds(60));
                System.out.printf("bot listening and first DM answered after %.2f s: %s%n",
                        (System.nanoTime() - started) / 1e9, memory(process.pid()));
                long start = System.nanoTime();
                for (int p : people.subList(1, people.size())) {
                    zulip.sendDirectMessage(p, List.of(bot), "!mfa-client-demo");
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                long replies = 0;
                while (System.nanoTime() < deadline && (replies = replies(zulip, bot)) < burst + 1) {
                    Thread.sleep(5);
                }
                System.out.printf("burst of %d DMs from %d people: %d answered in %.2f s; bot: %s%n", burst, burst,
                        replies - 1, (System.nanoTime() - start) / 1e9, memory(process.pid()));
                Thread.sleep(5_000);
                System.out.printf("5 s later: %s%n", memory(process.pid()));
                if (System.getenv("BOT_NMT") != null) {
                    new ProcessBuilder("jcmd", Long.toString(process.pid()), "VM.native_memory", "summary").inheritIO().start().waitFor();
                }
            } finally {
                process.destroy();
                process.waitFor();
            }
        }
        System.exit(0);
    }

    private static long replies(ZulipEmulator zulip, int bot) {
        return zulip.messagesFrom(bot).stream().filter(m -> m.kind() == EmulatedMessage.Kind.DIRECT).count();
    }

    /** VmRSS, VmHWM and the thread count of the process and of its child JVM (the launcher execs, so they are one). */
    private static String memory(long pid) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
                String[] parts = line.split("\\s+");
                out.append(parts[0]).append(' ').append(Long.parseLong(parts[1]) / 1024).append(" MB ");
            } else if (line.startsWith("Threads:")) {
                out.append(line.replaceAll("\\s+", " ")).append(' ');
            }
        }
        return out.toString().strip();
    }
}
