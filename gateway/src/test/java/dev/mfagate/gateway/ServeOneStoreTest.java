package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@code serve} per SQLite store: a second is refused in one line before it listens, and the
 * store serves again once the first has stopped. Before, both served, each with its own rate
 * limits and lockout, so every limit counted double.
 */
class ServeOneStoreTest {

    @TempDir
    Path dir;

    @Test
    void secondServeOnTheSameSqliteStore_refusedNamingTheFirst_servesAgainAfterItStops() {
        Path data = dir.resolve("data");
        InProcessCli cli = InProcessCli.in(data);
        assertThat(cli.run("init").exitCode()).isZero();
        assertThat(cli.run("token", "create", "--name", "ci", "--labels", "acme-*").exitCode()).isZero();

        InProcessCli.Result second;
        try (InProcessCli.Server first = cli.serve("--port", "0")) {
            second = cli.run("serve", "--port", "0");
            assertThat(first.stop()).isZero();
        }
        assertThat(second.exitCode()).as(second.err()).isEqualTo(1);
        assertThat(second.err()).startsWith("mfagate: Another 'mfagate serve' (pid " + ProcessHandle.current().pid() + ") serves the store in "
                + data.toAbsolutePath()).contains("PostgreSQL").doesNotContain("\tat ");
        assertThat(second.out()).doesNotContain("listening");

        try (InProcessCli.Server again = cli.serve("--port", "0")) {
            assertThat(again.baseUrl).startsWith("http://");
        }
    }
}
