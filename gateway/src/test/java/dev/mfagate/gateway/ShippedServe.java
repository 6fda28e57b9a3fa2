package dev.mfagate.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/mfagate serve} as shipped (the launcher's defaults, no {@code JAVA_OPTS}, no AOT cache)
 * on a store in {@code data}, on a free loopback port, its output collected; {@link #close} stops it
 * as SIGTERM does. For the ITs that load the gateway as a user would (a 64 MB heap).
 */
final class ShippedServe implements AutoCloseable {

    final Process process;
    /** Every line the gateway wrote (standard output and error), as they come. */
    final List<String> output = Collections.synchronizedList(new ArrayList<>());
    /** The port it listens on, loopback. */
    final int port;
    /** Such as {@code http://127.0.0.1:41234}. */
    final String baseUrl;

    private ShippedServe(Process process, int port) {
        this.process = process;
        this.port = port;
        this.baseUrl = "http://127.0.0.1:" + port;
    }

    /** Starts the gateway on the store in {@code data} and waits until it listens (60 s at most). */
    static ShippedServe start(Path data) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(LauncherIT.launcher().toAbsolutePath().toString(), "serve", "--port",
                String.valueOf(port), "--metrics-port", "off").redirectErrorStream(true);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("MFAGATE_DATA_DIR", data.toString());
        env.put("MFAGATE_AOT", "off");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("JAVA_OPTS");
        pb.environment().clear();
        pb.environment().putAll(env);
        ShippedServe serve = new ShippedServe(pb.start(), port);
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    serve.output.add(line);
                    if (line.contains("listening on")) {
                        listening.complete(null);
                    }
                }
            } catch (java.io.IOException e) {
                listening.completeExceptionally(e);
            }
        });
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            serve.close();
            throw e;
        }
        return serve;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
