package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.console.ConsoleSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's forms and error pages over plain HTTP, no browser: sessions are made in the store as
 * a sign-in would make them, and forms are posted as a browser (or another site) would post them.
 * The identity provider is never asked: the sign-in flow itself is {@link ConsoleGroupsSignInTest}'s
 * and {@link ConsoleBrowserIT}'s.
 */
class ConsoleHttpTest {

    @TempDir
    static Path dir;
    private static Store store;
    private static GatewayApp app;
    private static ConsoleSessions sessions;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        store = Store.init(dir.resolve("data"));
        Instant now = Instant.now();
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addTenant(new TenantId("acme"), now);
        tenants.addPerson(new PersonId("ann"), "Ann Example", now);
        tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("ann")), Role.ADMIN, new TenantId("acme"), "test", now));
        sessions = new ConsoleSessions(store.database());
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        // The provider's address answers nothing; no test here signs in through it.
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(5), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(new ConsoleSettings(URI.create("http://127.0.0.1:9/realms/none"), "mfagate-console", "console-client-secret",
                        URI.create(base), Duration.ofMinutes(15), Duration.ofHours(8), false, false))
                .start();
    }

    @AfterAll
    static void stop() {
        HTTP.close();
        if (app != null) {
            TestLogs.exportAudit(store.database(), "console-http");
            app.close();
        }
    }

    /** A live session of ann's, as a sign-in makes it. */
    private static ConsoleSessions.Started signedIn() {
        return sessions.create(new PersonId("ann"), "oidc:test#ann", Instant.now(), Duration.ofHours(8));
    }

    private static HttpResponse<String> get(String path, String cookie, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (cookie != null) {
            b.header("Cookie", "mfagate_session=" + cookie);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String cookie, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", "mfagate_session=" + cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> form(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    /** The audit reasons of the entries of request {@code requestId}. */
    private static List<String> reasonsOf(HttpResponse<?> r) {
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        List<String> out = new ArrayList<>();
        new AuditExporter(store.database()).forEach(Instant.now().minusSeconds(600), Instant.now().plusSeconds(5), e -> {
            if (id.equals(e.event().requestId())) {
                out.add(e.event().reason());
            }
        });
        return out;
    }

    // ---- Sign-out --------------------------------------------------------------------------------

    @Test
    void logout_wrongOrMissingCsrf_403CookieKeptSessionLive() throws Exception {
        ConsoleSessions.Started s = signedIn();
        for (Map<String, String> forged : List.of(form("csrf", "not-the-token"), form())) {
            HttpResponse<String> r = post("/console/logout", s.cookieValue(), forged);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(r.headers().allValues("Set-Cookie")).as("a forged sign-out changes no cookie").isEmpty();
            assertThat(reasonsOf(r)).containsExactly("console_csrf_refused");
            assertThat(get("/console/codes", s.cookieValue(), null).statusCode()).as("the session lives on").isEqualTo(200);
        }
    }

    @Test
    void logout_rightCsrf_sessionEndedAndCookieCleared() throws Exception {
        ConsoleSessions.Started s = signedIn();
        HttpResponse<String> r = post("/console/logout", s.cookieValue(), form("csrf", s.session().csrfToken()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("mfagate_session=;")
                .contains("Max-Age=0"));
        assertThat(reasonsOf(r)).containsExactly("console_sign_out");
        HttpResponse<String> after = get("/console/codes", s.cookieValue(), null);
        assertThat(after.statusCode()).as("a copy of the old cookie opens nothing").isEqualTo(303);
        assertThat(after.headers().firstValue("Location")).hasValue("/console");
    }
}
