package dev.mfagate.gateway;

import dev.mfagate.api.logging.JsonStandardError;
import dev.mfagate.core.store.Dialect;
import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.cli.CliContext;
import dev.mfagate.gateway.cli.MfagateCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
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
 * {@code seed add}, {@code token create}) in JVMs of their own, print none of its secrets, and delete it
 * after. {@code cli} then runs the commands that read the store ({@code seed list}, {@code token
 * list}, {@code audit verify}); {@code serve} does what {@code Main} does around the command (the
 * process's context, the start-up thread's preloading), starts the gateway on a free loopback port,
 * asks it for a few hundred codes on one connection (by client and service, every fiftieth also
 * by label), then for {@value #LOAD_REQUESTS} on several at once
 * (20 s at most), long enough for the optimising compiler to compile the request
 * path, whose profiles the cache then holds. The JVM loads every class of the cache at each start, so the cache
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
        if (mode.equals("cli")) {
            // As Main does for every command but serve.
            System.setProperty(LogConfiguration.ONE_SHOT, "true");
            System.setProperty("MFAGATE_AUDIT_LOG", "OFF");
        }
        // serve writes its audit log as a real one does (each code's entry on standard error, the
        // launcher's log of the training run): the classes that write it, and their profiles, are
        // then in the cache rather than read from the jar at the first code served.
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
                // The context every command gets from Main (its stop signal's lambda, its copy of the
                // environment), so that its classes are in the cache too; its terminal is never asked
                // for here, which would put the JDK's console providers there.
                CliContext.ofProcess(true);
                run(env, null, "seed", "list");
                run(env, null, "token", "list");
                run(env, null, "audit", "verify");
            } else {
                // What Main does at every serve start besides the command, so that its classes are in
                // the cache too: the process's context (a start otherwise reads CliContext's terminal
                // class from the jar, and opens the jar's index for it, on the main thread) and the
                // start-up thread's work (the store's libraries, the server's, the code responses'
                // serializers).
                CliContext.ofProcess(false);
                Store.preload(Dialect.SQLITE);
                GatewayApp.preload();
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
        // A plain HTTP/1.1 exchange on kept-alive sockets, as wrk and the bot's pool send them: the
        // JDK's HttpClient would put its own classes (and TLS's, which it sets up even for http) into
        // the cache, and serve would map and load them at every start without ever using them.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int served = 0;
        TrainingClient http = null;
        try {
            // First the paths a start meets once: a few hundred codes on one connection, a refusal
            // and the readiness probe.
            while (served < 300) {
                try {
                    if (http == null) {
                        http = new TrainingClient(port);
                    }
                    int status = http.get("/totp/train/aws", token);
                    if (status != 200) {
                        throw new IllegalStateException("training request answered " + status);
                    }
                    served++;
                    // Two refusals only: five in a row would lock the token out. The label route
                    // too, now and then.
                    if (served % 100 == 0 && served < 300) {
                        http.get("/totp/other/aws", token);
                        http.get("/readyz", null);
                    }
                    if (served % 50 == 0) {
                        int byLabel = http.get("/code?label=train-aws", token);
                        if (byLabel != 200) {
                            throw new IllegalStateException("training request answered " + byLabel);
                        }
                    }
                } catch (IOException e) {
                    if (http != null) {
                        http.close();
                        http = null;
                    }
                    if (System.nanoTime() > deadline || !server.isAlive()) {
                        throw e;
                    }
                    Thread.sleep(20);
                }
            }
            http.close();
            http = null;
            load(port, token);
        } finally {
            if (http != null) {
                http.close();
            }
            stop.countDown();
        }
        stopped.await();
        server.join(10_000);
    }

    /** Codes the load asks for in all; see {@link #load}. */
    static final int LOAD_REQUESTS = 40_000;
    /** Threads of the load, each with {@link #LOAD_CONNECTIONS_PER_THREAD} connections. */
    static final int LOAD_THREADS = 4;
    static final int LOAD_CONNECTIONS_PER_THREAD = 4;
    /** The load stops here even short of its codes (a slow or busy machine): what it ran is kept. */
    static final Duration LOAD_LIMIT = Duration.ofSeconds(20);

    /**
     * Then the request path under load, as a served gateway meets it: {@link #LOAD_REQUESTS} codes
     * on {@link #LOAD_THREADS} threads with {@link #LOAD_CONNECTIONS_PER_THREAD} kept-alive
     * connections each, a request sent on every connection of a thread before the answers are read
     * (so that the server has several requests and audit entries at once, as under wrk). The cache
     * keeps each method's profile as it stands at the end of the training run, and, for the methods
     * the optimising compiler compiled, the record that it did: a later start creates their profiles
     * from the cache's at their first calls and compiles them once their counts (the training's) are
     * reached, instead of running them interpreted until its own counts reach the thresholds. With
     * the 300 codes above alone no method of the request path was compiled (docs/benchmarks.md).
     */
    private static void load(int port, String token) throws Exception {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(LOAD_REQUESTS);
        long end = System.nanoTime() + LOAD_LIMIT.toNanos();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] threads = new Thread[LOAD_THREADS];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofPlatform().name("aot-load-" + t).start(() -> {
                TrainingClient[] clients = new TrainingClient[LOAD_CONNECTIONS_PER_THREAD];
                try {
                    for (int c = 0; c < clients.length; c++) {
                        clients[c] = new TrainingClient(port);
                    }
                    while (failure.get() == null && System.nanoTime() < end
                            && left.getAndAdd(-clients.length) > 0) {
                        for (TrainingClient client : clients) {
                            client.send("/totp/train/aws", token);
                        }
                        for (TrainingClient client : clients) {
                            int status = client.status();
                            if (status != 200) {
                                throw new IllegalStateException("training request answered " + status);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    for (TrainingClient client : clients) {
                        if (client != null) {
                            client.close();
                        }
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        } else if (e != null) {
            throw new IllegalStateException("training load failed", e);
        }
    }

    /** GET requests on one loopback connection, kept alive; each response read whole (length or chunks). */
    private static final class TrainingClient implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.BufferedInputStream in;
        private final java.io.OutputStream out;

        TrainingClient(int port) throws IOException {
            socket = new java.net.Socket();
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 2_000);
            socket.setSoTimeout(10_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** The status of {@code GET path}, with the bearer token when not null. */
        int get(String path, String token) throws IOException {
            send(path, token);
            return status();
        }

        /** Sends {@code GET path}, with the bearer token when not null; {@link #status} reads the answer. */
        void send(String path, String token) throws IOException {
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** The status of the next answer on this connection, read whole (length or chunks). */
        int status() throws IOException {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response");
            }
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = colon < 0 ? h : h.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
                String value = colon < 0 ? "" : h.substring(colon + 1).strip().toLowerCase(java.util.Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> close = value.contains("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";", 2)[0].strip(), 16); size > 0;
                        size = Long.parseLong(line().split(";", 2)[0].strip(), 16)) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                skip(length);
            } else {
                close = true;
            }
            if (close) {
                throw new IOException("connection closed by the server");
            }
            return Integer.parseInt(parts[1]);
        }

        private void skip(long n) throws IOException {
            in.skipNBytes(n);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing to do: the training run ends or opens another connection.
            }
        }
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
