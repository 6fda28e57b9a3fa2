package dev.mfagate.gateway.cli;

import dev.mfagate.core.Label;
import dev.mfagate.core.seed.DotEnvFile;
import dev.mfagate.core.seed.EnvSeeds;
import dev.mfagate.core.seed.SeedImportException;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.gateway.GatewayApp;
import dev.mfagate.gateway.GatewayServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mfagate serve}: runs the HTTP gateway until stopped (SIGTERM finishes in-flight requests first). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the HTTP gateway.")
final class ServeCommand implements Callable<Integer> {

    /** A fake seed for the demo label only; it protects nothing. */
    static final String DEMO_SEED_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    static final Label DEMO_LABEL = Label.parse("client-demo");

    @Mixin
    StoreOptions store;

    @Option(names = "--demo", description = "Demo mode: a temporary store with a fake seed for client-demo, no token needed.")
    boolean demo;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "${env:MFAGATE_HOST:-127.0.0.1}",
            description = "Address to listen on (env MFAGATE_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:MFAGATE_PORT:-8080}",
            description = "Port to listen on, 0 for any free port (env MFAGATE_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--next-code-threshold", paramLabel = "DURATION", converter = Durations.class, defaultValue = "5s",
            description = "Below this much time left in a step, responses also carry the next code (default ${DEFAULT-VALUE}).")
    Duration nextCodeThreshold;

    @Option(names = "--env-file", paramLabel = "FILE", defaultValue = "${env:MFAGATE_ENV_FILE:-.env}",
            description = "A .env file with MFAGATE_SEED_<CLIENT>_<SERVICE> seeds, read if present (default ${DEFAULT-VALUE}).")
    Path envFile;

    @Override
    public Integer call() throws Exception {
        Map<Label, TotpSeed> envSeeds = environmentSeeds();
        Store s;
        Path tempDir = null;
        if (demo) {
            tempDir = Files.createTempDirectory("mfagate-demo-");
            s = Store.init(tempDir.resolve("data"));
            s.seeds().add(DEMO_LABEL, SeedParser.parse(DEMO_SEED_BASE32), Instant.now());
            System.err.println("""
                    ******************************************************************
                    *  DEMO MODE: temporary store, FAKE seed for client-demo,        *
                    *  NO TOKEN REQUIRED. Never use demo mode for real accounts.     *
                    ******************************************************************""");
        } else {
            s = store.open();
            if (s.tokens().list().stream().noneMatch(t -> t.revokedAt().isEmpty()
                    && t.expiresAt().map(e -> e.isAfter(Instant.now())).orElse(true))) {
                s.close();
                throw UserError.failure("No active API token; create one first with 'mfagate token create --name NAME'");
            }
        }
        GatewayServer.Settings settings = new GatewayServer.Settings(host, port, nextCodeThreshold, demo, 16 * 1024);
        GatewayApp app = GatewayApp.start(s, envSeeds, settings);
        System.out.println("mfagate listening on http://" + hostForUrl(host) + ":" + app.port());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Path demoDir = tempDir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            if (demoDir != null) {
                deleteTree(demoDir);
            }
            stopped.countDown();
        }, "mfagate-shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private Map<Label, TotpSeed> environmentSeeds() throws SeedImportException, IOException {
        Map<String, String> vars = new HashMap<>();
        if (envFile != null && Files.isRegularFile(envFile)) {
            vars.putAll(DotEnvFile.read(envFile));
        }
        vars.putAll(System.getenv());
        return EnvSeeds.from(vars);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: the demo store holds only the fake seed.
        }
    }

}
