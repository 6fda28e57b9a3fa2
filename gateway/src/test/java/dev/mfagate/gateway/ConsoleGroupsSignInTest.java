package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
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
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Console sign-in with a groups claim, the OpenID Connect flow driven over plain HTTP (no browser)
 * against mock-oauth2-server: the session holds the roles bound to {@code sso-group:<claim>} for the
 * ID token's string group values (non-strings ignored), with the claim name configurable, and the
 * sign-in audit entry names the groups that gave roles.
 */
class ConsoleGroupsSignInTest {

    private static final String CLIENT_ID = "mfagate-console";
    private static final String SUBJECT = "ann-subject";

    @TempDir
    Path dir;
    private MockOAuth2Server provider;
    private Store store;
    private GatewayApp app;
    private String issuer;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void startProvider() throws Exception {
        provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");
        store = Store.init(dir.resolve("data"));
        Instant now = Instant.now();
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addPerson(new PersonId("ann"), "Ann", now);
        tenants.link(new PersonId("ann"), new Identity.Oidc(issuer, SUBJECT), now);
        tenants.bind(new RoleBinding(new Holder.SsoGroup("mfa-ops"), Role.OPERATOR, Scope.ORGANISATION, "test", now));
        tenants.bind(new RoleBinding(new Holder.SsoGroup("mfa-audit"), Role.AUDITOR, Scope.ORGANISATION, "test", now));
    }

    private void startGateway(String groupsClaim) throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(10), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(new ConsoleSettings(URI.create(issuer), CLIENT_ID, "console-client-secret",
                        URI.create("http://127.0.0.1:" + port), Duration.ofMinutes(15), Duration.ofHours(8), false, false,
                        groupsClaim))
                .start();
    }

    @AfterEach
    void stop() {
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        if (app != null) {
            TestLogs.exportAudit(store.database(), "console-groups-sign-in");
            app.close();
        }
        provider.shutdown();
    }

    /** Signs in as ann with {@code claims} in the ID token; returns the session cookie's value. */
    private String signIn(Map<String, Object> claims) throws Exception {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", SUBJECT, "JWT", List.of(CLIENT_ID), claims, 3600));
        String base = "http://127.0.0.1:" + app.port();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/console/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        String loginCookie = cookie(login, "mfagate_login");
        HttpResponse<String> authorize = http.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location")
                .orElseThrow())).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(authorize.statusCode()).as(authorize.body()).isBetween(300, 399);
        String callback = authorize.headers().firstValue("Location").orElseThrow();
        assertThat(callback).startsWith(base + "/console/callback?");
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(callback))
                .header("Cookie", "mfagate_login=" + loginCookie).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as(done.body()).isEqualTo(303);
        return cookie(done, "mfagate_session");
    }

    private static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=") && !c.startsWith(name + "=;"))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).findFirst().orElseThrow();
    }

    private int api(String session, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Cookie", "mfagate_session=" + session).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private List<String> signInDetails() {
        List<String> out = new ArrayList<>();
        new AuditExporter(store.database()).forEach(Instant.now().minusSeconds(600), Instant.now().plusSeconds(5), e -> {
            if ("console_sign_in".equals(e.event().reason())) {
                out.add(e.event().detail());
            }
        });
        return out;
    }

    @Test
    void signIn_groupsClaimWithOperatorGroup_sessionHoldsOperatorRoleAndEntryNamesTheGroup() throws Exception {
        startGateway(ConsoleSettings.DEFAULT_GROUPS_CLAIM);
        String session = signIn(Map.of("groups", List.of("mfa-ops", 42, Map.of("x", "y"), "unbound", "has space")));

        assertThat(api(session, "/api/v1/audit/chain")).as("operator through sso-group:mfa-ops").isEqualTo(200);
        assertThat(api(session, "/api/v1/tenants/_org/tokens")).isEqualTo(200);
        assertThat(signInDetails()).singleElement().satisfies(d -> assertThat(d)
                .contains("person:ann").contains("2 group claim(s), roles via sso-group:mfa-ops (operator)")
                .doesNotContain("unbound").doesNotContain(session));
    }

    @Test
    void signIn_noGroupsClaim_sessionHoldsNoRole() throws Exception {
        startGateway(ConsoleSettings.DEFAULT_GROUPS_CLAIM);
        String session = signIn(Map.of("groups", "mfa-ops"));

        assertThat(api(session, "/api/v1/tenants/_org/tokens")).as("a claim that is not a list gives nothing").isEqualTo(403);
        assertThat(api(session, "/api/v1/tenants/_org/audit?limit=1")).isEqualTo(403);
        assertThat(signInDetails()).singleElement().satisfies(d -> assertThat(d).doesNotContain("group claim"));
    }

    @Test
    void signIn_customGroupsClaim_readsThatClaimOnly() throws Exception {
        startGateway("mfa_groups");
        String session = signIn(Map.of("groups", List.of("mfa-ops"), "mfa_groups", List.of("mfa-audit")));

        assertThat(api(session, "/api/v1/tenants/_org/audit?limit=1")).as("auditor through sso-group:mfa-audit").isEqualTo(200);
        assertThat(api(session, "/api/v1/tenants/_org/tokens")).as("not operator: the groups claim is not read").isEqualTo(403);
        assertThat(signInDetails()).singleElement().satisfies(d -> assertThat(d)
                .contains("1 group claim(s), roles via sso-group:mfa-audit (auditor)"));
    }
}
