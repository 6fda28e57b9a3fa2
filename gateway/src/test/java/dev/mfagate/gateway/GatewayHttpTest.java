package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.gateway.http.MetricsServer;
import dev.mfagate.gateway.http.NetworkOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP API over a real socket, on a real store (SQLite and PostgreSQL), with a fixed clock. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestStores.Backend.class)
class GatewayHttpTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    @Parameter(0)
    TestStores.Backend backend;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 22:29:39 UTC: 21 s left in the 30 s step, as in the documented example. */
    private static final Instant NOW = Instant.parse("2025-09-02T22:29:39Z");

    @TempDir
    Path dir;
    private TestStores.Location location;
    private GatewayApp app;
    private TotpSeed demoSeed;
    private String fullToken;
    private String acmeToken;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        location = STORES.fresh(backend, dir);
        Store store = location.init();
        byte[] key = new byte[20];
        new SecureRandom().nextBytes(key);
        SecretRegistry.seed(key);
        demoSeed = TotpSeed.of(SecretBytes.copyOf(key), TotpParameters.DEFAULT);
        store.seeds().add(Label.parse("client-demo"), TotpSeed.of(SecretBytes.copyOf(key), TotpParameters.DEFAULT), NOW);
        store.seeds().add(Label.parse("acme-aws"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), NOW);
        fullToken = store.tokens().create("full", "*", false, Optional.empty(), NOW).plaintext();
        acmeToken = store.tokens().create("acme-only", "acme-*", false, Optional.empty(), NOW).plaintext();
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024,
                        NetworkOptions.defaults(), new MetricsServer.Address("127.0.0.1", 0)))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
    }

    @AfterEach
    void stop() {
        TestLogs.exportAudit(app.store().database(), "GatewayHttpTest");
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        app.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            SecretRegistry.codesIn(r.body());
        }
        return r;
    }

    @Test
    void totp_validToken_returnsOriginalShapeWithCodeOfThatInstant() throws Exception {
        HttpResponse<String> r = get("/totp/client/demo", fullToken);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("client").asText()).isEqualTo("client");
        assertThat(body.get("service").asText()).isEqualTo("demo");
        assertThat(body.get("code").asText()).isEqualTo(TotpGenerator.codeAt(demoSeed, NOW)).matches("[0-9]{6}");
        assertThat(body.get("valid_for").asInt()).isEqualTo(21);
        assertThat(body.get("timestamp").asText()).isEqualTo("2025-09-02T22:29:39Z");
        assertThat(body.has("next_code")).as("21 s left is above the 5 s threshold").isFalse();
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValueAsLong("Content-Length"))
                .hasValue(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void code_labelQuery_returnsCodePeriodAndValidFor() throws Exception {
        HttpResponse<String> r = get("/code?label=Client-Demo", fullToken);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("code").asText()).isEqualTo(TotpGenerator.codeAt(demoSeed, NOW));
        assertThat(body.get("period").asInt()).isEqualTo(30);
        assertThat(body.get("valid_for").asInt()).isEqualTo(21);
    }

    @Test
    void totp_littleTimeLeft_addsNextCode() throws Exception {
        app.close();
        Instant late = Instant.parse("2025-09-02T22:29:57Z");
        app = GatewayApp.builder(location.open())
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024))
                .clock(Clock.fixed(late, ZoneOffset.UTC)).start();
        JsonNode body = JSON.readTree(get("/totp/client/demo", fullToken).body());
        assertThat(body.get("valid_for").asInt()).isEqualTo(3);
        assertThat(body.get("next_code").asText()).isEqualTo(TotpGenerator.codeAt(demoSeed, late.plusSeconds(30)));
        assertThat(body.get("next_valid_for").asInt()).isEqualTo(30);
        JsonNode code = JSON.readTree(get("/code?label=client-demo", fullToken).body());
        assertThat(code.get("next_code").asText()).isEqualTo(body.get("next_code").asText());
    }

    @Test
    void totp_noToken_401WithStableCode() throws Exception {
        HttpResponse<String> r = get("/totp/client/demo", null);
        assertError(r.statusCode(), r.body(), 401, "unauthenticated");
    }

    @Test
    void totp_unknownToken_401() throws Exception {
        HttpResponse<String> r = get("/totp/client/demo", "mfg_nope_" + "A".repeat(43));
        assertError(r.statusCode(), r.body(), 401, "unauthenticated");
    }

    @Test
    void totp_tokenOutsideItsLabelPattern_403() throws Exception {
        HttpResponse<String> r = get("/totp/client/demo", acmeToken);
        assertError(r.statusCode(), r.body(), 403, "forbidden");
        HttpResponse<String> ok = get("/totp/acme/aws", acmeToken);
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void totp_unknownLabelInsideScope_404() throws Exception {
        HttpResponse<String> r = get("/totp/acme/nothing", acmeToken);
        assertError(r.statusCode(), r.body(), 404, "unknown_label");
    }

    @Test
    void totp_unknownLabelOutsideScope_403NotRevealingExistence() throws Exception {
        assertError(get("/totp/zzz/nothing", acmeToken), 403, "forbidden");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                //            request target                                  status  code
                Arguments.of("/totp/client/de$mo",                            400,    "invalid_label"),
                Arguments.of("/totp/cli-ent/demo",                            400,    "invalid_label"),
                Arguments.of("/totp/client/" + "a".repeat(65),                400,    "invalid_label"),
                Arguments.of("/totp/client/de%2Fmo",                          400,    "invalid_label"),
                Arguments.of("/totp/client/%2e%2e",                           400,    "invalid_label"),
                Arguments.of("/totp/client/..",                               400,    "invalid_label"),
                Arguments.of("/totp/%2e%2e/%2e%2e",                           400,    "bad_request"),
                Arguments.of("/totp/client/de%00mo",                          400,    "bad_request"),
                Arguments.of("/totp/client/d%C3%A9mo",                        400,    "invalid_label"),
                Arguments.of("/code",                                         400,    "bad_request"),
                Arguments.of("/code?label=",                                  400,    "invalid_label"),
                Arguments.of("/code?label=a-b&label=c-d",                     400,    "bad_request"),
                Arguments.of("/code?label=client/demo",                       400,    "invalid_label"),
                Arguments.of("/code?label=%00",                               400,    "invalid_label"),
                Arguments.of("/code?label=" + "x".repeat(20_000),             414,    "uri_too_long"),
                Arguments.of("/nowhere",                                      404,    "not_found"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void request_malformed_clearJsonErrorNever500(String target, int status, String code) throws Exception {
        RawHttp.Response r = RawHttp.get(app.port(), target, "Authorization: Bearer " + fullToken);
        assertError(r.status(), r.body(), status, code);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("<html");
    }

    @Test
    void request_refusedByJettyItself_stillAudited() throws Exception {
        RawHttp.get(app.port(), "/totp/client/demo", "X-Big: " + "y".repeat(20_000));
        RawHttp.get(app.port(), "/code?label=" + "x".repeat(20_000));
        RawHttp.get(app.port(), "/totp/%2e%2e/%2e%2e");
        java.io.StringWriter out = new java.io.StringWriter();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            out = new java.io.StringWriter();
            new dev.mfagate.core.audit.AuditExporter(app.store().database()).export(Instant.EPOCH, Instant.now().plusSeconds(3600), out);
            if (out.toString().contains("uri_too_long") && out.toString().contains("headers_too_large")
                    && out.toString().contains("\"reason\":\"bad_request\"")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(out.toString()).contains("headers_too_large").contains("uri_too_long").contains("\"reason\":\"bad_request\"")
                .contains("\"outcome\":\"MALFORMED\"");
    }

    @Test
    void request_hugeHeader_431Json() throws Exception {
        RawHttp.Response r = RawHttp.get(app.port(), "/totp/client/demo", "X-Big: " + "y".repeat(20_000));
        assertError(r.status(), r.body(), 431, "headers_too_large");
        // Its request id, as every other answer has (these had none), is the audit entry's.
        String id = JSON.readTree(r.body()).at("/error/request_id").asText();
        assertThat(id).matches("[a-z]{21}");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        String exported = "";
        while (!exported.contains(id) && System.nanoTime() < deadline) {
            java.io.StringWriter out = new java.io.StringWriter();
            new dev.mfagate.core.audit.AuditExporter(app.store().database()).export(Instant.EPOCH, Instant.now().plusSeconds(3600), out);
            exported = out.toString();
            Thread.sleep(50);
        }
        assertThat(exported).contains("\"request_id\":\"" + id + "\"");
    }

    @Test
    void request_http09_505AsTheClientsMistake_notAnInternalError() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /code?label=client-demo\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(all).startsWith("HTTP/1.1 505");
            JsonNode body = JSON.readTree(all.substring(all.indexOf("\r\n\r\n") + 4));
            assertThat(body.at("/error/code").asText()).isEqualTo("bad_request");
            assertThat(body.at("/error/request_id").asText()).matches("[a-z]{21}");
        }
    }

    @Test
    void labels_scopedToken_listsOnlyItsLabels() throws Exception {
        JsonNode body = JSON.readTree(get("/labels", acmeToken).body());
        assertThat(body.get("labels")).extracting(JsonNode::asText).containsExactly("acme-aws");
    }

    @Test
    void errorBody_neverContainsACode() throws Exception {
        String code = TotpGenerator.codeAt(demoSeed, NOW);
        assertThat(get("/totp/client/demo", acmeToken).body()).doesNotContain(code);
    }

    @Test
    void metrics_afterCodesAndRefusals_countsByLabelReasonAndRoute() throws Exception {
        get("/totp/client/demo", fullToken);
        get("/code?label=client-demo", fullToken);
        get("/totp/client/demo", acmeToken);
        get("/totp/client/demo", null);
        System.gc(); // at least one collection for the JVM's collection counts below
        HttpResponse<String> m = metrics("/metrics", "GET");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(m.body())
                .contains("mfagate_codes_issued_total{label=\"client-demo\"} 2.0")
                .contains("mfagate_denials_total{reason=\"outside_token_scope\"} 1.0")
                .contains("mfagate_denials_total{reason=\"unauthenticated\"} 1.0")
                .contains("http_server_requests_seconds_bucket{method=\"GET\",route=\"/totp/{client}/{service}\",status=\"200\"")
                .contains("mfagate_audit_commit_seconds_count")
                .contains("mfagate_audit_batch_size_count")
                .contains("jvm_memory_used_bytes");
        double collections = m.body().lines().filter(l -> l.startsWith("jvm_gc_collection_seconds_count{gc=\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(collections).isGreaterThanOrEqualTo(1.0);
        assertThat(numbersAndLabelValues(m.body())).doesNotContain(TotpGenerator.codeAt(demoSeed, NOW))
                .doesNotContain(String.valueOf(Double.parseDouble(TotpGenerator.codeAt(demoSeed, NOW))));
    }

    /**
     * Every label value and sample value in a Prometheus text page, each whole. A code would leak as one of these;
     * a plain substring check would also match six digits inside a timing such as {@code 0.011843455}.
     */
    private static java.util.Set<String> numbersAndLabelValues(String page) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String line : page.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            java.util.regex.Matcher labels = java.util.regex.Pattern.compile("=\"([^\"]*)\"").matcher(line);
            while (labels.find()) {
                out.add(labels.group(1));
            }
            String value = line.substring(line.lastIndexOf(' ') + 1);
            out.add(value);
            try {
                out.add(String.valueOf(Double.parseDouble(value)));
            } catch (NumberFormatException notANumber) {
                // "+Inf", "NaN" and the like are kept as written.
            }
        }
        return out;
    }

    @Test
    void metrics_onTheApiPort_notServedLabelsStayOffTheApi() throws Exception {
        get("/totp/client/demo", fullToken);
        HttpResponse<String> r = get("/metrics", null);
        assertError(r, 404, "not_found");
        assertThat(r.body()).doesNotContain("client-demo");
    }

    @Test
    void metricsListener_onlyMetricsAndOnlyGetOrHead_elseJsonError() throws Exception {
        assertError(metrics("/totp/client/demo", "GET"), 404, "not_found");
        assertError(metrics("/metrics", "POST"), 405, "method_not_allowed");
        HttpResponse<String> head = metrics("/metrics", "HEAD");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    private HttpResponse<String> metrics(String path, String method) throws Exception {
        int port = app.metricsPort().orElseThrow(() -> new AssertionError("a metrics listener was configured"));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyz_healthyStore_readyWithEveryCheckOk() throws Exception {
        HttpResponse<String> r = get("/readyz", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("ready");
        assertThat(body.get("checks").get("store").asText()).isEqualTo("ok");
        assertThat(body.get("checks").get("audit").asText()).isEqualTo("ok");
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertError(r.statusCode(), r.body(), status, code);
    }

    private static void assertError(int actualStatus, String body, int status, String code) throws Exception {
        assertThat(actualStatus).as("status for body %s", body).isEqualTo(status);
        JsonNode node = JSON.readTree(body);
        assertThat(node.at("/error/code").asText()).isEqualTo(code);
        assertThat(node.at("/error/message").asText()).isNotBlank();
    }
}
