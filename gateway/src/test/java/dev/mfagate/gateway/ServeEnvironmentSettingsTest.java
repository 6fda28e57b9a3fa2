package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits and lockout from the environment, as a systemd unit's environment file sets them:
 * before, only the flags set them, although the example environment file says every setting is one.
 */
class ServeEnvironmentSettingsTest {

    @TempDir
    Path dir;

    @Test
    void rateLimitAndLockoutFromTheEnvironment_applied_andABadOneNamed() throws Exception {
        InProcessCli cli = InProcessCli.in(dir.resolve("data"));
        assertThat(cli.run("init").exitCode()).isZero();
        String token = cli.run("token", "create", "--name", "ci", "--labels", "acme-*").out().strip();
        byte[] secret = dev.mfagate.core.testing.TestSeeds.randomBytes(20);
        SecretRegistry.seed(secret);
        String seed = dev.mfagate.core.testing.TestSeeds.base32(secret);
        assertThat(cli.runWithStdin(seed + "\n", "seed", "add", "acme-aws").exitCode()).isZero();

        List<Integer> statuses = new ArrayList<>();
        try (InProcessCli.Server server = cli.withEnv(Map.of("MFAGATE_RATE_LIMIT_LABEL", "2/1m")).serve("--port", "0")) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl + "/totp/acme/aws"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                SecretRegistry.codesIn(r.body());
                statuses.add(r.statusCode());
            }
        }
        assertThat(statuses).containsExactly(200, 200, 429);

        InProcessCli.Result bad = cli.withEnv(Map.of("MFAGATE_LOCKOUT_AFTER", "0")).run("serve", "--port", "0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("mfagate: Invalid --lockout-after: must be a whole number of denials from 1 to 2147483647");
    }
}
