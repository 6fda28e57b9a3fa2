package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.gateway.InProcessCli;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code console break-glass enrol --console-url}, in process: the URL is checked exactly as
 * {@code serve} checks its {@code --console-url}, before any code is made, so a link it prints works.
 */
class ConsoleCommandTest {

    @TempDir
    Path dir;

    @BeforeEach
    void init() {
        assertThat(run("init").exitCode()).isZero();
    }

    private InProcessCli.Result run(String... args) {
        return InProcessCli.in(dir.resolve("data")).run(args);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # --console-url                       | serve says
            https://mfa.example.com/?x=1#frag     | without query or fragment
            https://mfa.example.com/#frag         | without query or fragment
            mfa.example.com                       | must be the gateway's https URL
            javascript:alert(1)                   | must be the gateway's https URL
            ftp://mfa.example.com                 | must be the gateway's https URL
            http://mfa.example.com                | plain http is allowed only on a loopback address
            http://127.example.com:8080           | plain http is allowed only on a loopback address
            'https://mfa example.com'             | not a URL
            """)
    void enrol_consoleUrlServeWouldRefuse_exit2OneLineNoCodeMade(String url, String rule) {
        InProcessCli.Result r = run("console", "break-glass", "enrol", "--console-url", url);

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).startsWith("mfagate: Invalid --console-url: ").contains(rule).doesNotContain("\n");
        assertThat(run("audit", "export").out()).doesNotContain("break-glass-enrol-code");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # --console-url                       | link printed
            https://mfa.example.com/              | https://mfa.example.com/console/break-glass/enrol
            https://mfa.example.com/gw            | https://mfa.example.com/gw/console/break-glass/enrol
            http://127.0.0.1:8080                 | http://127.0.0.1:8080/console/break-glass/enrol
            http://localhost:8080                 | http://localhost:8080/console/break-glass/enrol
            http://[::1]:8080                     | http://[::1]:8080/console/break-glass/enrol
            """)
    void enrol_consoleUrlServeAccepts_linkUnderIt(String url, String link) {
        InProcessCli.Result r = run("console", "break-glass", "enrol", "--console-url", url);

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("Open " + link + " within 15 minutes");
    }

    @Test
    void enrol_noConsoleUrl_pathOnly() {
        InProcessCli.Result r = run("console", "break-glass", "enrol");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).startsWith("Open /console/break-glass/enrol within 15 minutes");
    }
}
