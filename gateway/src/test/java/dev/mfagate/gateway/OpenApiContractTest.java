package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.Label;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Holds the server to the OpenAPI document it serves: every response the tests provoke (each route,
 * each status the server produces, success and error) is checked for a documented path, method,
 * status and content type, and its body is validated against the documented schema
 * (JSON Schema 2020-12, as OpenAPI 3.1 uses).
 */
class OpenApiContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    @TempDir
    Path dir;
    private GatewayApp app;
    private JsonNode doc;
    private String token;
    private String acmeToken;
    private String botToken;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> checked = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Store store = Store.init(dir.resolve("data"));
        store.seeds().add(Label.parse("client-demo"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), Instant.now());
        store.seeds().add(Label.parse("acme-aws"), SeedParser.parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), Instant.now());
        token = store.tokens().create("all", "*", false, Optional.empty(), Instant.now()).plaintext();
        acmeToken = store.tokens().create("acme", "acme-*", false, Optional.empty(), Instant.now()).plaintext();
        botToken = store.tokens().create("bot", "*", true, Optional.empty(), Instant.now()).plaintext();
        GatewayApp.Options opts = new GatewayApp.Options(
                new dev.mfagate.core.ratelimit.RateLimitConfig(
                        dev.mfagate.core.ratelimit.RateLimit.perPeriod(3, Duration.ofMinutes(1)),
                        dev.mfagate.core.ratelimit.RateLimit.perPeriod(1000, Duration.ofMinutes(1)),
                        dev.mfagate.core.ratelimit.RateLimit.perPeriod(1000, Duration.ofMinutes(1))),
                dev.mfagate.core.ratelimit.LockoutPolicy.defaults(), "contract", true);
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(29), false, 16 * 1024))
                .options(opts)
                .clock(Clock.systemUTC()).start();
        doc = JSON.readTree(send("GET", "/openapi.json", null).body());
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private HttpResponse<String> send(String method, String path, String bearer, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends, then checks the response against the document. */
    private HttpResponse<String> call(String path, String bearer, int expectedStatus, String... headers) throws Exception {
        HttpResponse<String> r = send("GET", path, bearer, headers);
        assertThat(r.statusCode()).as("status of %s: %s", path, r.body()).isEqualTo(expectedStatus);
        assertMatchesDocument("get", URI.create(path).getPath(), r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        return r;
    }

    private void assertMatchesDocument(String method, String path, int status, String contentType, String body) throws Exception {
        String template = templateFor(path);
        assertThat(template).as("path %s is documented", path).isNotNull();
        JsonNode operation = doc.at("/paths/" + escape(template) + "/" + method);
        assertThat(operation.isMissingNode()).as("%s %s is documented", method, template).isFalse();
        JsonNode response = resolve(operation.at("/responses/" + status));
        assertThat(response.isMissingNode()).as("status %d of %s %s is documented", status, method, template).isFalse();
        String mediaType = contentType.split(";")[0].strip();
        JsonNode schemaNode = response.at("/content/" + escape(mediaType) + "/schema");
        assertThat(schemaNode.isMissingNode()).as("content type %s of %d %s is documented", mediaType, status, template).isFalse();
        if (mediaType.equals("application/json")) {
            ObjectNode wrapper = JSON.createObjectNode();
            wrapper.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            wrapper.set("components", doc.get("components"));
            wrapper.setAll((ObjectNode) schemaNode.deepCopy());
            JsonSchema schema = SCHEMAS.getSchema(wrapper);
            Set<ValidationMessage> errors = schema.validate(JSON.readTree(body));
            assertThat(errors).as("%d %s %s body %s", status, method, template, body).isEmpty();
        }
        checked.add(method + " " + template + " " + status);
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            node = doc.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    private String templateFor(String path) {
        for (Iterator<String> it = doc.get("paths").fieldNames(); it.hasNext(); ) {
            String t = it.next();
            if (Pattern.compile("^" + t.replaceAll("\\{[^}]+}", "[^/]+").replace(".", "\\.") + "$").matcher(path).matches()) {
                return t;
            }
        }
        return null;
    }

    private static String escape(String pointerPart) {
        return pointerPart.replace("~", "~0").replace("/", "~1");
    }

    @Test
    void everyRouteAndStatusProduced_matchesTheDocument() throws Exception {
        call("/totp/client/demo", token, 200);
        call("/code?label=client-demo", token, 200);
        call("/labels", acmeToken, 200);
        call("/labels", botToken, 200, "X-Mfagate-On-Behalf-Of-User", "42");
        call("/healthz", null, 200);
        call("/readyz", null, 200);
        call("/openapi.json", null, 200);
        call("/totp/client/de$mo", token, 400);
        call("/code?label=client-demo", botToken, 400, "X-Mfagate-On-Behalf-Of-User", "x");
        call("/totp/client/demo", null, 401);
        call("/totp/client/demo", acmeToken, 403);
        call("/code?label=client-demo", botToken, 403, "X-Mfagate-On-Behalf-Of-User", "42");
        call("/code?label=acme-none", acmeToken, 404);
        for (int i = 0; i < 3; i++) {
            send("GET", "/totp/acme/aws", acmeToken);
        }
        HttpResponse<String> limited = call("/totp/acme/aws", acmeToken, 429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        call("/code?label=" + "x".repeat(10_000), token, 414);
        HttpResponse<String> big = send("GET", "/labels", token, "X-Big", "y".repeat(10_000));
        assertMatchesDocument("get", "/labels", big.statusCode(), big.headers().firstValue("Content-Type").orElse(""), big.body());
        assertThat(big.statusCode()).isEqualTo(431);

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/mfagate.db"));
             Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER refuse BEFORE INSERT ON audit_entry BEGIN SELECT RAISE(ABORT, 'read-only'); END;");
            call("/totp/client/demo", token, 503);
            call("/readyz", null, 503);
            st.execute("DROP TRIGGER refuse");
        }
        assertThat(checked.stream().map(c -> c.substring(c.lastIndexOf(' ') + 1)).distinct())
                .as("every status the API produces was provoked and checked")
                .containsExactlyInAnyOrder("200", "400", "401", "403", "404", "414", "429", "431", "503");
    }

    @Test
    void document_listsExactlyTheServersRoutes() {
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fieldNames().forEachRemaining(documented::add);
        assertThat(documented).containsExactlyInAnyOrder(
                "/totp/{client}/{service}", "/code", "/labels", "/healthz", "/readyz", "/openapi.json");
    }

    @Test
    void document_errorCodeEnum_isExactlyErrorCode() {
        Set<String> documented = new TreeSet<>();
        doc.at("/components/schemas/Error/properties/error/properties/code/enum").forEach(n -> documented.add(n.asText()));
        Set<String> actual = new TreeSet<>();
        Arrays.stream(ErrorCode.values()).forEach(c -> actual.add(c.wireCode()));
        assertThat(documented).isEqualTo(actual);
    }

    @Test
    void contractCheck_wrongBody_isCaught() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                assertMatchesDocument("get", "/code", 200, "application/json", "{\"code\":\"12345\",\"period\":30,\"valid_for\":3}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("pattern");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                assertMatchesDocument("get", "/code", 418, "application/json", "{}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("418");
    }
}
