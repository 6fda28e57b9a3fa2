package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Per-tenant keys through the command line and the gateway, in this JVM over HTTP: tenant
 * {@code acme} with its KEK in a SoftHSM2 token, tenant {@code beta} with its own KEK wrapped under
 * the installation's keyset file, tenant {@code gamma} on the installation's KEK. Codes equal
 * {@code oathtool}'s; rotating, retiring and revoking one tenant's key, or losing its provider,
 * refuses only that tenant (503, never 500) while the others keep serving; {@code /readyz} shows
 * each tenant key; {@code audit verify} passes after every change; no output holds key material,
 * a PIN, a token or a seed.
 */
class TenantKeysGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private static final String[] SERVE = {"--port", "0", "--rate-limit-label", "1000/1m", "--rate-limit-principal",
            "1000/1m", "--rate-limit-token", "1000/1m"};

    @TempDir
    Path dir;

    private Path data;
    private final Map<Label, TotpSeed> seeds = new LinkedHashMap<>();
    private final List<String> outputs = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();
    private String token;
    private InProcessCli.Server server;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @BeforeEach
    void store() {
        log.start();
        root().addAppender(log);
        data = dir.resolve("data");
        System.setProperty(KeyProviderCheck.INTERVAL_PROPERTY, "200");
        try (Store store = Store.init(data)) {
            for (String l : List.of("acme-aws", "beta-portal", "gamma-x")) {
                TotpSeed seed = TestSeeds.random();
                SecretRegistry.seed(seed);
                seeds.put(Label.parse(l), seed);
                store.seeds().add(Label.parse(l), seed, Instant.now());
                secrets.add(new Base32().encodeAsString(seed.secret().toByteArray()).substring(0, 16));
            }
            token = store.tokens().create("ops", "*", false, Optional.empty(), Instant.now().minus(Duration.ofDays(1)))
                    .plaintext();
            secrets.add(token);
        }
    }

    @AfterEach
    void stop() {
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        if (server != null) {
            server.close();
            outputs.add(server.out() + server.err());
        }
        System.clearProperty(KeyProviderCheck.INTERVAL_PROPERTY);
        root().detachAppender(log);
        outputs.add(logText());
        for (String text : outputs) {
            for (String secret : secrets) {
                assertThat(text.contains(secret)).as("an output holds a secret (a seed, token, PIN or key material)").isFalse();
            }
        }
    }

    /** Every log line written during the test, messages formatted. */
    private String logText() {
        StringBuilder text = new StringBuilder();
        for (ILoggingEvent e : List.copyOf(log.list)) {
            text.append(e.getLevel()).append(' ').append(e.getFormattedMessage()).append('\n');
        }
        return text.toString();
    }

    private InProcessCli.Result run(InProcessCli cli, String... args) {
        InProcessCli.Result r = cli.run(args);
        outputs.add(r.all());
        return r;
    }

    private void ok(InProcessCli cli, String... args) {
        InProcessCli.Result r = run(cli, args);
        assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.all()).isZero();
    }

    private void auditVerifies(InProcessCli cli) {
        ok(cli, "audit", "verify");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl + path));
        if (path.startsWith("/totp")) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && path.startsWith("/totp")) {
            SecretRegistry.codesIn(r.body());
        }
        return r;
    }

    private HttpResponse<String> totp(String label) throws IOException, InterruptedException {
        Label l = Label.parse(label);
        return get("/totp/" + l.client() + "/" + l.service());
    }

    /** Asks for {@code label}'s code and checks it against oathtool's for the instant the gateway used. */
    private void servesOathtoolsCode(String label) throws Exception {
        HttpResponse<String> r = totp(label);
        assertThat(r.statusCode()).as(label + ": " + r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("code").asText().equals(oathtool(seeds.get(Label.parse(label)),
                Instant.parse(body.get("timestamp").asText())))).as(label + ": the gateway's code equals oathtool's").isTrue();
    }

    private JsonNode awaitTotp(String label, Predicate<HttpResponse<String>> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<String> r = totp(label);
        while (!until.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = totp(label);
        }
        assertThat(until.test(r)).as(label + ": " + r.body()).isTrue();
        return JSON.readTree(r.body());
    }

    private JsonNode awaitReadiness(Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode ready = JSON.readTree(get("/readyz").body());
        while (!until.test(ready) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            ready = JSON.readTree(get("/readyz").body());
        }
        assertThat(until.test(ready)).as(ready.toString()).isTrue();
        return ready;
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

    /** The base64 key material of every key in the installation's keyset file. */
    private List<String> keysetMaterial() throws IOException {
        List<String> values = new ArrayList<>();
        JsonNode root = JSON.readTree(data.resolve(Store.KEYSET_FILE_NAME).toFile());
        for (String member : List.of("kek", "audit_mac")) {
            root.path(member).path("key").forEach(k -> values.add(k.at("/keyData/value").asText()));
        }
        return values;
    }

    @Test
    void tenantOnPkcs11BesideTenantsOnTheKeyset_codesEqualOathtoolsRotateRetireRevokeTouchOnlyThatTenant() throws Exception {
        SoftHsm hsm = SoftHsm.forThisJvm();
        String label = "gw-tenant-kek-" + UUID.randomUUID();
        hsm.generateAesKey(label);
        String reference = hsm.reference(label);
        secrets.add(SoftHsm.PIN);
        secrets.addAll(keysetMaterial());
        // acme's own PIN variable: the installation needs none.
        InProcessCli cli = InProcessCli.in(data).withEnv(Map.of("MFAGATE_TENANT_ACME_MFAGATE_PKCS11_PIN", SoftHsm.PIN));

        InProcessCli.Result set = run(cli, "keys", "tenant", "set", "acme", "--provider", reference);
        assertThat(set.exitCode()).as(set.all()).isZero();
        assertThat(set.out()).contains("Tenant acme now has its own KEK").contains(reference)
                .contains("re-wrapped and verified 1 data key");
        ok(cli, "keys", "tenant", "set", "beta", "--provider", "keyset");
        auditVerifies(cli);
        InProcessCli.Result list = run(cli, "keys", "tenant", "list");
        assertThat(list.out()).containsPattern("acme +" + java.util.regex.Pattern.quote(reference) + " +[0-9]+ +ok")
                .containsPattern("beta +keyset +[0-9]+ +ok").doesNotContain("gamma");

        server = cli.serve(SERVE);
        for (String l : List.of("acme-aws", "beta-portal", "gamma-x")) {
            servesOathtoolsCode(l);
        }
        String readyBody = get("/readyz").body();
        JsonNode ready = JSON.readTree(readyBody);
        assertThat(ready.get("status").asText()).isEqualTo("ready");
        // Open to anyone who reaches the port: tenant keys counted, never named.
        assertThat(ready.at("/checks/tenant_key").asText()).isEqualTo("ok");
        assertThat(readyBody).doesNotContain("acme").doesNotContain("beta").doesNotContain(reference);

        ok(cli, "keys", "tenant", "rotate", "acme");
        servesOathtoolsCode("acme-aws");
        ok(cli, "keys", "tenant", "retire", "acme");
        ok(cli, "keys", "rotate");
        ok(cli, "keys", "retire");
        auditVerifies(cli);
        for (String l : List.of("acme-aws", "beta-portal", "gamma-x")) {
            servesOathtoolsCode(l);
        }

        InProcessCli.Result unconfirmed = run(cli, "keys", "tenant", "revoke", "acme");
        assertThat(unconfirmed.exitCode()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("--yes");
        ok(cli, "keys", "tenant", "revoke", "acme", "--yes");
        auditVerifies(cli);

        JsonNode refused = awaitTotp("acme-aws", r -> r.statusCode() == 503);
        assertThat(refused.at("/error/code").asText()).isEqualTo("tenant_key_revoked");
        assertThat(refused.at("/error/message").asText()).contains("tenant acme was revoked");
        servesOathtoolsCode("beta-portal");
        servesOathtoolsCode("gamma-x");
        InProcessCli.Result addToRevoked = cli.runWithStdin("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n", "seed", "add", "acme-new");
        outputs.add(addToRevoked.all());
        assertThat(addToRevoked.exitCode()).as(addToRevoked.all()).isEqualTo(1);
        assertThat(addToRevoked.err()).contains("tenant acme was revoked");
        ready = awaitReadiness(r -> r.at("/checks/tenant_key").asText().equals("1 ok, 1 revoked"));
        assertThat(ready.get("status").asText()).as("a revoked tenant key is an operator's decision, not a fault")
                .isEqualTo("ready");
        auditVerifies(cli);
        assertThat(run(cli, "audit", "export").out()).contains("keys-tenant-set").contains("keys-tenant-rotate")
                .contains("keys-tenant-retire").contains("keys-tenant-revoke").contains("tenant_key_revoked");
    }

    @Test
    void tenantProviderUnusableAtStart_gatewayStartsServingTheOthersThatTenant503AndReadinessNamesIt() throws Exception {
        SoftHsm hsm = SoftHsm.forThisJvm();
        String label = "gw-tenant-kek-" + UUID.randomUUID();
        hsm.generateAesKey(label);
        String reference = hsm.reference(label);
        InProcessCli withPin = InProcessCli.in(data).withEnv(Map.of("MFAGATE_PKCS11_PIN", SoftHsm.PIN));
        ok(withPin, "keys", "tenant", "set", "acme", "--provider", reference);

        server = InProcessCli.in(data).serve(SERVE);

        JsonNode refused = JSON.readTree(totp("acme-aws").body());
        assertThat(totp("acme-aws").statusCode()).isEqualTo(503);
        assertThat(refused.at("/error/code").asText()).isEqualTo("tenant_key_unavailable");
        servesOathtoolsCode("beta-portal");
        servesOathtoolsCode("gamma-x");
        HttpResponse<String> readyz = get("/readyz");
        assertThat(readyz.statusCode()).as("the other tenants are served, so the instance stays in the pool").isEqualTo(200);
        JsonNode ready = JSON.readTree(readyz.body());
        assertThat(ready.get("status").asText()).isEqualTo("degraded");
        assertThat(ready.at("/checks/tenant_key").asText()).isEqualTo("1 unavailable");
        assertThat(readyz.body()).doesNotContain("acme").doesNotContain(label);
        assertThat(logText()).contains("ERROR Tenant acme's key is unavailable").contains(reference)
                .contains("(key " + label + ")").contains("MFAGATE_PKCS11_PIN")
                .contains("Starting without the keys of 1 tenant(s) (acme)");
        auditVerifies(withPin);
    }

    @Test
    void tenantRevokesItsOwnTransitKeyWhileServing_onlyItsCodesStop_andASealedVaultKeepsItServing() throws Exception {
        try (TransitDouble vault = TransitDouble.start("transit")) {
            vault.createKey("beta");
            String vaultToken = vault.issueToken();
            secrets.add(vaultToken);
            Map<String, String> env = new HashMap<>(Map.of("MFAGATE_TENANT_BETA_VAULT_TOKEN", vaultToken));
            InProcessCli cli = InProcessCli.in(data).withEnv(env);
            ok(cli, "keys", "tenant", "set", "beta", "--provider", vault.reference("beta"));
            server = cli.serve(SERVE);
            servesOathtoolsCode("beta-portal");

            vault.seal(true);
            JsonNode ready = awaitReadiness(r -> !r.at("/checks/key_provider").isMissingNode());
            Thread.sleep(600); // a few checks of the tenant's provider
            servesOathtoolsCode("beta-portal"); // unreachable is not revoked: the unwrapped keys stay
            ready = JSON.readTree(get("/readyz").body());
            assertThat(ready.at("/checks/tenant_key").asText()).isEqualTo("ok");
            vault.seal(false);

            vault.revokeTokens(); // the client withdraws the gateway's access to its key
            JsonNode refused = awaitTotp("beta-portal", r -> r.statusCode() == 503);
            assertThat(refused.at("/error/code").asText()).isEqualTo("tenant_key_unavailable");
            servesOathtoolsCode("acme-aws");
            servesOathtoolsCode("gamma-x");
            ready = awaitReadiness(r -> r.at("/checks/tenant_key").asText().equals("1 unavailable"));
            assertThat(ready.toString()).doesNotContain("beta").doesNotContain(vault.reference("beta"));
            assertThat(logText()).contains("Tenant beta's key provider refuses its key").contains("access denied");
            assertThat(ready.get("status").asText()).isEqualTo("degraded");
            auditVerifies(cli);
        }
    }
}
