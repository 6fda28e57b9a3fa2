package dev.mfagate.gateway;

import dev.mfagate.api.logging.JsonStandardError;
import dev.mfagate.gateway.cli.CliContext;
import dev.mfagate.gateway.cli.MfagateCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The training run behind {@code bin/mfagate aot}: the launcher starts it under
 * {@code -XX:AOTCacheOutput=} (JDK 25, JEP 483/514/515), and the JVM keeps the classes it loaded
 * and linked, and the methods it profiled, in an AOT cache that later starts read instead of the jar.
 *
 * <p>Both make a throw-away store in a temporary directory with a random seed ({@code init},
 * {@code seed add}, {@code token create}) in JVMs of their own, print nothing of it, and delete it
 * after. {@code cli} then runs the commands that read the store ({@code seed list}, {@code token
 * list}, {@code audit verify}); {@code serve} starts the gateway on a free loopback port and asks
 * it for a few hundred codes. The JVM loads every class of the cache at each start, so the cache
 * holds only what those runs load: other commands read the rest from the jar.
 * Not a command of {@code mfagate}: the launcher runs it through {@link Main} with the system
 * property {@code mfagate.aot.training}, so that the training run's class path is the jar's.
 */
public final class AotTraining {

    private AotTraining() {
    }

    /** {@code cli} or {@code serve}; exits non-zero when a step fails, so the launcher keeps no cache. */
    public static void main(String[] args) throws Exception {
        String mode = args.length == 1 ? args[0] : "";
        if (!mode.equals("cli") && !mode.equals("serve")) {
            System.err.println("usage: AotTraining cli|serve");
            System.exit(2);
        }
        JsonStandardError.install("mfagate", System.getenv());
        if (System.getProperty("MFAGATE_LOG_LEVEL") == null) {
            System.setProperty("MFAGATE_LOG_LEVEL", "WARN");
        }
        System.setProperty("MFAGATE_AUDIT_LOG", "OFF");
        if (mode.equals("cli")) {
            // As Main does for every command but serve.
            System.setProperty(dev.mfagate.gateway.cli.CommandLogging.PROPERTY, "true");
        }
        String sqliteNative = System.getProperty("mfagate.aot.sqlite-native");
        if (sqliteNative != null) {
            copySqliteNativeLibrary(Path.of(sqliteNative));
        }
        Path dir = Files.createTempDirectory("mfagate-aot-");
        try {
            Map<String, String> env = Map.of("MFAGATE_DATA_DIR", dir.toString());
            byte[] seed = new byte[20];
            new SecureRandom().nextBytes(seed);
            // The store is made by another JVM: every class loaded here goes into the cache, which
            // each start maps and loads in full, and neither serve nor the commands that read the
            // store run Flyway's migrations or the keyset's creation.
            runApart(dir, null, "init");
            runApart(dir, base32(seed) + "\n", "seed", "add", "train-aws");
            String token = runApart(dir, null, "token", "create", "--name", "train", "--labels", "train-*").strip();
            if (mode.equals("cli")) {
                run(env, null, "seed", "list");
                run(env, null, "token", "list");
                run(env, null, "audit", "verify");
            } else {
                serve(env, token);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /**
     * Copies the SQLite driver's native library for this platform (the one it would unpack into the
     * temporary directory at every start: 1.1 MB inflated, written and compared, about 0.1 s) to
     * the directory {@code target}, under the driver's own file name; the launcher then names that
     * directory with {@code -Dorg.sqlite.lib.path}. Nothing when the jar has none for this platform:
     * the driver then looks for it as before.
     */
    private static void copySqliteNativeLibrary(Path target) throws IOException {
        String name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        try (java.io.InputStream in = AotTraining.class.getResourceAsStream(resource)) {
            if (in != null) {
                Files.copy(in, target.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void serve(Map<String, String> env, String token) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        CliContext.StopSignal signal = onStop -> {
            stop.await();
            onStop.run();
            stopped.countDown();
        };
        Thread server = Thread.ofPlatform().name("aot-serve").start(() -> {
            int code = MfagateCommand.run(context(env, null, new ByteArrayOutputStream(), signal),
                    new String[] {"serve", "--port", Integer.toString(port), "--metrics-port", "0",
                        "--rate-limit-label", "1000000/1s", "--rate-limit-principal", "1000000/1s",
                        "--rate-limit-token", "1000000/1s"});
            if (code != 0) {
                System.err.println("AotTraining: serve exited " + code);
                System.exit(1);
            }
        });
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            URI code = URI.create("http://127.0.0.1:" + port + "/totp/train/aws");
            URI denied = URI.create("http://127.0.0.1:" + port + "/totp/other/aws");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int served = 0;
            while (served < 300) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(code).header("Authorization", "Bearer " + token)
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("training request answered " + r.statusCode());
                    }
                    served++;
                    // Two refusals only: five in a row would lock the token out.
                    if (served % 100 == 0 && served < 300) {
                        http.send(HttpRequest.newBuilder(denied).header("Authorization", "Bearer " + token).build(),
                                HttpResponse.BodyHandlers.discarding());
                        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                                HttpResponse.BodyHandlers.discarding());
                    }
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !server.isAlive()) {
                        throw e;
                    }
                    Thread.sleep(20);
                }
            }
        } finally {
            stop.countDown();
        }
        stopped.await();
        server.join(10_000);
    }

    /**
     * Runs {@code mfagate args} in a JVM of its own (this jar, this JDK, no cache output) on the store
     * in {@code dataDir}; its standard output, or a failure with its exit code.
     */
    private static String runApart(Path dataDir, String stdin, String... args) throws IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        // SQLite's native library where the launcher's JAVA_OPTS put it (units, images).
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("org.sqlite.")) {
                cmd.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> childEnv = pb.environment();
        // Only what this store needs: no database URL, keyset or key provider of the caller's.
        childEnv.keySet().removeIf(k -> k.startsWith("MFAGATE_") || k.startsWith("JAVA_") || k.startsWith("JDK_"));
        childEnv.put("MFAGATE_DATA_DIR", dataDir.toString());
        childEnv.put("MFAGATE_LOG_LEVEL", "WARN");
        childEnv.put("MFAGATE_AUDIT_LOG", "OFF");
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException("training step '" + args[0] + (args.length > 1 ? " " + args[1] : "")
                    + "' exited " + code);
        }
        return out;
    }

    private static String run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = MfagateCommand.run(context(env, stdin, out, onStop -> {
            throw new IllegalStateException("not a serving command");
        }), args);
        if (code != 0) {
            throw new IllegalStateException("training step '" + args[0] + (args.length > 1 ? " " + args[1] : "")
                    + "' exited " + code);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static CliContext context(Map<String, String> env, String stdin, ByteArrayOutputStream out,
                                      CliContext.StopSignal stop) {
        byte[] in = stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8);
        // Results (the token, tables) are captured; errors go to this process's standard error.
        return new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, new ByteArrayInputStream(in),
                Optional.empty(), env, Clock.systemUTC(), stop);
    }

    private static String base32(byte[] bytes) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }
}
