package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM under load: in-flight requests finish, every code handed out is on the audit chain, the chain verifies. */
class GracefulShutdownIT {

    @TempDir
    Path tmp;

    @Test
    void sigterm_underLoad_inFlightFinishAndEveryIssuedCodeAudited() throws Exception {
        Path data = tmp.resolve("data");
        // Set-up and the audit export run in this JVM; the subject, serve stopped by SIGTERM, is the shipped jar.
        InProcessCli cli = InProcessCli.in(data);
        assertThat(cli.run("init").exitCode()).isZero();
        assertThat(cli.runWithStdin("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "seed", "add", "acme-aws").exitCode()).isZero();
        String token = cli.run("token", "create", "--name", "load").out().strip();

        Set<String> issued = ConcurrentHashMap.newKeySet();
        AtomicInteger shuttingDown = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        MfagateProcess.Server server = new MfagateProcess.Server(data, Map.of(), "serve", "--port", "0",
                "--rate-limit-label", "1000000/1s", "--rate-limit-principal", "1000000/1s", "--rate-limit-token", "1000000/1s");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl + "/totp/acme/aws"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(15)).build();
        List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                clients.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                issued.add(r.headers().firstValue("X-Request-Id").orElseThrow());
                            } else if (r.statusCode() == 503 && r.body().contains("shutting_down")) {
                                shuttingDown.incrementAndGet();
                            } else {
                                other.incrementAndGet();
                            }
                        } catch (IOException e) {
                            // Connections refused or closed once the listener is gone: expected after the stop.
                            if (!server.process.isAlive()) {
                                return;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            // SIGTERM once the load is running: more than 20 codes handed out (a busy machine takes longer).
            long loadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (issued.size() <= 20 && System.nanoTime() < loadDeadline) {
                Thread.sleep(20);
            }
            int before = issued.size();
            server.process.destroy(); // SIGTERM
            assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).as("stopped within the grace period").isTrue();
            stop.set(true);
            assertThat(before).as("load was running").isGreaterThan(20);
        }
        assertThat(other.get()).as("no response other than 200 or 503 shutting_down").isZero();
        assertThat(String.join("\n", server.output)).doesNotContain("\"level\":\"ERROR\"");

        MfagateProcess.Result verify = MfagateProcess.run(data, null, "audit", "verify");
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        String export = cli.run("audit", "export").out();
        List<String> missing = issued.stream().filter(id -> !export.contains("\"request_id\":\"" + id + "\"")).toList();
        assertThat(missing).as("codes handed out without a committed audit entry").isEmpty();
    }
}
