package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.TestSeeds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway started on a chain whose head fails its MAC is unready from its first moment, not from its first refusal. */
class GatewayStartAuditHeadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private GatewayApp start(Store store) {
        return GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC()).start();
    }

    private HttpResponse<String> get(GatewayApp app, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void start_headFailingItsMac_readyzUnreadyNamingItBeforeAnyRequest_codesRefused() throws Exception {
        Path data = dir.resolve("data");
        Store store = Store.init(data);
        var seed = TestSeeds.random();
        SecretRegistry.seed(seed);
        store.seeds().add(Label.parse("acme-aws"), seed, Instant.now());
        String token = store.tokens().create("t", "*", false, Optional.empty(), Instant.now()).plaintext();
        GatewayApp app = start(store);
        HttpResponse<String> first = get(app, "/totp/acme/aws", token);
        assertThat(first.statusCode()).isEqualTo(200);
        SecretRegistry.codesIn(first.body());
        assertThat(get(app, "/readyz", null).statusCode()).isEqualTo(200);
        app.close();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            // The head's own MAC altered: the entries are intact, the head is not.
            s.execute("UPDATE audit_head SET head_mac = zeroblob(length(head_mac)) WHERE id = 1");
        }

        GatewayApp again = start(Store.open(data));
        try {
            HttpResponse<String> ready = get(again, "/readyz", null);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
            JsonNode checks = JSON.readTree(ready.body()).get("checks");
            assertThat(checks.get("audit").asText()).startsWith("The audit chain head fails its check (head seq ")
                    .endsWith("); run audit verify");
            HttpResponse<String> code = get(again, "/totp/acme/aws", token);
            assertThat(code.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(code.body()).at("/error/code").asText()).isEqualTo("audit_unavailable");
            assertThat(get(again, "/readyz", null).statusCode()).as("and it stays unready").isEqualTo(503);
        } finally {
            again.close();
        }
    }
}
