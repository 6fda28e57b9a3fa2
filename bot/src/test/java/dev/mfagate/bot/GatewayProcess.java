package dev.mfagate.bot;

import dev.mfagate.gateway.cli.CliContext;
import dev.mfagate.gateway.cli.MfagateCommand;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real gateway ({@code gateway/target/mfagate.jar}, located through the {@code mfagate.gateway.jar}
 * system property the build sets) run as a subprocess for {@code serve}; its CLI, for set-up, runs in
 * this JVM.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("mfagate listening on (http://\\S+)");

    private final Process process;
    private final URI url;

    private GatewayProcess(Process process, URI url) {
        this.process = process;
        this.url = url;
    }

    /** The jar under test. */
    public static Path jar() {
        String p = System.getProperty("mfagate.gateway.jar", "../gateway/target/mfagate.jar");
        Path jar = Path.of(p);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("gateway jar not found at " + jar.toAbsolutePath()
                    + "; build it with the reactor (./mvnw -pl bot -am verify)");
        }
        return jar;
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs one CLI command with {@code stdin} in this JVM (the gateway's own command line, from the gateway
     * module the jar is built of, with an empty environment); returns its standard output, or fails with its
     * standard error. Set-up only: what the tests hold to is the gateway serving as a process of its own.
     */
    public static String cli(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8)), Optional.empty(),
                Map.of("MFAGATE_LOG_FORMAT", "plain"), Clock.systemUTC(), onStop -> {
                    throw new IllegalStateException("serve runs as a process: GatewayProcess.serve");
                });
        int exit = MfagateCommand.run(context, args);
        if (exit != 0) {
            throw new IllegalStateException("mfagate " + args[0] + " exited " + exit + ": " + err.toString(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    /** Starts {@code serve} with {@code args} (plus {@code --port 0 --metrics-port 0}) and waits for its listening line. */
    public static GatewayProcess serve(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0", "--metrics-port", "0"));
        all.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command(all.toArray(String[]::new)));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<URI> found = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found.complete(URI.create(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            found.completeExceptionally(new IllegalStateException("gateway exited before listening"));
        }, "gateway-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return new GatewayProcess(p, found.get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("gateway did not start: " + e.getMessage(), e);
        }
    }

    /** The gateway's base URL. */
    public URI url() {
        return url;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
