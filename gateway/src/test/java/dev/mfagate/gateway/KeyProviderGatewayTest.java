package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.SoftHsm;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.testing.TransitDouble;
import dev.mfagate.core.totp.TotpSeed;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in this JVM, over HTTP, with its keys at a key provider: a SoftHSM2 token (codes
 * equal {@code oathtool}'s), a Transit stand-in that goes away while the gateway runs (serving goes
 * on, readiness says so, rotation refuses), and an instance whose keyset copy lacks the KEK after a
 * rotation elsewhere ({@code key_unavailable}, then served once it has the new keyset).
 */
class KeyProviderGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private GatewayApp app;

    @AfterEach
    void stop() {
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        if (app != null) {
            app.close();
        }
        System.clearProperty(KeyProviderCheck.INTERVAL_PROPERTY);
    }

    private GatewayApp start(Store store) {
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024))
                .options(new GatewayApp.Options(dev.mfagate.core.ratelimit.RateLimitConfig.defaults(),
                        dev.mfagate.core.ratelimit.LockoutPolicy.defaults(), "test", false))
                .clock(Clock.systemUTC()).start();
        return app;
    }

    private static String token(Store store) {
        return store.tokens().create("ops-" + UUID.randomUUID(), "*", false, Optional.empty(),
                Instant.now().minus(Duration.ofDays(1))).plaintext();
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && path.startsWith("/totp")) {
            SecretRegistry.codesIn(r.body());
        }
        return r;
    }

    /** oathtool's code for {@code seed} at {@code at} (SHA-1, 6 digits, 30 s: the test seeds' parameters). */
    private static String oathtool(TotpSeed seed, Instant at) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("oathtool", "--totp=SHA1", "--base32", "--digits=" + seed.parameters().digits(),
                "--time-step-size=" + seed.parameters().periodSeconds() + "s", "--now=@" + at.getEpochSecond(), "-")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(new Base32().encode(seed.secret().toByteArray()));
            in.write('\n');
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("oathtool (apt-get install oathtool)").isZero();
        return out;
    }

    @Test
    void serve_keysetWrappedByPkcs11Token_codesEqualOathtools() throws Exception {
        SoftHsm hsm = SoftHsm.forThisJvm();
        String label = "gw-kek-" + UUID.randomUUID();
        hsm.generateAesKey(label);
        Store store = Store.init(dir.resolve("data"), hsm.reference(label), Map.of("MFAGATE_PKCS11_PIN", SoftHsm.PIN));
        TotpSeed seed = TestSeeds.random();
        SecretRegistry.seed(seed);
        store.seeds().add(Label.parse("acme-aws"), seed, Instant.now());
        String token = token(store);
        start(store);

        HttpResponse<String> r = get("/totp/acme/aws", token);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("code").asText().equals(oathtool(seed, Instant.parse(body.get("timestamp").asText()))))
                .as("the gateway's code equals oathtool's").isTrue();
        JsonNode ready = JSON.readTree(get("/readyz", null).body());
        assertThat(ready.at("/checks/key_provider").asText()).isEqualTo("ok");
    }

    @Test
    void providerGoneWhileRunning_servingGoesOnReadinessDegradedRotationRefused() throws Exception {
        System.setProperty(KeyProviderCheck.INTERVAL_PROPERTY, "200");
        try (TransitDouble vault = TransitDouble.start("transit")) {
            vault.createKey("mfagate");
            Map<String, String> env = Map.of("VAULT_TOKEN", vault.issueToken());
            Store store = Store.init(dir.resolve("data"), vault.reference("mfagate"), env);
            TotpSeed seed = TestSeeds.random();
            SecretRegistry.seed(seed);
            store.seeds().add(Label.parse("acme-aws"), seed, Instant.now());
            String token = token(store);
            start(store);

            vault.seal(true);

            JsonNode ready = awaitReadiness(r -> !r.at("/checks/key_provider").asText().equals("ok"));
            assertThat(ready.get("status").asText()).isEqualTo("degraded");
            assertThat(ready.at("/checks/key_provider").asText()).contains("service unavailable")
                    .contains(vault.reference("mfagate")).contains("Vault is sealed");
            assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
            assertThat(get("/totp/acme/aws", token).statusCode()).as("serving goes on with the unwrapped keys").isEqualTo(200);
            assertThatThrownBy(app.store()::rotateKeys).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Not rotating").hasMessageContaining("nothing was changed");

            vault.seal(false);

            assertThat(awaitReadiness(r -> r.at("/checks/key_provider").asText().equals("ok")).get("status").asText())
                    .isEqualTo("ready");
            app.store().rotateKeys();
            assertThat(get("/totp/acme/aws", token).statusCode()).isEqualTo(200);
        }
    }

    private JsonNode awaitReadiness(java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(get("/readyz", null).body());
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("readiness did not change in 10 s: " + last);
    }

    @Test
    void anotherHostRotated_thisHostsKeysetLacksTheKek_keyUnavailableThenServedOnceCopied() throws Exception {
        Path hostA = dir.resolve("a");
        Path hostB = dir.resolve("b");
        Files.createDirectories(hostB);
        Store a = Store.init(hostA);
        TotpSeed seed = TestSeeds.random();
        SecretRegistry.seed(seed);
        a.seeds().add(Label.parse("acme-aws"), seed, Instant.now());
        String token = token(a);
        Files.copy(hostA.resolve("keyset.json"), hostB.resolve("keyset.json"), StandardCopyOption.COPY_ATTRIBUTES);
        Store b = Store.open(Database.openSqlite(hostA.resolve("mfagate.db")), Keyring.openFile(hostB.resolve("keyset.json")));
        start(b);
        assertThat(get("/totp/acme/aws", token).statusCode()).isEqualTo(200);

        a.rotateKeys();
        a.close();
        Thread.sleep(1_100); // past the one-second cache of sealed rows

        HttpResponse<String> r = get("/totp/acme/aws", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("key_unavailable");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();

        Path copy = hostB.resolve("keyset.json.new");
        Files.copy(hostA.resolve("keyset.json"), copy, StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(copy, hostB.resolve("keyset.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        assertThat(get("/totp/acme/aws", token).statusCode()).as("reloaded its keyset").isEqualTo(200);
    }
}
