package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mfagate serve} started on a nearly full disk, as systemd restarts it after a crash or an
 * update: it must not die of a SIGBUS in SQLite's memory-mapped WAL index (leaving an
 * {@code hs_err_pid} file in the data directory, and looping), but refuse with a sentence, and
 * start once space is freed.
 *
 * <p>The disk is a loop-mounted ext4 image with 1 KiB blocks (see {@link FileFaults}): SQLite
 * allocates the WAL index by writing the last byte of each 4 KiB page, which on such a file
 * system leaves three blocks of the page unallocated, and with a few KiB free the first write
 * through the mapping finds no block. A real process, since a crash is what is tested.
 */
class DiskFullIT {

    @TempDir
    Path dir;
    private Path mounted;

    @AfterEach
    void unmount() {
        if (mounted != null) {
            FileFaults.unmount(mounted);
        }
    }

    @Test
    void serve_diskNearlyFullAtStart_refusesWithASentenceThenStartsOnceSpaceIsFreed() throws Exception {
        mounted = Files.createDirectory(dir.resolve("disk"));
        FileFaults.mountSmallExt4(dir.resolve("disk.img"), mounted, 40);
        Path data = mounted.resolve("data");
        // Set-up in this JVM; serve, whose crash on a full disk is the subject, runs as the shipped jar.
        InProcessCli cli = InProcessCli.in(data);
        assertThat(cli.run("init").exitCode()).isZero();
        assertThat(cli.run("token", "create", "--name", "ops", "--labels", "*").exitCode()).isZero();
        assertThat(data.resolve("mfagate.db-shm")).as("a stopped store has no WAL index yet").doesNotExist();

        Path filler = mounted.resolve("filler");
        FileFaults.fillLeaving(mounted, filler, 9);
        ProcessBuilder pb = new ProcessBuilder(MfagateProcess.command(data, "serve", "--port", "0"))
                .directory(data.toFile()).redirectErrorStream(true);
        pb.environment().remove("MFAGATE_DATA_DIR");
        Process serve = pb.start();
        String output = new String(serve.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(serve.waitFor(90, TimeUnit.SECONDS)).as("serve gives up on a full disk").isTrue();
        Files.writeString(TestLogs.newFile("serve-disk-full", ".log"), output, StandardCharsets.UTF_8);

        assertThat(output).as("no JVM crash").doesNotContain("SIGBUS").doesNotContain("fatal error");
        assertThat(serve.exitValue()).as("an operational failure, not a crash (134); output: %s", output).isEqualTo(1);
        assertThat(output).contains("free on the file system of").contains("free some space");
        try (Stream<Path> files = Stream.concat(Files.list(data), Files.list(mounted))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no JVM crash file")
                    .noneMatch(n -> n.startsWith("hs_err"));
        }

        Files.delete(filler);
        // The client is closed before the server: an idle keep-alive connection makes a graceful stop wait for it.
        try (MfagateProcess.Server server = new MfagateProcess.Server(data, Map.of(), "serve", "--port", "0");
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> ready = http.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("ready once space is freed: %s", ready.body()).isEqualTo(200);
        }
    }
}
