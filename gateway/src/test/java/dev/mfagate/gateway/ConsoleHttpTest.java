package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

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
    private static final String CLIENT_ID = "mfagate-console";
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
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
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        // The provider is down: its address answers nothing (a port just freed). Tests of the sign-in flow
        // itself are ConsoleGroupsSignInTest's and ConsoleBrowserIT's.
        app = startGateway(store, port, URI.create("http://127.0.0.1:" + freePort() + "/realms/staff"));
    }

    private static int freePort() throws java.io.IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static GatewayApp startGateway(Store on, int port, URI issuer) {
        return GatewayApp.builder(on)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(5), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(new ConsoleSettings(issuer, CLIENT_ID, "console-client-secret", URI.create("http://127.0.0.1:" + port),
                        Duration.ofMinutes(15), Duration.ofHours(8), false, false))
                .start();
    }

    @BeforeEach
    void captureLog() {
        log.list.clear();
        log.start();
        root().addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        root().detachAppender(log);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
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

    /** The audit reasons of the entries of request {@code r}. */
    private static List<String> reasonsOf(HttpResponse<?> r) {
        return entriesOf(store, r).stream().map(e -> e.reason()).toList();
    }

    /** The audit entries of request {@code r} in {@code on}. */
    private static List<dev.mfagate.core.audit.AuditEvent> entriesOf(Store on, HttpResponse<?> r) {
        String id = requestId(r);
        List<dev.mfagate.core.audit.AuditEvent> out = new ArrayList<>();
        new AuditExporter(on.database()).forEach(Instant.now().minusSeconds(600), Instant.now().plusSeconds(5), e -> {
            if (id.equals(e.event().requestId())) {
                out.add(e.event());
            }
        });
        return out;
    }

    private static String requestId(HttpResponse<?> r) {
        return r.headers().firstValue("X-Request-Id").orElseThrow();
    }

    /** Checks the answer and the log of a sign-in the provider's being down stopped. */
    private void assertProviderDown(Store on, HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(r.body()).contains("The identity provider cannot be reached at the moment").contains("try again later")
                .contains("/console/break-glass").contains(requestId(r)).doesNotContain("Exception").doesNotContain("Something went wrong");
        assertThat(entriesOf(on, r)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(dev.mfagate.core.audit.Outcome.UNAUTHENTICATED);
            assertThat(e.reason()).isEqualTo("console_sign_in_failed");
            assertThat(e.detail()).isEqualTo("provider_unreachable");
        });
        List<ILoggingEvent> said = log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
        assertThat(said).as("one warning line, no trace").singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getThrowableProxy()).isNull();
            assertThat(e.getFormattedMessage()).contains("Identity provider").contains(requestId(r)).doesNotContain("\n");
        });
    }

    // ---- Identity provider down -----------------------------------------------------------------

    @Test
    void login_providerDown_503SentenceAuditedOneWarning() throws Exception {
        HttpResponse<String> r = get("/console/login", null, "text/html");

        assertProviderDown(store, r);
        assertThat(r.headers().allValues("Set-Cookie")).as("no sign-in under way").isEmpty();
    }

    @Test
    void callback_tokenEndpointDown_503SentenceAuditedOneWarning() throws Exception {
        MockOAuth2Server provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        String issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");
        int port = freePort();
        try (Store other = Store.init(dir.resolve("callback-data")); GatewayApp gateway = startGateway(other, port, URI.create(issuer));
             HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()) {
            String at = "http://127.0.0.1:" + port;
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(at + "/console/login")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
            String loginCookie = login.headers().allValues("Set-Cookie").getFirst();
            HttpResponse<String> authorize = http.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location")
                    .orElseThrow())).GET().build(), HttpResponse.BodyHandlers.ofString());
            String callback = authorize.headers().firstValue("Location").orElseThrow();
            assertThat(callback).startsWith(at + "/console/callback?");
            // The provider goes down between its sign-in page and the code exchange.
            provider.shutdown();
            log.list.clear();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(callback))
                    .header("Cookie", loginCookie.substring(0, loginCookie.indexOf(';'))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertProviderDown(other, r);
            assertThat(r.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("mfagate_session=") && !c.startsWith("mfagate_session=;"));
            TestLogs.exportAudit(other.database(), "console-http-callback");
        } finally {
            provider.shutdown();
        }
    }

    // ---- Unknown addresses and methods -------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/console/tokens/create  | text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8 | 405 | POST",
        "/console/access/grant   |                                                                  | 405 | POST",
        "/console/logout         | application/json                                                 | 405 | POST",
        "/console/no-such-page   | text/html                                                        | 404 |",
        "/console/tokens/nothing |                                                                  | 404 |",
    })
    void get_consoleAddressWithoutSuchPage_consolePageWithSentenceAndRequestId(String path, String accept, int status,
                                                                               String allow) throws Exception {
        for (String cookie : java.util.Arrays.asList(null, signedIn().cookieValue())) {
            HttpResponse<String> r = get(path, cookie, accept);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(dev.mfagate.gateway.console.Console.CONTENT_SECURITY_POLICY);
            assertThat(r.headers().firstValue("Allow")).isEqualTo(java.util.Optional.ofNullable(allow));
            assertThat(r.body()).contains("<!DOCTYPE html>").contains(requestId(r))
                    .contains(status == 404 ? "There is no such page." : "This address only takes a form sent from a console page")
                    .doesNotContain("Endpoint").doesNotContain("not_found").doesNotContain("\"error\"");
            if (cookie != null) {
                assertThat(r.body()).as("the navigation of a signed-in person").contains("Ann Example").contains("My codes");
            }
        }
    }

    @Test
    void consolePageChoosingItsOwnStatus_keptAsItIs() throws Exception {
        HttpResponse<String> r = get("/console/access?tenant=nosuch", signedIn().cookieValue(), null);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("No such tenant or object.").doesNotContain("There is no such page");
    }

    @Test
    void apiPaths_unknownPathOrMethod_stillTheApiJsonError() throws Exception {
        HttpResponse<String> r = get("/api/v1/no-such-thing", null, null);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"code\":\"not_found\"");
        HttpResponse<String> healthz = post("/healthz", null, form());
        assertThat(healthz.statusCode()).isEqualTo(404);
        assertThat(healthz.body()).contains("\"code\":\"not_found\"");
        // As a browser asks: still the API's JSON, not Javalin's own text.
        HttpResponse<String> browser = get("/api/v1/no-such-thing", null, "text/html,application/xhtml+xml,*/*;q=0.8");
        assertThat(browser.statusCode()).isEqualTo(404);
        assertThat(browser.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(browser.body()).contains("\"code\":\"not_found\"").doesNotContain("Endpoint");
    }

    // ---- Access ------------------------------------------------------------------------------------

    @Test
    void grant_sameFormSentAgain_refusedNamingTheRuleAndOneRuleStored() throws Exception {
        ConsoleSessions.Started s = signedIn();
        Map<String, String> grant = form("csrf", s.session().csrfToken(), "tenant", "acme", "principal", "person:ann",
                "pattern", "acme-*", "expires", "2099-12-31", "daily_cap", "7");
        HttpResponse<String> first = post("/console/access/grant", s.cookieValue(), grant);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        List<dev.mfagate.core.policy.Rule> rules = new dev.mfagate.core.policy.PolicyRepository(store.database()).list();
        assertThat(rules).hasSize(1);

        HttpResponse<String> again = post("/console/access/grant", s.cookieValue(), grant);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(422);
        assertThat(again.body()).contains("Nothing was granted: Rule " + rules.getFirst().id() + " already grants this");
        assertThat(new dev.mfagate.core.policy.PolicyRepository(store.database()).list()).isEqualTo(rules);
        new dev.mfagate.core.policy.PolicyRepository(store.database()).revoke(rules.getFirst().id());
    }

    // ---- Wording -----------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "person:ann    | 2020-01-01 | The last day must be today (TODAY, UTC) or later.",
        "person:ann    | 9999-12-31 | The last day must be 9999-12-30 or earlier.",
        "person:nobody | 2099-12-31 | No person nobody; add them first",
    })
    void grant_refused_sentenceInTheFormsTermsWithoutRuleIdOrFieldName(String principal, String lastDay, String sentence)
            throws Exception {
        ConsoleSessions.Started s = signedIn();
        HttpResponse<String> r = post("/console/access/grant", s.cookieValue(), form("csrf", s.session().csrfToken(),
                "tenant", "acme", "principal", principal, "pattern", "acme-*", "expires", lastDay));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("Nothing was granted: " + sentence.replace("TODAY", today()))
                .doesNotContainPattern("r-[a-z2-7]{12}").doesNotContain("expires_at").doesNotContain("T00:00:00Z");
        assertThat(new dev.mfagate.core.policy.PolicyRepository(store.database()).list()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2020-01-01 | The last day must be today (TODAY, UTC) or later.",
        "9999-12-31 | The last day must be 9999-12-30 or earlier.",
    })
    void createToken_lastDayOutOfBounds_sentenceInTheFormsTerms(String lastDay, String sentence) throws Exception {
        ConsoleSessions.Started s = signedIn();
        sessions.stepUp(s.cookieValue(), Instant.now().plusSeconds(300));
        HttpResponse<String> r = post("/console/tokens/create", s.cookieValue(), form("csrf", s.session().csrfToken(),
                "tenant", "acme", "name", "laptop", "labels", "acme-*", "expires", lastDay));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains(sentence.replace("TODAY", today())).doesNotContain("expiresAt").doesNotContain("must be after now")
                .doesNotContain("T00:00:00Z");
    }

    @Test
    void createToken_noPasskey_sentenceSaysNeedsAndPasskeysPageListsIt() throws Exception {
        ConsoleSessions.Started s = signedIn();
        HttpResponse<String> r = post("/console/tokens/create", s.cookieValue(), form("csrf", s.session().csrfToken(),
                "tenant", "acme", "name", "laptop", "labels", "acme-*"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).contains("Creating a token is a sensitive act and needs a passkey step-up, but you have no passkey yet");
        assertThat(get("/console/passkeys", s.cookieValue(), null).body())
                .contains("codes of sensitive labels, enrolling a seed, creating a token, removing a passkey.");
        assertThat(get("/console/access", s.cookieValue(), null).body()).contains("type=\"date\" max=\"9999-12-30\"");
    }

    private static String today() {
        return java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
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
