package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin CLI as shipped: {@code java -jar mfagate.jar ...} in a separate process, for what only a
 * process shows: its exit status, a seed through a real pipe, the process environment, a server
 * stopped by a signal. What the commands do is {@link CliTest}'s, in this JVM; the stores here are
 * set up the same way, in process, to spare a JVM start per test.
 */
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path data;

    @BeforeEach
    void init() {
        data = tmp.resolve("data");
        InProcessCli.Result r = InProcessCli.in(data).run("init");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @AfterEach
    void exportAudit() {
        TestLogs.exportAudit(data, "CliIT");
    }

    @Test
    void shippedJar_carriesTheGatewaysJdbiJfrSupport_notJdbis() throws Exception {
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(MfagateProcess.jar().toFile())) {
            List<String> names = jar.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("org/jdbi/v3/core/statement/internal/JfrSupport")).sorted().toList();
            assertThat(names).containsExactly("org/jdbi/v3/core/statement/internal/JfrSupport$Holder.class",
                    "org/jdbi/v3/core/statement/internal/JfrSupport.class");
            byte[] bytes = jar.getInputStream(jar.getEntry("org/jdbi/v3/core/statement/internal/JfrSupport.class")).readAllBytes();
            assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("mfagate.jdbi.jfr-events");
        }
    }

    @Test
    void seedAdd_lenientBase32FromStdinPipe_exit0AndListedWithoutSecret() throws Exception {
        String b32 = CliTest.base32(CliTest.randomKey(20));
        String lenient = b32.toLowerCase().replaceAll("(.{4})", "$1 ") + "\n";
        MfagateProcess.Result r = MfagateProcess.run(data, lenient, "seed", "add", "Acme-AWS");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out() + r.err()).doesNotContain(b32).doesNotContain(b32.toLowerCase()).doesNotContain(b32.substring(0, 16));
        InProcessCli.Result list = InProcessCli.in(data).run("seed", "list");
        assertThat(list.out()).contains("acme-aws").contains("SHA1").doesNotContain(b32);
    }

    /**
     * A command refused at once, while the start-up thread may be unpacking SQLite's native library
     * into the temporary directory: the process waits for the copy before it exits, so the driver's
     * deletion at exit covers it. Before, one such exit in six to ten (5 of 30, 1 of 10) left a
     * partial library and its lock file behind, which the driver never removes. Each JVM here unpacks
     * into a directory of this test's own, with no library given to it (as without the launcher's
     * AOT cache).
     */
    @Test
    void refusedAtOnce_tenTimes_leaveNoSqliteLibraryInTheTemporaryDirectory() throws Exception {
        Path unpackDir = Files.createDirectories(tmp.resolve("sqlite-unpack"));
        for (int i = 0; i < 10; i++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dorg.sqlite.tmpdir=" + unpackDir,
                    "-jar", MfagateProcess.jar().toString(), "seed", "add", "Not A Label", "--data-dir", data.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(2);
            assertThat(out).contains("Invalid label 'Not A Label'");
        }
        try (var left = Files.list(unpackDir)) {
            assertThat(left.map(f -> f.getFileName().toString()).toList()).isEmpty();
        }
    }

    @Test
    void serveDemo_portTaken_exits1AndLeavesNoDemoStore() throws Exception {
        Path tmpdir = Files.createDirectories(tmp.resolve("demo-tmp"));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // SQLite's library is unpacked there too (a test directory): only the demo store is looked for.
                    "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmpdir,
                    "-jar", MfagateProcess.jar().toString(), "serve", "--demo", "--port", String.valueOf(taken.getLocalPort()),
                    "--metrics-port", "off")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("Cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (");
        }
        try (var left = Files.list(tmpdir)) {
            assertThat(left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("mfagate-demo-")).toList())
                    .as("the demo's temporary store is removed when its start fails").isEmpty();
        }
    }

    @Test
    void serve_withoutInit_processExits1WithOneLine() throws Exception {
        MfagateProcess.Result r = MfagateProcess.run(tmp.resolve("none"), null, "serve", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("mfagate init");
    }

    @Test
    void unknownCommand_processExits2WithOneLine() throws Exception {
        MfagateProcess.Result r = MfagateProcess.run(null, null, "frobnicate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines().get(0)).startsWith("mfagate: ");
    }

    @Test
    void keysetFromProcessEnvironment_sqliteStoreWithoutKeysetFile_opens() throws Exception {
        assertThat(InProcessCli.in(data).runWithStdin(CliTest.base32(CliTest.randomKey(20)), "seed", "add", "acme-aws").exitCode())
                .isZero();
        Path keyset = data.resolve("keyset.json");
        String keysetJson = Files.readString(keyset);
        Files.move(keyset, tmp.resolve("keyset-held-elsewhere.json"));

        ProcessBuilder pb = new ProcessBuilder(MfagateProcess.command(data, "seed", "list"));
        pb.environment().remove("MFAGATE_DATA_DIR");
        pb.environment().put("MFAGATE_KEYSET", keysetJson);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(out).contains("acme-aws");
    }

    @Test
    void serveDemo_servesUntilSigterm_bannerOnTheProcessStream() throws Exception {
        MfagateProcess.Server server = new MfagateProcess.Server(null, Map.of(), "serve", "--demo", "--port", "0");
        // The client is closed before the server: an idle keep-alive connection makes a graceful stop wait for it.
        try (server; HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl + "/totp/client/demo")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            SecretRegistry.codesIn(r.body());
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("code").asText()).matches("[0-9]{6}");
            assertThat(String.join("\n", server.output)).contains("DEMO MODE");
        }
        assertThat(server.process.exitValue()).as("SIGTERM stops serve").isIn(0, 143);
    }
}
