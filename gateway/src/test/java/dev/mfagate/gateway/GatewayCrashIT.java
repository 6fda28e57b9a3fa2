package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.TestSeeds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit entry is committed before the code leaves, even when the process dies at any moment:
 * {@code mfagate serve} (the shipped jar) is killed with SIGKILL under load from several clients,
 * at a random moment, again and again. After every restart each code a client received has its
 * committed entry, and {@code audit verify} passes.
 *
 * <p>The kill moments come from a seeded RNG; the seed is printed, and {@code -Dmfagate.crash.seed=N}
 * replays a run.
 */
class GatewayCrashIT {

    /** Kills per run; -Dmfagate.crash.rounds=N for a longer soak (the suite keeps it short). */
    private static final int ROUNDS = Integer.getInteger("mfagate.crash.rounds", 6);
    private static final int CLIENTS = 6;
    private static final List<String> LABELS = List.of("acme-aws", "acme-git");
    private static final String[] HIGH_LIMITS = {
            "--rate-limit-label", "1000000/1s", "--rate-limit-principal", "1000000/1s", "--rate-limit-token", "1000000/1s"};

    @TempDir
    Path tmp;

    @Test
    void serve_sigkilledUnderLoadAtRandomMoments_everyCodeReceivedWasAuditedAndChainVerifies() throws Exception {
        long seed = Long.getLong("mfagate.crash.seed", System.nanoTime());
        System.out.println("GatewayCrashIT seed " + seed + " (replay with -Dmfagate.crash.seed=" + seed + ")");
        Random rng = new Random(seed);

        Path data = tmp.resolve("data");
        // The setup and the per-round checks run in this JVM (the same commands, a CliContext of the test's):
        // the gateway that is killed is the subject, and a JVM start per check only made the test slow.
        InProcessCli cli = InProcessCli.in(data);
        assertThat(cli.run("init").exitCode()).isZero();
        for (String label : LABELS) {
            byte[] key = TestSeeds.randomBytes(20);
            SecretRegistry.seed(key);
            assertThat(cli.runWithStdin(TestSeeds.base32(key), "seed", "add", label).exitCode()).isZero();
        }
        String token = cli.run("token", "create", "--name", "load", "--labels", "acme-*").out().strip();

        Set<String> received = Set.of();
        int totalReceived = 0;
        for (int round = 0; round <= ROUNDS; round++) {
            String[] args = new String[HIGH_LIMITS.length + 3];
            args[0] = "serve";
            args[1] = "--port";
            args[2] = "0";
            System.arraycopy(HIGH_LIMITS, 0, args, 3, HIGH_LIMITS.length);
            MfagateProcess.Server server = new MfagateProcess.Server(data, Map.of(), args);
            try {
                if (round > 0) {
                    assertEveryCodeAudited(cli, data, received, "seed " + seed + ", after the kill of round " + round);
                }
                if (round == ROUNDS) {
                    break;
                }
                long killAfterMillis = 50 + rng.nextInt(450);
                received = loadThenKill(server, token, killAfterMillis, round);
                totalReceived += received.size();
            } finally {
                server.close();
            }
        }
        System.out.println("GatewayCrashIT: " + totalReceived + " codes received over " + ROUNDS + " kills");
        assertThat(totalReceived).as("the load must have received codes for the test to mean anything").isGreaterThan(ROUNDS);
        MfagateProcess.Result verify = MfagateProcess.run(data, null, "audit", "verify");
        assertThat(verify.exitCode()).as("audit verify of the shipped jar after %d kills: %s", ROUNDS, verify.out()).isZero();
        TestLogs.exportAudit(data, "GatewayCrashIT");
    }

    /**
     * Runs {@value #CLIENTS} clients against {@code server} and SIGKILLs it after {@code killAfterMillis};
     * returns the request ids of every 200 a client received.
     */
    private static Set<String> loadThenKill(MfagateProcess.Server server, String token, long killAfterMillis, int round)
            throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        // One request before the load: a restarted gateway must serve (its audit log accepted the chain as the crash left it).
        // A freshly started JVM on a busy machine may take a while over its first request.
        assertThat(send(http, server, token, "acme-aws", ids, Duration.ofSeconds(30))).as("first request after restart %d", round)
                .isEqualTo(200);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                String label = LABELS.get(c % LABELS.size());
                clients.submit(() -> {
                    while (!stop.get()) {
                        try {
                            send(http, server, token, label, ids, Duration.ofSeconds(5));
                        } catch (IOException e) {
                            return null; // the server is gone
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(killAfterMillis);
            server.process.destroyForcibly();
            assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process.exitValue()).as("Process.destroyForcibly() sends SIGKILL: exit status 128 + 9").isEqualTo(137);
            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).as("clients stop once the server is gone").isTrue();
        } finally {
            http.close();
        }
        return Set.copyOf(ids);
    }

    /** One code request; the request id of a 200 goes into {@code ids}. */
    private static int send(HttpClient http, MfagateProcess.Server server, String token, String label, Set<String> ids,
                            Duration timeout) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl + "/code?label=" + label))
                .header("Authorization", "Bearer " + token).timeout(timeout).build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() == 200) {
            SecretRegistry.codesIn(r.body());
            ids.add(r.headers().firstValue("X-Request-Id").orElseThrow());
        }
        return r.statusCode();
    }

    /** Every id in {@code received} has a committed ALLOWED entry, and {@code audit verify} passes. */
    private static void assertEveryCodeAudited(InProcessCli cli, Path data, Set<String> received, String when) throws Exception {
        Map<String, Outcome> committed = new HashMap<>();
        try (Database db = Database.openSqlite(data.resolve(Store.DATABASE_FILE_NAME))) {
            new AuditExporter(db).forEach(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"),
                    (AuditEntry e) -> committed.put(e.event().requestId(), e.event().outcome()));
        }
        List<String> missing = received.stream().filter(id -> committed.get(id) != Outcome.ALLOWED).toList();
        assertThat(missing).as("request ids of codes received without a committed ALLOWED entry (%s, %d codes)", when, received.size())
                .isEmpty();
        InProcessCli.Result verify = cli.run("audit", "verify");
        assertThat(verify.exitCode()).as("audit verify %s: %s", when, verify.out()).isZero();
    }
}
