package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API over real HTTP: the authorisation matrix (every caller x resource x action x own
 * tenant, other tenant, organisation, each with its expected status), a tenant admin learning
 * nothing of another tenant, all-or-nothing seed uploads, the oversize refusal, and the audit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEED_A = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private static final String SEED_B = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    @TempDir
    static Path dir;
    private GatewayApp app;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, String> tokenIds = new HashMap<>();
    private final AtomicInteger unique = new AtomicInteger(100);

    @BeforeAll
    void start() throws Exception {
        Store store = Store.init(dir.resolve("data"));
        Instant now = Instant.now();
        store.seeds().add(dev.mfagate.core.Label.parse("acme-aws"), dev.mfagate.core.seed.SeedParser.parse(SEED_A), now);
        store.seeds().add(dev.mfagate.core.Label.parse("beta-aws"), dev.mfagate.core.seed.SeedParser.parse(SEED_B), now);
        SecretRegistry.seed(dev.mfagate.core.seed.SeedParser.parse(SEED_A));
        SecretRegistry.seed(dev.mfagate.core.seed.SeedParser.parse(SEED_B));
        token(store, "operator", "*", Scope.ORGANISATION, Role.OPERATOR);
        token(store, "auditor", "*", Scope.ORGANISATION, Role.AUDITOR);
        token(store, "admin", "acme-*", new TenantId("acme"), Role.ADMIN);
        token(store, "approver", "acme-*", new TenantId("acme"), Role.APPROVER);
        token(store, "member", "acme-*", new TenantId("acme"), Role.MEMBER);
        token(store, "code", "acme-*", new TenantId("acme"), null);
        token(store, "beta-admin", "beta-*", new TenantId("beta"), Role.ADMIN);
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(29), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC()).start();
    }

    private void token(Store store, String name, String labels, Scope owner, Role role) {
        var t = store.tokens().create(name, labels, false, Optional.empty(), Instant.now(), owner, Optional.ofNullable(role));
        tokens.put(name, t.plaintext());
        tokenIds.put(name, t.info().id());
    }

    @AfterAll
    void stop() {
        app.close();
    }

    private HttpResponse<String> send(String method, String path, String caller, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (caller != null && !caller.equals("none")) {
            b.header("Authorization", "Bearer " + tokens.get(caller));
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------- the matrix

    /**
     * Expected status per caller and target, for TENANT read/change, MEMBERS, SEEDS, RULES, TOKENS
     * read/change and AUDIT read. "own" is acme (the tenant of the tenant roles' and code tokens),
     * "other" beta, "org" the organisation. Reading tenants at the organisation is the list of those
     * the caller may see: 200 for every authenticated caller. Changing a tenant exists at the
     * organisation only (-). 404 is the answer for a tenant the caller may not see: the same as a
     * missing one.
     */
    private static final List<String> MATRIX = List.of(
            // caller    target  TEN-R TEN-W MEM-R MEM-W SEED-R SEED-W RULE-R RULE-W TOK-R TOK-W AUD-R
            "operator    org     200   201   200   201   403    403    200    201    200   201   200",
            "operator    own     200   -     200   201   403    403    403    403    403   403   403",
            "operator    other   200   -     200   201   403    403    403    403    403   403   403",
            "auditor     org     200   403   403   403   403    403    403    403    403   403   200",
            "auditor     own     200   -     403   403   403    403    403    403    403   403   200",
            "auditor     other   200   -     403   403   403    403    403    403    403   403   200",
            "admin       org     200   403   403   403   403    403    403    403    403   403   403",
            "admin       own     200   -     200   201   200    201    200    201    200   201   200",
            "admin       other   404   -     404   404   404    404    404    404    404   404   404",
            "approver    org     200   403   403   403   403    403    403    403    403   403   403",
            "approver    own     200   -     403   403   403    403    403    403    403   403   200",
            "approver    other   404   -     404   404   404    404    404    404    404   404   404",
            "member      org     200   403   403   403   403    403    403    403    403   403   403",
            "member      own     200   -     403   403   403    403    403    403    403   403   403",
            "member      other   404   -     404   404   404    404    404    404    404   404   404",
            "code        org     200   403   403   403   403    403    403    403    403   403   403",
            "code        own     404   -     404   404   404    404    404    404    404   404   404",
            "code        other   404   -     404   404   404    404    404    404    404   404   404",
            "none        org     401   401   401   401   401    401    401    401    401   401   401",
            "none        own     401   -     401   401   401    401    401    401    401   401   401",
            "none        other   401   -     401   401   401    401    401    401    401   401   401");

    private static final List<String> ACTS = List.of("TENANT:R", "TENANT:W", "MEMBERS:R", "MEMBERS:W", "SEEDS:R", "SEEDS:W",
            "RULES:R", "RULES:W", "TOKENS:R", "TOKENS:W", "AUDIT:R");

    Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (String row : MATRIX) {
            String[] f = row.trim().split("\\s+");
            for (int i = 0; i < ACTS.size(); i++) {
                if (!f[2 + i].equals("-")) {
                    out.add(Arguments.of(f[0], f[1], ACTS.get(i), Integer.parseInt(f[2 + i])));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {2} in {1} -> {3}")
    @MethodSource("matrix")
    void adminAct_callerTargetResourceAction_expectedStatus(String caller, String where, String act, int expected)
            throws Exception {
        String t = switch (where) {
            case "own" -> "acme";
            case "other" -> "beta";
            default -> "_org";
        };
        String base = "/api/v1/tenants/" + t;
        int n = unique.incrementAndGet();
        String pattern = where.equals("org") ? "*" : t + "-*";
        HttpResponse<String> r = switch (act) {
            case "TENANT:R" -> send("GET", where.equals("org") ? "/api/v1/tenants" : base, caller, null);
            case "TENANT:W" -> send("POST", "/api/v1/tenants", caller, "{\"tenant\":\"t" + n + "\"}");
            case "MEMBERS:R" -> send("GET", base + "/members", caller, null);
            case "MEMBERS:W" -> send("POST", base + "/members", caller,
                    "{\"holder\":\"group:" + n + "\",\"role\":\"" + (where.equals("org") ? "auditor" : "member") + "\"}");
            case "SEEDS:R" -> send("GET", base + "/seeds", caller, null);
            case "SEEDS:W" -> send("POST", base + "/seeds", caller, "{\"labels\":[\"" + (where.equals("org") ? "acme" : t)
                    + "-s" + n + "\"],\"text\":\"" + SEED_A + "\"}");
            case "RULES:R" -> send("GET", base + "/rules", caller, null);
            // A principal of its own: two identical rules of one owner are refused (409), and this is about roles.
            case "RULES:W" -> send("POST", base + "/rules", caller, "{\"principal\":\"user:" + (42_000 + n) + "\",\"pattern\":\"" + pattern + "\"}");
            case "TOKENS:R" -> send("GET", base + "/tokens", caller, null);
            case "TOKENS:W" -> send("POST", base + "/tokens", caller, "{\"name\":\"tok" + n + "\"}");
            case "AUDIT:R" -> send("GET", base + "/audit?limit=5", caller, null);
            default -> throw new AssertionError(act);
        };
        assertThat(r.statusCode()).as("%s %s in %s: %s", caller, act, where, r.body()).isEqualTo(expected);
        if (expected == 404) {
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("unknown_object");
            assertThat(error.get("message").asText()).as("not visible reads exactly as missing")
                    .isEqualTo(AdminResult.NOT_FOUND_MESSAGE);
        }
    }

    // ---------------------------------------------------------------- nothing about other tenants

    @Test
    void tenantAdmin_otherTenantsObjects_answerExactlyLikeMissingOnes() throws Exception {
        List<String[]> pairs = List.of(
                // another tenant's existing object             a missing one
                new String[] {"GET /api/v1/tenants/beta/seeds", "GET /api/v1/tenants/zeta/seeds"},
                new String[] {"GET /api/v1/tenants/beta/labels/beta-aws/access", "GET /api/v1/tenants/zeta/labels/zeta-aws/access"},
                new String[] {"GET /api/v1/tenants/acme/labels/beta-aws/access", "GET /api/v1/tenants/acme/labels/zeta-aws/access"},
                new String[] {"DELETE /api/v1/tenants/acme/seeds/beta-aws", "DELETE /api/v1/tenants/acme/seeds/acme-none"},
                new String[] {"POST /api/v1/tenants/acme/seeds/beta-aws/disable", "POST /api/v1/tenants/acme/seeds/acme-none/disable"},
                new String[] {"DELETE /api/v1/tenants/acme/tokens/" + tokenIds.get("beta-admin"),
                        "DELETE /api/v1/tenants/acme/tokens/aaaaaaaaaaaaaaaa"},
                new String[] {"GET /api/v1/tenants/beta", "GET /api/v1/tenants/zeta"});
        for (String[] pair : pairs) {
            HttpResponse<String> existing = send(pair[0].split(" ")[0], pair[0].split(" ")[1], "admin", null);
            HttpResponse<String> missing = send(pair[1].split(" ")[0], pair[1].split(" ")[1], "admin", null);
            assertThat(existing.statusCode()).as(pair[0]).isEqualTo(404);
            assertThat(withoutRequestId(existing)).as("%s answers as %s", pair[0], pair[1]).isEqualTo(withoutRequestId(missing));
            assertThat(existing.headers().map().keySet()).isEqualTo(missing.headers().map().keySet());
        }
        try (var s = Store.open(dir.resolve("data"))) {
            assertThat(s.seeds().info(dev.mfagate.core.Label.parse("beta-aws"))).as("another tenant's seed untouched").isPresent();
            assertThat(s.seeds().disabled()).doesNotContainKey(dev.mfagate.core.Label.parse("beta-aws"));
            assertThat(s.tokens().find(tokenIds.get("beta-admin")).orElseThrow().revokedAt()).isEmpty();
        }
    }

    @Test
    void tenantAdmin_ruleNamingAnotherTenantsTokenByName_isNotToldItsId() throws Exception {
        // Before, the refusal named beta's admin token's id to acme's admin.
        HttpResponse<String> other = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"token:beta-admin\",\"pattern\":\"acme-aws\"}");
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(other.body()).contains("No token has the id 'beta-admin'").doesNotContain(tokenIds.get("beta-admin"));
        HttpResponse<String> own = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"token:code\",\"pattern\":\"acme-aws\"}");
        assertThat(own.statusCode()).isEqualTo(400);
        assertThat(own.body()).as("its own tenant's token: the id helps").contains("that token is token:" + tokenIds.get("code"));
    }

    private static JsonNode withoutRequestId(HttpResponse<String> r) throws Exception {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("error")).remove("request_id");
        node.put("status", r.statusCode());
        return node;
    }

    // ---------------------------------------------------------------- tenants

    @Test
    void createTenant_sameIdManyAtOnce_oneCreatedTheOthers409_oneAdminToken() throws Exception {
        // Before, a request that lost the race to insert the tenant went on and gave it its own admin token.
        int n = 16;
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String body = "{\"tenant\":\"race\",\"admin_token\":\"race-admin-" + i + "\"}";
            all.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return send("POST", "/api/v1/tenants", "operator", body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
        }
        Map<Integer, Integer> statuses = new HashMap<>();
        for (var f : all) {
            statuses.merge(f.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
        }
        assertThat(statuses).isEqualTo(Map.of(201, 1, 409, n - 1));
        try (var s = Store.open(dir.resolve("data"))) {
            assertThat(s.tokens().list()).filteredOn(t -> t.name().startsWith("race-admin-")).hasSize(1);
        }
    }

    // ---------------------------------------------------------------- codes and roles

    @Test
    void roleTokens_getCodesOnlyThroughARuleNamingThem() throws Exception {
        // Before, every token was granted by its own labels: an auditor token (labels "*" by default)
        // got every tenant's codes with no rule at all.
        for (String role : List.of("operator", "auditor", "admin", "approver", "member")) {
            HttpResponse<String> r = send("GET", "/code?label=acme-aws", role, null);
            assertThat(r.statusCode()).as(role + ": " + r.body()).isEqualTo(403);
            assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("forbidden");
            assertThat(JSON.readTree(r.body()).at("/error/message").asText()).as("the refusal says why")
                    .isEqualTo("No rule allows this token codes for acme-aws: a token that holds a role gets codes only through"
                            + " a rule naming it (token:" + tokenIds.get(role) + ")");
        }
        assertThat(send("GET", "/code?label=acme-aws", "code", null).statusCode()).as("a code token: its labels grant").isEqualTo(200);
        HttpResponse<String> rule = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"token:" + tokenIds.get("approver") + "\",\"pattern\":\"acme-aws\"}");
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
        try {
            assertThat(send("GET", "/totp/acme/aws", "approver", null).statusCode()).as("named by a rule").isEqualTo(200);
            assertThat(send("GET", "/totp/acme/aws", "member", null).statusCode()).as("another role token still not").isEqualTo(403);
        } finally {
            String id = JSON.readTree(rule.body()).get("id").asText();
            assertThat(send("DELETE", "/api/v1/tenants/acme/rules/" + id, "admin", null).statusCode()).isEqualTo(200);
        }
    }

    // ---------------------------------------------------------------- tokens and rules

    @Test
    void createTokenOrRule_expiryAfterYear9999_400BadRequestNothingStored() throws Exception {
        String far = "+999999999-12-31T23:59:59Z";
        HttpResponse<String> token = send("POST", "/api/v1/tenants/_org/tokens", "operator",
                "{\"name\":\"far\",\"expires_at\":\"" + far + "\"}");
        HttpResponse<String> rule = send("POST", "/api/v1/tenants/_org/rules", "operator",
                "{\"principal\":\"user:9\",\"pattern\":\"acme-*\",\"expires_at\":\"" + far + "\"}");
        for (HttpResponse<String> r : List.of(token, rule)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("bad_request");
            assertThat(error.get("message").asText()).contains(far).contains("must be at most 9999-12-31T23:59:59Z");
        }
        assertThat(send("GET", "/api/v1/tenants/_org/tokens", "operator", null).body()).doesNotContain("\"far\"");
        assertThat(send("GET", "/api/v1/tenants/_org/rules", "operator", null).body()).doesNotContain("user:9");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "limit=100000000000        | Invalid limit: must be from 1 to 1000",
        "limit=1001                | Invalid limit: must be from 1 to 1000",
        "limit=0                   | Invalid limit: must be from 1 to 1000",
        "limit=-99999999999999999999 | Invalid limit: must be from 1 to 1000",
        "limit=ten                 | Invalid limit: must be a whole number from 1 to 1000",
        "limit=1.5                 | Invalid limit: must be a whole number from 1 to 1000",
        "after=99999999999999999999 | Invalid after: must be from 0 to 9223372036854775807",
        "after=x1                  | Invalid after: must be a whole number from 0 to 9223372036854775807",
    })
    void queryAudit_limitOrAfterOutOfRangeOrNotANumber_400SayingWhich(String query, String message) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/tenants/acme/audit?" + query, "admin", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText()).isEqualTo(message);
    }

    // ---------------------------------------------------------------- seeds

    @Test
    void addSeeds_oneBadLine_400AndNothingStored() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-good1\",\"acme-bad1\"],\"text\":\"" + SEED_B + "\\nNOT*BASE32\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("bad_request");
        assertThat(labels("acme")).doesNotContain("acme-good1", "acme-bad1");
    }

    @Test
    void addSeeds_theSecretTypedAsItsLabel_400NotQuotedNothingStored() throws Exception {
        // Before: stored, and the secret was in every listing, log line and audit entry from then on.
        String lower = SEED_B.toLowerCase(java.util.Locale.ROOT);
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-" + SEED_B + "\"],\"text\":\"" + SEED_B + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("look like a pasted secret").doesNotContainIgnoringCase(SEED_B);
        assertThat(labels("acme")).noneMatch(l -> l.contains(lower));
        HttpResponse<String> person = send("POST", "/api/v1/tenants/acme/members", "admin",
                "{\"holder\":\"person:" + SEED_B.substring(0, 20) + "\",\"role\":\"member\"}");
        assertThat(person.statusCode()).isEqualTo(400);
        assertThat(person.body()).contains("No person (20 characters, not shown)").doesNotContainIgnoringCase(SEED_B.substring(0, 20));
    }

    @Test
    void addSeeds_oneLabelTaken_409AndNothingStored() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-fresh2\",\"acme-aws\"],\"text\":\"" + SEED_B + "\\n" + SEED_A + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(labels("acme")).doesNotContain("acme-fresh2");
    }

    @Test
    void addSeeds_labelOfAnotherTenant_400AndNothingStored() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-fresh3\",\"beta-new3\"],\"text\":\"" + SEED_B + "\\n" + SEED_A + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(labels("acme")).doesNotContain("acme-fresh3");
        assertThat(send("GET", "/api/v1/tenants/beta/seeds", "beta-admin", null).body()).doesNotContain("beta-new3");
    }

    @Test
    void addSeeds_unknownFieldOrLabelCountMismatch_400NothingStored() throws Exception {
        assertThat(send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-x4\"],\"text\":\"" + SEED_B + "\",\"extra\":1}").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-x4\",\"acme-y4\"],\"text\":\"" + SEED_B + "\"}").statusCode()).isEqualTo(400);
        assertThat(labels("acme")).doesNotContain("acme-x4", "acme-y4");
    }

    @Test
    void createRule_fieldGivenTwiceOrASecondObject_400NothingStored() throws Exception {
        HttpResponse<String> twice = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"user:7001\",\"principal\":\"user:7002\",\"pattern\":\"acme-*\"}");
        assertThat(twice.statusCode()).as(twice.body()).isEqualTo(400);
        assertThat(twice.body()).contains("\"code\":\"bad_request\"").doesNotContain("7001").doesNotContain("Duplicate");
        HttpResponse<String> second = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"user:7003\",\"pattern\":\"acme-*\"} {\"principal\":\"user:7004\",\"pattern\":\"acme-*\"}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(400);
        assertThat(send("GET", "/api/v1/tenants/acme/rules", "admin", null).body())
                .doesNotContain("user:7001").doesNotContain("user:7002").doesNotContain("user:7003").doesNotContain("user:7004");
    }

    @Test
    void createRule_identicalToOneOfTheSameOwner_409NamingItAndOneRuleStored() throws Exception {
        String body = "{\"principal\":\"user:7021\",\"pattern\":\"acme-*\",\"expires_at\":\"2099-01-01T00:00:00Z\",\"daily_cap\":4}";
        HttpResponse<String> first = send("POST", "/api/v1/tenants/acme/rules", "admin", body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        String id = JSON.readTree(first.body()).get("id").asText();

        HttpResponse<String> again = send("POST", "/api/v1/tenants/acme/rules", "admin", body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        JsonNode error = JSON.readTree(again.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("conflict");
        assertThat(error.get("message").asText()).startsWith("Rule " + id + " already grants this");
        assertThat(JSON.readTree(send("GET", "/api/v1/tenants/acme/rules", "admin", null).body()).get("rules"))
                .filteredOn(r -> r.get("principal").asText().equals("user:7021")).hasSize(1);
    }

    @Test
    void labelAccess_askedOfTheOrganisation_listsEveryRuleCoveringItWhateverItsOwner() throws Exception {
        assertThat(send("POST", "/api/v1/tenants/acme/rules", "admin", "{\"principal\":\"user:7031\",\"pattern\":\"acme-aws\"}")
                .statusCode()).isEqualTo(201);
        assertThat(send("POST", "/api/v1/tenants/_org/rules", "operator", "{\"principal\":\"user:7032\",\"pattern\":\"acme-*\"}")
                .statusCode()).isEqualTo(201);
        HttpResponse<String> r = send("GET", "/api/v1/tenants/_org/labels/acme-aws/access", "operator", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("label").asText()).isEqualTo("acme-aws");
        assertThat(body.get("rules")).extracting(n -> n.get("principal").asText()).contains("user:7031", "user:7032");
        assertThat(send("GET", "/api/v1/tenants/_org/labels/Not%20a%20label/access", "operator", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/v1/tenants/acme/labels/beta-aws/access", "admin", null).statusCode())
                .as("a tenant's people still ask only of their labels").isEqualTo(404);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "person:nobody | No person nobody; add them first (mfagate person add nobody NAME)",
        "token:nosuch  | No token has the id 'nosuch'; see mfagate token list",
    })
    void createRule_personOrTokenNotInTheStore_400NothingStored(String principal, String message) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"" + principal + "\",\"pattern\":\"acme-*\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText()).endsWith(": " + message);
        assertThat(send("GET", "/api/v1/tenants/acme/rules", "admin", null).body()).doesNotContain(principal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "\"5\"", "5.0e0"})
    void createRule_dailyCapNotAJsonWholeNumber_400NothingStored(String cap) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"principal\":\"user:7011\",\"pattern\":\"acme-*\",\"daily_cap\":" + cap + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("\"code\":\"bad_request\"");
        assertThat(send("GET", "/api/v1/tenants/acme/rules", "admin", null).body()).doesNotContain("user:7011");
    }

    @Test
    void addSeeds_qrImage_storedAndGivesCodes() throws Exception {
        var matrix = new QRCodeWriter().encode("otpauth://totp/ACME:ops?secret=" + SEED_B + "&issuer=ACME", BarcodeFormat.QR_CODE, 300, 300);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        MatrixToImageWriter.writeToStream(matrix, "PNG", png);
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/tenants/acme/seeds?label=acme-qr"))
                .header("Authorization", "Bearer " + tokens.get("admin")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(JSON.readTree(r.body()).at("/seeds/0/issuer").asText()).isEqualTo("ACME");
        assertThat(r.body()).doesNotContain(SEED_B).doesNotContain(SEED_B.toLowerCase());
        assertThat(labels("acme")).contains("acme-qr");

        HttpRequest blank = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/tenants/acme/seeds?label=acme-blank"))
                .header("Authorization", "Bearer " + tokens.get("admin")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray("not an image".getBytes())).build();
        assertThat(http.send(blank, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        assertThat(labels("acme")).doesNotContain("acme-blank");
    }

    @Test
    void addSeeds_smallFileDeclaringAHugeImage_400BeforeDecoding() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/tenants/acme/seeds?label=acme-huge"))
                .header("Authorization", "Bearer " + tokens.get("admin")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(pngHeader(50_000, 50_000))).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("50000x50000 pixels");
        assertThat(labels("acme")).doesNotContain("acme-huge");
    }

    /** A PNG signature and header chunk declaring {@code width} x {@code height} pixels, and no image data. */
    private static byte[] pngHeader(int width, int height) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes()).putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    @Test
    void auditExport_refused_jsonErrorNotAStream() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/tenants/acme/audit/export", "member", null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("forbidden");
        assertThat(send("GET", "/api/v1/tenants/beta/audit/export", "admin", null).statusCode()).isEqualTo(404);
    }

    @Test
    void addSeeds_declaredLengthOverLimit_413BeforeTheBodyIsSent() throws Exception {
        long start = System.nanoTime();
        RawHttp.Response r = RawHttp.request(app.port(), "POST", "/api/v1/tenants/acme/seeds",
                "Authorization: Bearer " + tokens.get("admin"), "Content-Type: image/png",
                "Content-Length: " + (AdminRoutes.MAX_SEED_UPLOAD_BYTES + 1));
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("request_too_large");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered without waiting for the body")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void addSeeds_undeclaredLengthOverLimit_413ReadNoFurtherNothingStored() throws Exception {
        byte[] big = new byte[(int) AdminRoutes.MAX_SEED_UPLOAD_BYTES * 3];
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/tenants/acme/seeds?label=acme-big"))
                .header("Authorization", "Bearer " + tokens.get("admin")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(labels("acme")).doesNotContain("acme-big");
        HttpResponse<String> json = send("POST", "/api/v1/tenants/acme/rules", "admin", "{\"principal\":\"" + "x".repeat(20_000) + "\"}");
        assertThat(json.statusCode()).as("JSON bodies take the server's limit").isEqualTo(413);
    }

    private List<String> labels(String tenant) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/tenants/" + tenant + "/seeds", tenant.equals("acme") ? "admin" : "beta-admin", null);
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body()).get("seeds").forEach(s -> out.add(s.get("label").asText()));
        return out;
    }

    // ---------------------------------------------------------------- audit

    @Test
    void changes_adminEntriesNameActorTenantObjectAndChange_neverASecret() throws Exception {
        String before = send("GET", "/api/v1/tenants/acme/audit?limit=1000&outcome=ADMIN", "admin", null).body();
        long after = lastSeq(JSON.readTree(before));
        assertThat(send("POST", "/api/v1/tenants/acme/seeds", "admin",
                "{\"labels\":[\"acme-audited\"],\"text\":\"" + SEED_B + "\"}").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/api/v1/tenants/acme/rules", "admin",
                "{\"id\":\"audited\",\"principal\":\"user:7\",\"pattern\":\"acme-audited\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = send("POST", "/api/v1/tenants/acme/tokens", "admin", "{\"name\":\"audited\",\"role\":\"member\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String secret = JSON.readTree(created.body()).get("secret").asText();
        String newId = JSON.readTree(created.body()).at("/token/id").asText();
        assertThat(send("POST", "/api/v1/tenants/acme/seeds/acme-audited/disable", "admin", null).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/api/v1/tenants/acme/tokens/" + newId, "admin", null).statusCode()).isEqualTo(200);

        JsonNode page = JSON.readTree(send("GET", "/api/v1/tenants/acme/audit?outcome=ADMIN&after=" + after, "admin", null).body());
        List<String> reasons = new ArrayList<>();
        String prefix = "tenant acme; by token " + tokenIds.get("admin") + " (admin of acme); ";
        for (JsonNode e : page.get("entries")) {
            reasons.add(e.get("reason").asText());
            assertThat(e.get("token_id").asText()).as("the actor").isEqualTo(tokenIds.get("admin"));
            assertThat(e.get("detail").asText()).as("tenant and actor first").startsWith(prefix);
            assertThat(e.get("route").asText()).startsWith("/api/v1/tenants/{tenant}/");
        }
        assertThat(reasons).containsExactly("seed-add", "grant", "token-create", "seed-disable", "token-revoke");
        JsonNode entries = page.get("entries");
        assertThat(entries.get(0).get("label").asText()).isEqualTo("acme-audited");
        assertThat(entries.get(0).get("detail").asText()).endsWith("added seed acme-audited (SHA1, 6 digits, 30 s)");
        assertThat(entries.get(1).get("rule_id").asText()).isEqualTo("audited");
        assertThat(entries.get(2).get("detail").asText()).contains("created token " + newId + " 'audited'").contains("role member");

        String export = send("GET", "/api/v1/tenants/_org/audit/export", "operator", null).body();
        assertThat(export).as("no seed in the trail").doesNotContain(SEED_A).doesNotContain(SEED_B)
                .doesNotContain(SEED_B.toLowerCase()).doesNotContain(SEED_A.toLowerCase());
        assertThat(export).as("no token secret in the trail").doesNotContain(secret).doesNotContain(secret.substring(21));
        for (String t : tokens.values()) {
            assertThat(export).doesNotContain(t.substring(21));
        }
        try (var s = Store.open(dir.resolve("data"))) {
            assertThat(new AuditVerifier(s.database(), s.keyring().auditMac()).verify().isIntact()).isTrue();
        }
    }

    @Test
    void everyRequest_audited_readsAllowedRefusalsDenied() throws Exception {
        long after = lastSeq(JSON.readTree(send("GET", "/api/v1/tenants/_org/audit?limit=1000", "operator", null).body()));
        send("GET", "/api/v1/tenants/acme/seeds", "admin", null);
        send("GET", "/api/v1/tenants/beta/seeds", "admin", null);
        send("GET", "/api/v1/tenants/acme/rules", "member", null);
        JsonNode page = JSON.readTree(send("GET", "/api/v1/tenants/_org/audit?after=" + after, "operator", null).body());
        List<String> seen = new ArrayList<>();
        page.get("entries").forEach(e -> seen.add(e.get("outcome").asText() + " " + e.get("reason").asText()
                + " " + e.path("token_id").asText()));
        assertThat(seen).startsWith(
                "ALLOWED admin_read " + tokenIds.get("admin"),
                "DENIED not_visible " + tokenIds.get("admin"),
                "DENIED admin_forbidden " + tokenIds.get("member"));
    }

    @Test
    void auditQuery_tenantAdmin_seesOnlyItsTenant_pagesWithAfter() throws Exception {
        send("GET", "/api/v1/tenants/beta/seeds", "beta-admin", null);
        JsonNode page = JSON.readTree(send("GET", "/api/v1/tenants/acme/audit?limit=1000", "admin", null).body());
        page.get("entries").forEach(e -> assertThat(e.path("label").asText("acme-").startsWith("acme-")
                || e.path("detail").asText().startsWith("tenant acme;")).as(e.toString()).isTrue());
        JsonNode first = JSON.readTree(send("GET", "/api/v1/tenants/acme/audit?limit=1", "admin", null).body());
        long next = first.get("next_after").asLong();
        JsonNode second = JSON.readTree(send("GET", "/api/v1/tenants/acme/audit?limit=1&after=" + next, "admin", null).body());
        assertThat(second.at("/entries/0/seq").asLong()).isGreaterThan(next);
        assertThat(send("GET", "/api/v1/tenants/acme/audit?outcome=NOPE", "admin", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/v1/tenants/acme/audit?since=yesterday", "admin", null).statusCode()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- limits on seeds

    /** A JSON upload of {@code n} seeds labelled {@code prefix1} to {@code prefixN}. */
    private static String upload(String prefix, int n) {
        List<String> labels = new ArrayList<>();
        List<String> seeds = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            labels.add("\"" + prefix + i + "\"");
            seeds.add(SEED_A);
        }
        return "{\"labels\":[" + String.join(",", labels) + "],\"text\":\"" + String.join("\\n", seeds) + "\"}";
    }

    private List<String> seedLabels(String tenant, String caller) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/tenants/" + tenant + "/seeds", caller, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body()).get("seeds").forEach(x -> out.add(x.get("label").asText()));
        return out;
    }

    @Test
    void addSeeds_moreSeedsThanOneRequestMayAdd_400SeedBatchTooLargeAndNothingStored() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/seeds", "admin",
                upload("acme-many", dev.mfagate.core.admin.SeedAdmin.MAX_SEEDS_PER_UPLOAD + 1));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("seed_batch_too_large");
        assertThat(error.get("message").asText()).as("names the limit and the size").contains("at most 100 seeds").contains("101");
        assertThat(seedLabels("acme", "admin")).noneMatch(l -> l.startsWith("acme-many"));
    }

    @Test
    void addSeeds_pastTheTenantLimit_409TenantSeedLimitNamingItAndNothingStored() throws Exception {
        int limit = dev.mfagate.core.store.SeedRepository.MAX_SEEDS_PER_TENANT;
        TenantId full = new TenantId("full");
        List<Map.Entry<dev.mfagate.core.Label, dev.mfagate.core.totp.TotpSeed>> rows = new ArrayList<>();
        for (int i = 0; i < limit - 2; i++) {
            rows.add(Map.entry(dev.mfagate.core.Label.parse("full-s" + i), dev.mfagate.core.seed.SeedParser.parse(SEED_A)));
        }
        app.store().seeds().addAll(rows, Instant.now());
        token(app.store(), "full-admin", "full-*", full, Role.ADMIN);

        HttpResponse<String> over = send("POST", "/api/v1/tenants/full/seeds", "full-admin", upload("full-new", 3));
        assertThat(over.statusCode()).as(over.body()).isEqualTo(409);
        JsonNode error = JSON.readTree(over.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("tenant_seed_limit");
        assertThat(error.get("message").asText()).as("names the limit").contains("at most " + limit + " seeds");
        assertThat(seedLabels("full", "full-admin")).hasSize(limit - 2).noneMatch(l -> l.startsWith("full-new"));

        assertThat(send("POST", "/api/v1/tenants/full/seeds", "full-admin", upload("full-new", 2)).statusCode()).isEqualTo(201);
        assertThat(seedLabels("full", "full-admin")).as("up to the limit").hasSize(limit);
        assertThat(send("POST", "/api/v1/tenants/full/seeds", "full-admin", upload("full-more", 1)).statusCode()).isEqualTo(409);
        assertThat(seedLabels("acme", "admin")).as("another tenant's list is its own").noneMatch(l -> l.startsWith("full-"));
    }

    @Test
    void addSeeds_batch_oneAdminEntryPerSeedWithItsLabel() throws Exception {
        int n = dev.mfagate.core.admin.SeedAdmin.MAX_SEEDS_PER_UPLOAD;
        long after = lastSeq(JSON.readTree(send("GET", "/api/v1/tenants/acme/audit?limit=1000&outcome=ADMIN", "admin", null).body()));

        assertThat(send("POST", "/api/v1/tenants/acme/seeds", "admin", upload("acme-bulk", n)).statusCode()).isEqualTo(201);

        JsonNode page = JSON.readTree(send("GET", "/api/v1/tenants/acme/audit?outcome=ADMIN&limit=1000&after=" + after, "admin", null).body());
        List<String> labels = new ArrayList<>();
        for (JsonNode e : page.get("entries")) {
            assertThat(e.get("reason").asText()).isEqualTo("seed-add");
            assertThat(e.get("detail").asText()).contains("added seed " + e.get("label").asText() + " (SHA1, 6 digits, 30 s)")
                    .contains(" of " + n + " in one request");
            labels.add(e.get("label").asText());
        }
        assertThat(labels).as("every added seed on the trail, by its label")
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, n).mapToObj(i -> "acme-bulk" + i).toList());
        for (int i = 1; i <= n; i++) {
            assertThat(send("DELETE", "/api/v1/tenants/acme/seeds/acme-bulk" + i, "admin", null).statusCode()).isEqualTo(200);
        }
    }

    private static long lastSeq(JsonNode page) {
        long last = 0;
        for (JsonNode e : page.get("entries")) {
            last = Math.max(last, e.get("seq").asLong());
        }
        return last;
    }
}
