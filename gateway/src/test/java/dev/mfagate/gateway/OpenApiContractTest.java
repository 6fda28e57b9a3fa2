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
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
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
        List<String> routes = new ArrayList<>(List.of(
                "/totp/{client}/{service}", "/code", "/labels", "/healthz", "/readyz", "/openapi.json"));
        routes.addAll(AdminRoutes.ROUTES.keySet());
        assertThat(documented).containsExactlyInAnyOrderElementsOf(routes);
        for (var route : AdminRoutes.ROUTES.entrySet()) {
            Set<String> methods = new TreeSet<>();
            doc.get("paths").get(route.getKey()).fieldNames().forEachRemaining(methods::add);
            assertThat(methods).as("methods of %s", route.getKey()).isEqualTo(new TreeSet<>(
                    route.getValue().stream().map(m -> m.name().toLowerCase(java.util.Locale.ROOT)).toList()));
        }
    }

    /** Sends {@code body} (JSON unless a content type is given) with {@code method}, then checks the answer. */
    private HttpResponse<String> admin(String method, String path, String bearer, String body, int expectedStatus,
                                       String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        b.header("Authorization", "Bearer " + bearer);
        if (body != null && headers.length == 0) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("status of %s %s: %s", method, path, r.body()).isEqualTo(expectedStatus);
        // A method the route does not answer has no operation of its own: its 405 is documented on the route's GET.
        String documented = r.statusCode() == 405 ? "get" : method.toLowerCase(java.util.Locale.ROOT);
        assertMatchesDocument(documented, URI.create(path).getPath(), r.statusCode(),
                r.headers().firstValue("Content-Type").orElse(""), r.body());
        return r;
    }

    @Test
    void adminRoutes_everyRouteAndStatus_matchTheDocument() throws Exception {
        String ops;
        try (Store s = Store.open(dir.resolve("data"))) {
            ops = s.tokens().create("ops", "*", false, Optional.empty(), Instant.now(), dev.mfagate.core.tenant.Scope.ORGANISATION,
                    Optional.of(dev.mfagate.core.tenant.Role.OPERATOR)).plaintext();
        }
        HttpResponse<String> created = admin("POST", "/api/v1/tenants", ops, "{\"tenant\":\"beta\",\"admin_token\":\"beta-admin\"}", 201);
        String adm = JSON.readTree(created.body()).at("/admin_token/secret").asText();
        admin("POST", "/api/v1/tenants", ops, "{\"tenant\":\"beta\"}", 409);
        admin("POST", "/api/v1/tenants", ops, "{\"tenant\":\"a-b\"}", 400);
        admin("GET", "/api/v1/tenants", adm, null, 200);
        admin("GET", "/api/v1/tenants/beta", adm, null, 200);
        admin("GET", "/api/v1/tenants/acme", adm, null, 404);
        admin("POST", "/api/v1/tenants/beta/members", adm, "{\"holder\":\"group:7\",\"role\":\"member\"}", 201);
        admin("GET", "/api/v1/tenants/beta/members", adm, null, 200);
        admin("DELETE", "/api/v1/tenants/beta/members/member/group:7", adm, null, 200);
        admin("POST", "/api/v1/tenants/beta/seeds", adm,
                "{\"labels\":[\"beta-aws\",\"beta-gcp\"],\"text\":\"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\\nGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\"}", 201);
        admin("POST", "/api/v1/tenants/beta/seeds", adm, "{\"labels\":[\"beta-aws\"],\"text\":\"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\"}", 409);
        admin("POST", "/api/v1/tenants/beta/seeds", adm, "x".repeat((int) AdminRoutes.MAX_SEED_UPLOAD_BYTES + 1), 413);
        admin("POST", "/api/v1/tenants/beta/seeds", adm, "{\"labels\":[" + String.join(",", java.util.stream.IntStream.rangeClosed(1, 101)
                .mapToObj(i -> "\"beta-s" + i + "\"").toList()) + "],\"text\":\"JBSWY3DPEHPK3PXP\"}", 400);
        admin("GET", "/api/v1/tenants/beta/seeds", adm, null, 200);
        admin("POST", "/api/v1/tenants/beta/seeds/beta-gcp/disable", adm, null, 200);
        admin("DELETE", "/api/v1/tenants/beta/seeds/beta-gcp", adm, null, 200);
        admin("POST", "/api/v1/tenants/beta/rules", adm, "{\"id\":\"r1\",\"principal\":\"user:42\",\"pattern\":\"beta-*\",\"daily_cap\":3}", 201);
        admin("GET", "/api/v1/tenants/beta/rules", adm, null, 200);
        admin("GET", "/api/v1/tenants/beta/labels/beta-aws/access", adm, null, 200);
        admin("DELETE", "/api/v1/tenants/beta/rules/r1", adm, null, 200);
        HttpResponse<String> token = admin("POST", "/api/v1/tenants/beta/tokens", adm, "{\"name\":\"beta-ci\"}", 201);
        admin("GET", "/api/v1/tenants/beta/tokens", adm, null, 200);
        admin("DELETE", "/api/v1/tenants/beta/tokens/" + JSON.readTree(token.body()).at("/token/id").asText(), adm, null, 200);
        admin("GET", "/api/v1/tenants/beta/audit?limit=2", adm, null, 200);
        admin("GET", "/api/v1/tenants/beta/audit/export", adm, null, 200);
        admin("GET", "/api/v1/audit/chain", ops, null, 200);
        admin("GET", "/api/v1/audit/chain", adm, null, 403);
        admin("PUT", "/api/v1/tenants/beta/seeds", adm, null, 405);
        admin("GET", "/api/v1/tenants/beta/seeds", "mfg_aaaaaaaaaaaaaaaa_" + "A".repeat(43), null, 401);
        assertThat(checked.stream().map(c -> c.substring(c.lastIndexOf(' ') + 1)).distinct())
                .as("every status the admin API produces was provoked and checked")
                .containsExactlyInAnyOrder("200", "201", "400", "401", "403", "404", "405", "409", "413");
    }

    @Test
    void adminRoutes_consoleSessionCookie_answersMatchTheDocument() throws Exception {
        app.close();
        Store store = Store.open(dir.resolve("data"));
        Instant now = Instant.now();
        var tenants = new dev.mfagate.core.tenant.TenantRepository(store.database());
        tenants.addPerson(new dev.mfagate.core.tenant.PersonId("ann"), "Ann", now);
        tenants.bind(new dev.mfagate.core.tenant.RoleBinding(new dev.mfagate.core.tenant.Holder.SsoGroup("mfa-ops"),
                dev.mfagate.core.tenant.Role.OPERATOR, dev.mfagate.core.tenant.Scope.ORGANISATION, "test", now));
        var started = new dev.mfagate.core.console.ConsoleSessions(store.database()).create(
                new dev.mfagate.core.tenant.PersonId("ann"), "oidc:https://idp.example#ann", List.of("mfa-ops"), now,
                Duration.ofHours(1));
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(29), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .console(new dev.mfagate.gateway.console.ConsoleSettings(URI.create("http://127.0.0.1:9/idp"), "client", "secret",
                        URI.create("http://127.0.0.1:8080"), Duration.ofMinutes(15), Duration.ofHours(1), false))
                .clock(Clock.systemUTC()).start();
        String cookie = "mfagate_session=" + started.cookieValue();
        String csrf = started.session().csrfToken();

        session("GET", "/api/v1/tenants", cookie, null, null, 200);
        session("POST", "/api/v1/tenants", cookie, null, "{\"tenant\":\"gamma\"}", 403);
        session("POST", "/api/v1/tenants", cookie, csrf, "{\"tenant\":\"gamma\"}", 201);
        session("POST", "/api/v1/tenants/gamma/members", cookie, csrf, "{\"holder\":\"sso-group:mfa-ops\",\"role\":\"admin\"}", 400);
        session("GET", "/api/v1/tenants", "mfagate_session=" + dev.mfagate.core.console.ConsoleSessions.randomValue(), null, null,
                401);

        JsonNode schemes = doc.at("/components/securitySchemes/consoleSession");
        assertThat(schemes.get("type").asText()).isEqualTo("apiKey");
        assertThat(schemes.get("in").asText()).isEqualTo("cookie");
        for (var route : AdminRoutes.ROUTES.entrySet()) {
            for (var method : route.getValue()) {
                JsonNode op = doc.at("/paths/" + escape(route.getKey()) + "/" + method.name().toLowerCase(java.util.Locale.ROOT));
                assertThat(op.get("security").toString()).as("%s %s", method, route.getKey())
                        .contains("\"bearer\"").contains("\"consoleSession\"");
                boolean change = !method.name().equals("GET");
                assertThat(op.get("parameters").toString().contains("#/components/parameters/CsrfToken"))
                        .as("%s %s documents X-CSRF-Token", method, route.getKey()).isEqualTo(change);
            }
        }
    }

    private void session(String method, String path, String cookie, String csrf, String body, int expectedStatus) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Cookie", cookie);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("status of %s %s: %s", method, path, r.body()).isEqualTo(expectedStatus);
        assertMatchesDocument(method.toLowerCase(java.util.Locale.ROOT), path, r.statusCode(),
                r.headers().firstValue("Content-Type").orElse(""), r.body());
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
