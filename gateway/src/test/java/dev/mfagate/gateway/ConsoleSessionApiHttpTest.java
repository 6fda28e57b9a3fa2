package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.console.ConsoleSettings;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The admin API with console session cookies, over real HTTP on SQLite and PostgreSQL: sessions
 * whose roles come from their person, their SSO group claims ({@code sso-group:} holders) and
 * Zulip groups ({@code group:} holders, which a console session cannot know, so they give it
 * nothing), through the same authorisation matrix as tokens; CSRF on every change; ended and
 * expired sessions refused; a tenant role for an SSO group refused when it is bound.
 *
 * <p>Sessions are made with {@link ConsoleSessions} on the gateway's own store, as the console's
 * sign-in makes them (the sign-in itself is ConsoleBrowserIT's and ConsoleGroupsSignInTest's).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestStores.Backend.class)
class ConsoleSessionApiHttpTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private static final String COOKIE = "mfagate_session";
    private static final Duration LIFETIME = Duration.ofHours(8);

    @Parameter(0)
    TestStores.Backend backend;

    @TempDir
    Path dir;
    private GatewayApp app;
    private Store store;
    private ConsoleSessions sessions;
    private TenantRepository tenants;
    private final HttpClient http = HttpClient.newHttpClient();
    /** Caller name to its session's cookie value and CSRF token. */
    private final Map<String, String[]> callers = new HashMap<>();
    private final AtomicInteger unique = new AtomicInteger(100);

    @BeforeEach
    void start() throws Exception {
        store = STORES.fresh(backend, dir).init();
        Instant now = Instant.now();
        store.seeds().add(dev.mfagate.core.Label.parse("acme-aws"), dev.mfagate.core.seed.SeedParser.parse(SEED), now);
        store.seeds().add(dev.mfagate.core.Label.parse("beta-aws"), dev.mfagate.core.seed.SeedParser.parse(SEED), now);
        SecretRegistry.seed(dev.mfagate.core.seed.SeedParser.parse(SEED));
        tenants = new TenantRepository(store.database());
        sessions = new ConsoleSessions(store.database());
        bind(new Holder.SsoGroup("mfa-ops"), Role.OPERATOR, Scope.ORGANISATION, now);
        bind(new Holder.SsoGroup("mfa-audit"), Role.AUDITOR, Scope.ORGANISATION, now);
        bind(new Holder.ZulipGroup(7), Role.ADMIN, new TenantId("acme"), now);
        bind(new Holder.ZulipGroup(8), Role.MEMBER, new TenantId("acme"), now);
        session("sso-operator", now, "mfa-ops", "unrelated");
        session("sso-auditor", now, "mfa-audit");
        session("person-admin", now);
        bind(new Holder.PersonHolder(new PersonId("person-admin")), Role.ADMIN, new TenantId("acme"), now);
        // Linked to Zulip user 42, who is in groups 7 and 8: only the bot's on-behalf requests carry that,
        // and they are code requests; a console session does not know a person's Zulip groups.
        session("zulip-admin", now);
        tenants.link(new PersonId("zulip-admin"), new Identity.ZulipUser(42), now);
        session("sso-nothing", now, "nobody-binds-this");

        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // The provider is never asked: no sign-in happens here, and discovery is read on first sign-in.
        ConsoleSettings console = new ConsoleSettings(URI.create("http://127.0.0.1:9/idp"), "client", "secret",
                URI.create("http://127.0.0.1:" + port), Duration.ofMinutes(15), LIFETIME, false);
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(29), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(console)
                .start();
    }

    @AfterEach
    void stop() {
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        if (app != null) {
            TestLogs.exportAudit(store.database(), "console-session-api-" + backend.name().toLowerCase(java.util.Locale.ROOT));
            app.close();
        }
    }

    private void bind(Holder holder, Role role, Scope scope, Instant now) {
        tenants.bind(new RoleBinding(holder, role, scope, "test", now));
    }

    private void session(String person, Instant now, String... groups) {
        tenants.addPerson(new PersonId(person), person, now);
        ConsoleSessions.Started s = sessions.create(new PersonId(person), "oidc:https://idp.example#" + person, List.of(groups),
                now, LIFETIME);
        callers.put(person, new String[] {s.cookieValue(), s.session().csrfToken()});
    }

    /** Sends as {@code caller}'s session; changes carry its CSRF token unless {@code csrf} says otherwise. */
    private HttpResponse<String> send(String method, String path, String caller, String body) throws Exception {
        String[] c = callers.get(caller);
        return send(method, path, c[0], body, method.equals("GET") ? null : c[1]);
    }

    private HttpResponse<String> send(String method, String path, String cookie, String body, String csrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Cookie", COOKIE + "=" + cookie);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------- the matrix

    /**
     * As AdminApiHttpTest's matrix, for session callers: "own" is acme, "other" beta, "org" the
     * organisation. sso-operator and sso-auditor hold their roles only through their SSO groups;
     * zulip-admin's person is in Zulip groups 7 (admin of acme) and 8 (member), which a session
     * cannot know, so it answers as a caller without roles, as sso-nothing does.
     */
    private static final List<String> MATRIX = List.of(
            // caller      target  TEN-R TEN-W MEM-R MEM-W SEED-R SEED-W RULE-R RULE-W TOK-R TOK-W AUD-R
            "sso-operator  org     200   201   200   201   403    403    200    201    200   201   200",
            "sso-operator  own     200   -     200   201   403    403    403    403    403   403   403",
            "sso-operator  other   200   -     200   201   403    403    403    403    403   403   403",
            "sso-auditor   org     200   403   403   403   403    403    403    403    403   403   200",
            "sso-auditor   own     200   -     403   403   403    403    403    403    403   403   200",
            "sso-auditor   other   200   -     403   403   403    403    403    403    403   403   200",
            "person-admin  org     200   403   403   403   403    403    403    403    403   403   403",
            "person-admin  own     200   -     200   201   200    201    200    201    200   201   200",
            "person-admin  other   404   -     404   404   404    404    404    404    404   404   404",
            "zulip-admin   org     200   403   403   403   403    403    403    403    403   403   403",
            "zulip-admin   own     404   -     404   404   404    404    404    404    404   404   404",
            "zulip-admin   other   404   -     404   404   404    404    404    404    404   404   404",
            "sso-nothing   org     200   403   403   403   403    403    403    403    403   403   403",
            "sso-nothing   own     404   -     404   404   404    404    404    404    404   404   404",
            "sso-nothing   other   404   -     404   404   404    404    404    404    404   404   404");

    private static final List<String> ACTS = List.of("TENANT:R", "TENANT:W", "MEMBERS:R", "MEMBERS:W", "SEEDS:R", "SEEDS:W",
            "RULES:R", "RULES:W", "TOKENS:R", "TOKENS:W", "AUDIT:R");

    @Test
    void adminAct_sessionCallerTargetResourceAction_expectedStatus() throws Exception {
        SoftAssertions softly = new SoftAssertions();
        int cases = 0;
        for (String row : MATRIX) {
            String[] f = row.trim().split("\\s+");
            for (int i = 0; i < ACTS.size(); i++) {
                if (f[2 + i].equals("-")) {
                    continue;
                }
                cases++;
                String caller = f[0];
                String where = f[1];
                String act = ACTS.get(i);
                int expected = Integer.parseInt(f[2 + i]);
                HttpResponse<String> r = act(caller, where, act);
                softly.assertThat(r.statusCode()).as("%s %s in %s: %s", caller, act, where, r.body()).isEqualTo(expected);
                if (expected == 404) {
                    JsonNode error = JSON.readTree(r.body()).get("error");
                    softly.assertThat(error.get("code").asText()).as("%s %s in %s", caller, act, where).isEqualTo("unknown_object");
                    softly.assertThat(error.get("message").asText()).as("not visible reads exactly as missing")
                            .isEqualTo(AdminResult.NOT_FOUND_MESSAGE);
                }
            }
        }
        softly.assertAll();
        assertThat(cases).isEqualTo(5 * 3 * ACTS.size() - 5 * 2);
    }

    private HttpResponse<String> act(String caller, String where, String act) throws Exception {
        String t = switch (where) {
            case "own" -> "acme";
            case "other" -> "beta";
            default -> "_org";
        };
        String base = "/api/v1/tenants/" + t;
        int n = unique.incrementAndGet();
        String pattern = where.equals("org") ? "*" : t + "-*";
        return switch (act) {
            case "TENANT:R" -> send("GET", where.equals("org") ? "/api/v1/tenants" : base, caller, null);
            case "TENANT:W" -> send("POST", "/api/v1/tenants", caller, "{\"tenant\":\"t" + n + "\"}");
            case "MEMBERS:R" -> send("GET", base + "/members", caller, null);
            case "MEMBERS:W" -> send("POST", base + "/members", caller,
                    "{\"holder\":\"group:" + n + "\",\"role\":\"" + (where.equals("org") ? "auditor" : "member") + "\"}");
            case "SEEDS:R" -> send("GET", base + "/seeds", caller, null);
            case "SEEDS:W" -> send("POST", base + "/seeds", caller, "{\"labels\":[\"" + (where.equals("org") ? "acme" : t)
                    + "-s" + n + "\"],\"text\":\"" + SEED + "\"}");
            case "RULES:R" -> send("GET", base + "/rules", caller, null);
            // A principal of its own: two identical rules of one owner are refused (409), and this is about roles.
            case "RULES:W" -> send("POST", base + "/rules", caller, "{\"principal\":\"user:" + (42_000 + n) + "\",\"pattern\":\"" + pattern + "\"}");
            case "TOKENS:R" -> send("GET", base + "/tokens", caller, null);
            case "TOKENS:W" -> send("POST", base + "/tokens", caller, "{\"name\":\"tok" + n + "\"}");
            case "AUDIT:R" -> send("GET", base + "/audit?limit=5", caller, null);
            default -> throw new AssertionError(act);
        };
    }

    // ---------------------------------------------------------------- CSRF

    @Test
    void change_sessionCookieWithoutOrWithWrongCsrfToken_403CsrfRefusedAuditedNothingDone() throws Exception {
        String[] op = callers.get("sso-operator");
        HttpResponse<String> none = send("POST", "/api/v1/tenants", op[0], "{\"tenant\":\"nocsrf\"}", null);
        HttpResponse<String> wrong = send("POST", "/api/v1/tenants", op[0], "{\"tenant\":\"nocsrf\"}",
                callers.get("sso-auditor")[1]);
        HttpResponse<String> delete = send("DELETE", "/api/v1/tenants/acme/members/admin/group:7", op[0], null, "");

        for (HttpResponse<String> r : List.of(none, wrong, delete)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("csrf_refused");
            assertThat(r.body()).doesNotContain(op[0]).doesNotContain(op[1]);
        }
        assertThat(tenants.exists(new TenantId("nocsrf"))).as("nothing created").isFalse();
        assertThat(tenants.bindings(new TenantId("acme"))).extracting(b -> b.holder().text()).as("nothing removed")
                .contains("group:7");

        JsonNode audit = JSON.readTree(send("GET", "/api/v1/tenants/_org/audit?limit=1000&outcome=DENIED", "sso-operator",
                null).body());
        List<String> refused = new ArrayList<>();
        audit.get("entries").forEach(e -> {
            if (e.get("reason").asText().equals("csrf_refused")) {
                refused.add(e.get("route").asText() + " " + e.get("token_id").asText());
                assertThat(e.get("detail").asText()).startsWith("person:sso-operator session ");
            }
        });
        assertThat(refused).containsExactlyInAnyOrder("/api/v1/tenants console", "/api/v1/tenants console",
                "/api/v1/tenants/{tenant}/members/{role}/{holder} console");
        String export = send("GET", "/api/v1/tenants/_org/audit/export", "sso-operator", null).body();
        assertThat(export).doesNotContain(op[0]).doesNotContain(op[1]);
    }

    @Test
    void change_sessionCookieWithCsrfToken_doneAndAuditedAsThePersonWithItsGroup() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants", "sso-operator", "{\"tenant\":\"gamma\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(tenants.exists(new TenantId("gamma"))).isTrue();
        JsonNode audit = JSON.readTree(send("GET", "/api/v1/tenants/_org/audit?limit=1000&outcome=ADMIN", "sso-operator",
                null).body());
        JsonNode last = audit.get("entries").get(audit.get("entries").size() - 1);
        assertThat(last.get("token_id").asText()).isEqualTo("console");
        assertThat(last.get("detail").asText()).contains("by person:sso-operator (console session ")
                .contains("roles via sso-group:mfa-ops)").doesNotContain("unrelated");
    }

    @Test
    void read_sessionCookie_needsNoCsrfToken() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/tenants/acme/seeds", callers.get("person-admin")[0], null, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("acme-aws").doesNotContain(SEED);
    }

    // ---------------------------------------------------------------- dead sessions

    @Test
    void request_signedOutExpiredOrUnknownSession_401NothingDone() throws Exception {
        Instant now = Instant.now();
        String[] op = callers.get("sso-operator");
        sessions.end(op[0], now, Duration.ofMinutes(15));
        ConsoleSessions.Started old = sessions.create(new PersonId("sso-operator"), "oidc:https://idp.example#sso-operator",
                List.of("mfa-ops"), now.minus(LIFETIME).minusSeconds(60), LIFETIME);

        for (String cookie : List.of(op[0], old.cookieValue(), ConsoleSessions.randomValue())) {
            HttpResponse<String> read = send("GET", "/api/v1/tenants", cookie, null, null);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(401);
            assertThat(JSON.readTree(read.body()).at("/error/code").asText()).isEqualTo("unauthenticated");
        }
        HttpResponse<String> change = send("POST", "/api/v1/tenants", op[0], "{\"tenant\":\"afterlogout\"}", op[1]);
        assertThat(change.statusCode()).isEqualTo(401);
        assertThat(tenants.exists(new TenantId("afterlogout"))).isFalse();
    }

    // ---------------------------------------------------------------- SSO groups hold organisation roles only

    @Test
    void addMember_ssoGroupTenantRole_400BadRequestNothingBound() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/tenants/acme/members", "sso-operator",
                "{\"holder\":\"sso-group:mfa-ops\",\"role\":\"admin\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText()).contains("SSO group claims hold organisation roles only");
        assertThat(tenants.bindings(new TenantId("acme"))).extracting(b -> b.holder().text())
                .doesNotContain("sso-group:mfa-ops");
        HttpResponse<String> org = send("POST", "/api/v1/tenants/_org/members", "sso-operator",
                "{\"holder\":\"sso-group:mfa-audit2\",\"role\":\"auditor\"}");
        assertThat(org.statusCode()).as("an organisation role is fine: %s", org.body()).isEqualTo(201);
    }

    @Test
    void binding_addedOrRemovedForSsoGroup_countsForLiveSessionAtOnce() throws Exception {
        assertThat(send("GET", "/api/v1/tenants/_org/audit?limit=1", "sso-nothing", null).statusCode()).isEqualTo(403);
        bind(new Holder.SsoGroup("nobody-binds-this"), Role.AUDITOR, Scope.ORGANISATION, Instant.now());
        assertThat(send("GET", "/api/v1/tenants/_org/audit?limit=1", "sso-nothing", null).statusCode()).isEqualTo(200);
        tenants.unbind(new Holder.SsoGroup("nobody-binds-this"), Role.AUDITOR, Scope.ORGANISATION);
        assertThat(send("GET", "/api/v1/tenants/_org/audit?limit=1", "sso-nothing", null).statusCode()).isEqualTo(403);
    }

    @Test
    void request_bearerTokenAndSessionCookie_decidedOnTheTokenAlone() throws Exception {
        String[] op = callers.get("sso-operator");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/tenants"))
                .header("Cookie", COOKIE + "=" + op[0]).header("Authorization", "Bearer nope").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(Set.of(JSON.readTree(r.body()).at("/error/code").asText())).containsExactly("unauthenticated");
    }
}
