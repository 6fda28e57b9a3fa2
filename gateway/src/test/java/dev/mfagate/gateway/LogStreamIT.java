package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With the default (JSON) log format, every line the shipped jar writes to standard error parses as
 * a JSON object, on every JDK 21+ on this machine (the one running the tests, and each under
 * /usr/lib/jvm): JDK 24+ used to add four {@code WARNING: sun.misc.Unsafe} lines (protobuf under
 * Tink), and the demo banner was a box of asterisks. Started as the README starts it: {@code java -jar}.
 */
class LogStreamIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("mfagate listening on (http://\\S+)");

    @TempDir
    Path dir;

    /** The JDK running the tests, and every other JDK 21+ installed under /usr/lib/jvm. */
    static Stream<Path> jdks() throws IOException {
        Set<Path> homes = new LinkedHashSet<>();
        homes.add(Path.of(System.getProperty("java.home")).toRealPath());
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                for (Path d : dirs.sorted().toList()) {
                    if (Files.isExecutable(d.resolve("bin/java")) && major(d).filter(v -> v >= 21).isPresent()) {
                        homes.add(d.toRealPath());
                    }
                }
            }
        }
        return homes.stream();
    }

    private static Optional<Integer> major(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                Matcher m = Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(line);
                if (m.find()) {
                    return Optional.of(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // no release file: not a JDK this test can identify
        }
        return Optional.empty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void oneShotCommands_defaultFormat_everyStderrLineIsJson(Path jdk) throws Exception {
        Path data = dir.resolve("data");

        Run init = run(jdk, "init", "--data-dir", data.toString());
        Run list = run(jdk, "seed", "list", "--data-dir", data.toString());
        Run missing = run(jdk, "seed", "list", "--data-dir", dir.resolve("nothing").toString());

        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(missing.exit()).isEqualTo(1);
        for (Run r : List.of(init, list, missing)) {
            assertEveryLineJson(r.err());
        }
        List<JsonNode> reason = parse(missing.err());
        assertThat(reason).singleElement().satisfies(n -> {
            assertThat(n.get("level").asText()).isEqualTo("ERROR");
            assertThat(n.get("message").asText()).startsWith("mfagate: No store at ").contains("mfagate init");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void serveDemo_defaultFormat_bannerAndEveryLineUntilStopAreJson(Path jdk) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-XX:TieredStopAtLevel=1", "-jar",
                MfagateProcess.jar().toString(), "serve", "--demo", "--port", "0",
                // Any free metrics port: another server on this machine may hold 9464.
                "--metrics-port", "0");
        clean(pb);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            for (String line; url == null && (line = out.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                url = m.find() ? m.group(1) : null;
            }
            assertThat(url).as("serve --demo printed where it listens").isNotNull();
            // The client is closed before the server stops: an idle keep-alive connection makes a graceful stop wait for it.
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> code = http.send(HttpRequest.newBuilder(URI.create(url + "/totp/client/demo"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(code.statusCode()).as(code.body()).isEqualTo(200);
            }
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        String stderr = err.get(30, TimeUnit.SECONDS);
        Files.writeString(TestLogs.newFile("logstream-serve", ".log"), stderr, StandardCharsets.UTF_8);

        assertEveryLineJson(stderr);
        assertThat(parse(stderr)).anySatisfy(n -> {
            assertThat(n.get("level").asText()).isEqualTo("WARN");
            assertThat(n.get("message").asText()).contains("DEMO MODE");
        });
    }

    private static void assertEveryLineJson(String stderr) {
        assertThat(stderr).doesNotContain("sun.misc.Unsafe");
        for (String line : stderr.lines().toList()) {
            assertThat(line).as("a line of standard error is a JSON object").startsWith("{");
            try {
                assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
            } catch (IOException e) {
                throw new AssertionError("Not JSON: " + line, e);
            }
        }
    }

    private static List<JsonNode> parse(String stderr) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : stderr.lines().toList()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(Path jdk, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(jdk.resolve("bin/java").toString(), "-XX:TieredStopAtLevel=1", "-jar",
                MfagateProcess.jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        clean(pb);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mfagate " + String.join(" ", args) + " did not finish");
        }
        Run r = new Run(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
        Files.writeString(TestLogs.newFile("logstream-" + args[0], ".log"), r.err(), StandardCharsets.UTF_8);
        return r;
    }

    /** The default log format, and nothing of the developer's environment that would change the output. */
    private static void clean(ProcessBuilder pb) {
        pb.environment().keySet().removeIf(k -> k.startsWith("MFAGATE_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
