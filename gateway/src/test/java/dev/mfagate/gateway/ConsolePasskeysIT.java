package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.console.Passkeys;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.seed.SeedParser;
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
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * Passkeys in the web console end to end, in a real headless Chromium with Chromium's virtual
 * authenticator (CTAP2, internal transport, resident keys, user verification), against the real
 * gateway on a real store and a real OpenID Connect provider in this JVM: registering a passkey,
 * a sensitive label's code only after a step-up (equal to {@code oathtool}'s), a step-up answer
 * used once and good for its session only, enrolment behind the step-up, removing a passkey, and
 * the break-glass operator enrolled with a one-time code from the CLI and signing in with the
 * provider shut down, getting no code without a grant. Audit entries are checked; no seed, code
 * or one-time code is in any page or audit entry. The console is at {@code http://localhost:PORT}:
 * WebAuthn takes a domain as relying party id, never an IP address.
 *
 * <p>Without Chromium this test is skipped, except under {@code CI=true}, where it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsolePasskeysIT {

    private static final Path SCREENSHOTS = Path.of(System.getProperty("mfagate.reports", "target"), "console-screenshots");
    private static final String CLIENT_ID = "mfagate-console";
    private static final String SUBJECT = "ann-sso-passkeys";
    private static final String COOKIE = "mfagate_session";
    private static final PersonId ANN = new PersonId("ann");

    @TempDir
    static Path tmp;

    private static MockOAuth2Server provider;
    private static GatewayApp app;
    private static Store store;
    private static WebDriver browser;
    private static VirtualAuthenticator authenticator;
    private static String base;
    private static String seedBase32;
    private static String enrolledSeed;
    private static String breakGlassCode;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final List<String> SEEN = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        String issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");

        store = Store.init(tmp.resolve("data"));
        seedBase32 = randomSeed();
        Instant now = Instant.now();
        store.seeds().add(Label.parse("acme-aws"), SeedParser.parse(seedBase32), now);
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addPerson(ANN, "Ann Example", now);
        tenants.link(ANN, new Identity.Oidc(issuer, SUBJECT), now);
        tenants.bind(new RoleBinding(new Holder.PersonHolder(ANN), Role.ADMIN, new TenantId("acme"), "test", now));
        new PolicyRepository(store.database()).grant(new Rule("ann-acme", Principal.parse("person:ann"),
                LabelPattern.parse("acme-*"), Optional.empty(), OptionalInt.empty(), "test", now.minusSeconds(60)));

        InProcessCli.Result marked = InProcessCli.in(tmp.resolve("data")).run("seed", "sensitive", "acme-aws", "on");
        assertThat(marked.exitCode()).as(marked.all()).isZero();
        assertThat(marked.out()).contains("acme-aws is sensitive now");

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        base = "http://localhost:" + port;
        ConsoleSettings console = new ConsoleSettings(URI.create(issuer), CLIENT_ID, "console-client-secret",
                URI.create(base), Duration.ofMinutes(15), Duration.ofHours(8), false, false);
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(5), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(console)
                .start();

        browser = HeadlessChromium.start(tmp);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        authenticator = ((HasVirtualAuthenticator) browser).addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true).setHasUserVerification(true).setIsUserVerified(true).setIsUserConsenting(true));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        HeadlessChromium.stopAll(browser, app, store, "console-passkeys", provider);
    }

    @Test
    @Order(1)
    void reveal_sensitiveLabelWithoutAPasskey_saysToRegisterOne() throws Exception {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", SUBJECT, "JWT", List.of(CLIENT_ID), Map.of(), 3600));
        browser.get(base + "/console/login");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
        see();
        browser.findElement(By.xpath("//button[normalize-space()='Show code for acme-aws']")).click();
        WebElement reason = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("step-up-reason")));
        see();
        assertThat(reason.getText()).isEqualTo("Codes for acme-aws are sensitive and need a passkey step-up, but you have no"
                + " passkey yet: register one on the Passkeys page first.");
        assertThat(browser.findElements(By.cssSelector("output.code"))).isEmpty();
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_step_up_required").contains("\"DENIED\"")
                .contains("person:ann"));
    }

    @Test
    @Order(2)
    void register_passkeyWithTheVirtualAuthenticator_isListedWithNameAndTimes() throws Exception {
        browser.findElement(By.linkText("Passkeys")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Passkeys"));
        assertThat(browser.findElement(By.id("no-passkeys")).getText()).isEqualTo("You have no passkey yet.");
        browser.findElement(By.id("passkey-name")).sendKeys("Test laptop");
        browser.findElement(By.xpath("//button[normalize-space()='Register a passkey']")).click();
        WebElement notice = new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.findElement(By.id("passkey-notice")));
        see();
        assertThat(notice.getText()).isEqualTo("Passkey Test laptop is registered.");
        String row = browser.findElement(By.cssSelector("table.passkeys tbody tr")).getText();
        assertThat(row).contains("Test laptop").contains("UTC").contains("never");
        assertThat(authenticator.getCredentials()).hasSize(1);
        assertThat(authenticator.getCredentials().getFirst().isResidentCredential()).isTrue();
        List<Passkeys.Passkey> stored = new Passkeys(store.database()).list(ANN);
        assertThat(stored).extracting(Passkeys.Passkey::name).containsExactly("Test laptop");
        assertThat(stored.getFirst().credentialId())
                .isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(authenticator.getCredentials().getFirst().getId()));
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_passkey_added").contains("person:ann"));
        shoot("passkeys-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("passkeys-phone");
        assertThat((Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth;"))
                .as("no sideways scrolling at phone width").isLessThanOrEqualTo(390L);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @Test
    @Order(3)
    void reveal_sensitiveLabel_refusedWithoutStepUp_thenShowsOathtoolsCodeAfterIt() throws Exception {
        String cookie = cookie();
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");
        HttpResponse<String> refused = post("/console/codes/reveal", cookie, "csrf=" + enc(csrf) + "&label=acme-aws");
        SEEN.add(refused.body());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("Codes for acme-aws are sensitive: confirm it is you with your passkey first")
                .doesNotContain("id=\"code-acme-aws\"");

        browser.get(base + "/console/codes");
        browser.findElement(By.xpath("//button[normalize-space()='Show code for acme-aws']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("step-up-reason")));
        see();
        shoot("step-up-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("step-up-phone");
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.findElement(By.xpath("//button[normalize-space()='Confirm with your passkey']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
        see();

        long before = Instant.now().getEpochSecond();
        browser.findElement(By.xpath("//button[normalize-space()='Show code for acme-aws']")).click();
        WebElement code = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("code-acme-aws")));
        long after = Instant.now().getEpochSecond();
        see();
        String shown = code.getText().strip();
        SecretRegistry.code(shown);
        assertThat(List.of(oathtool(seedBase32, before), oathtool(seedBase32, after))).contains(shown);
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"console_step_up\"").contains("\"ALLOWED\"")
                        .contains("person:ann"))
                .anySatisfy(l -> assertThat(l).contains("\"code_issued\"").contains("acme-aws").contains("person:ann"));
        assertThat(new Passkeys(store.database()).list(ANN).getFirst().lastUsed()).as("last use recorded").isPresent();
    }

    @Test
    @Order(4)
    void stepUp_holdsForItsSessionOnly_andEachAnswerIsUsedOnce() throws Exception {
        // Another session of the same person is not stepped up.
        ConsoleSessions.Started other = new ConsoleSessions(store.database()).create(ANN, "oidc:test#other", Instant.now(),
                Duration.ofHours(1));
        HttpResponse<String> refused = post("/console/codes/reveal", other.cookieValue(),
                "csrf=" + enc(other.session().csrfToken()) + "&label=acme-aws");
        SEEN.add(refused.body());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).doesNotContain("id=\"code-acme-aws\"");

        // An authenticator's answer, captured in the page, is accepted once and refused when replayed.
        browser.get(base + "/console/codes");
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");
        String answer = (String) ((JavascriptExecutor) browser).executeAsyncScript(CAPTURE_ASSERTION, csrf);
        assertThat(answer).startsWith("{");
        String form = "csrf=" + enc(csrf) + "&then=codes&credential=" + enc(answer);
        HttpResponse<String> first = post("/console/step-up", cookie(), form);
        assertThat(first.statusCode()).isEqualTo(303);
        HttpResponse<String> replay = post("/console/step-up", cookie(), form);
        SEEN.add(replay.body());
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("The passkey did not confirm it is you");
        // The same answer in another session: its challenge belonged to the first.
        HttpResponse<String> elsewhere = post("/console/step-up", other.cookieValue(), "csrf=" + enc(other.session().csrfToken())
                + "&then=codes&credential=" + enc(answer));
        assertThat(elsewhere.statusCode()).isEqualTo(401);
        HttpResponse<String> garbage = post("/console/step-up", other.cookieValue(), "csrf=" + enc(other.session().csrfToken())
                + "&then=codes&credential=%7B%7D");
        assertThat(garbage.statusCode()).isEqualTo(401);
        assertThat(post("/console/codes/reveal", other.cookieValue(), "csrf=" + enc(other.session().csrfToken())
                + "&label=acme-aws").statusCode()).as("still not stepped up").isEqualTo(403);

        // A signature counter that does not move past the stored one (a cloned authenticator) is refused.
        String id = new Passkeys(store.database()).list(ANN).getFirst().credentialId();
        long count = signCount(id);
        setSignCount(id, count + 1000);
        String cloned = (String) ((JavascriptExecutor) browser).executeAsyncScript(CAPTURE_ASSERTION, csrf);
        HttpResponse<String> counter = post("/console/step-up", cookie(), "csrf=" + enc(csrf) + "&then=codes&credential="
                + enc(cloned));
        SEEN.add(counter.body());
        assertThat(counter.statusCode()).isEqualTo(401);
        assertThat(signCount(id)).as("the stored counter is not moved by a refused answer").isEqualTo(count + 1000);
        setSignCount(id, count);
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_step_up_failed").contains("Counter"));
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_step_up_failed").contains("\"UNAUTHENTICATED\"")
                .contains("challenge unknown, used or expired"));
    }

    @Test
    @Order(5)
    void enrol_needsStepUp_andWorksAfterIt() throws Exception {
        enrolledSeed = randomSeed();
        SecretRegistry.seed(SeedParser.parse(enrolledSeed));
        ConsoleSessions.Started fresh = new ConsoleSessions(store.database()).create(ANN, "oidc:test#fresh", Instant.now(),
                Duration.ofHours(1));
        HttpResponse<String> form = get("/console/enrol", fresh.cookieValue());
        SEEN.add(form.body());
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(form.body()).contains("Enrolling a seed is a sensitive act: confirm it is you");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/enrol"))
                .header("Cookie", COOKIE + "=" + fresh.cookieValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + enc(fresh.session().csrfToken()) + "&label=acme-sneaky&secret="
                        + enrolledSeed)).build(), HttpResponse.BodyHandlers.ofString());
        SEEN.add(post.body());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(store.seeds().list()).noneSatisfy(i -> assertThat(i.label().value()).isEqualTo("acme-sneaky"));

        // The browser's session stepped up in the last minutes: enrolment goes through.
        browser.findElement(By.linkText("Enrol a seed")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Enrol a seed"));
        browser.findElement(By.id("label")).sendKeys("acme-new");
        browser.findElement(By.id("secret")).sendKeys(enrolledSeed);
        long before = Instant.now().getEpochSecond();
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        WebElement first = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("first-code")));
        long after = Instant.now().getEpochSecond();
        see();
        SecretRegistry.code(first.getText().strip());
        for (WebElement next : browser.findElements(By.id("next-code"))) {
            SecretRegistry.code(next.getText().strip());
        }
        assertThat(List.of(oathtool(enrolledSeed, before), oathtool(enrolledSeed, after))).contains(first.getText().strip());
        assertThat(store.seeds().list()).anySatisfy(i -> assertThat(i.label().value()).isEqualTo("acme-new"));
    }

    @Test
    @Order(6)
    void remove_passkey_needsStepUp_andThenIsGone() throws Exception {
        String id = new Passkeys(store.database()).list(ANN).getFirst().credentialId();
        ConsoleSessions.Started fresh = new ConsoleSessions(store.database()).create(ANN, "oidc:test#fresh2", Instant.now(),
                Duration.ofHours(1));
        HttpResponse<String> refused = post("/console/passkeys/remove", fresh.cookieValue(),
                "csrf=" + enc(fresh.session().csrfToken()) + "&id=" + enc(id));
        SEEN.add(refused.body());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(new Passkeys(store.database()).list(ANN)).hasSize(1);

        browser.get(base + "/console/passkeys");
        browser.findElement(By.xpath("//button[normalize-space()='Remove Test laptop']")).click();
        WebElement notice = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("passkey-notice")));
        see();
        assertThat(notice.getText()).isEqualTo("The passkey is removed.");
        assertThat(new Passkeys(store.database()).list(ANN)).isEmpty();
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_passkey_removed").contains("person:ann"));
        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Signed out"));
    }

    @Test
    @Order(7)
    void breakGlass_enrolledByCliCode_signsInWithTheProviderDown_andGetsNoCodeWithoutAGrant() throws Exception {
        InProcessCli.Result enrol = InProcessCli.in(tmp.resolve("data")).run("console", "break-glass", "enrol", "--console-url", base);
        assertThat(enrol.exitCode()).as(enrol.all()).isZero();
        Matcher m = Pattern.compile("(?m)^([A-Za-z0-9_-]{43})$").matcher(enrol.out());
        assertThat(m.find()).as(enrol.out()).isTrue();
        breakGlassCode = m.group(1);
        assertThat(enrol.out()).contains(base + "/console/break-glass/enrol");

        provider.shutdown();
        provider = null;

        browser.get(base + "/console/break-glass/enrol");
        browser.findElement(By.id("bg-code")).sendKeys("not-the-code");
        browser.findElement(By.id("bg-name")).sendKeys("Safe key 1");
        browser.findElement(By.xpath("//button[normalize-space()='Register the break-glass passkey']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> d.findElement(By.cssSelector(".webauthn-status")).getText()
                .contains("not valid"));
        browser.findElement(By.id("bg-code")).clear();
        browser.findElement(By.id("bg-code")).sendKeys(breakGlassCode);
        browser.findElement(By.xpath("//button[normalize-space()='Register the break-glass passkey']")).click();
        WebElement notice = new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.findElement(By.id("break-glass-notice")));
        see();
        assertThat(notice.getText()).startsWith("The break-glass passkey Safe key 1 is registered.");
        assertThat(new Passkeys(store.database()).list(Passkeys.BREAK_GLASS)).hasSize(1);
        shoot("break-glass-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("break-glass-phone");
        browser.manage().window().setSize(new Dimension(1280, 900));

        browser.findElement(By.xpath("//button[normalize-space()='Sign in with the break-glass passkey']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
        see();
        assertThat(browser.findElement(By.cssSelector(".who")).getText()).contains("Break-glass operator");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("No rule gives you codes");
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");
        HttpResponse<String> reveal = post("/console/codes/reveal", cookie(), "csrf=" + enc(csrf) + "&label=acme-aws");
        SEEN.add(reveal.body());
        assertThat(reveal.statusCode()).isEqualTo(200);
        assertThat(reveal.body()).contains("No rule allows you codes for acme-aws").doesNotContain("id=\"code-acme-aws\"");
        // The operator role reaches the whole audit trail.
        browser.get(base + "/console/audit");
        see();
        assertThat(browser.findElement(By.cssSelector("table.audit")).getText()).contains("console_break_glass_sign_in");

        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"console_break_glass_sign_in\"").contains("\"ALLOWED\"")
                        .contains("BREAK-GLASS"))
                .anySatisfy(l -> assertThat(l).contains("console_break_glass_enrolled").contains("\"ADMIN\""))
                .anySatisfy(l -> assertThat(l).contains("console_break_glass_enrol_failed"))
                .anySatisfy(l -> assertThat(l).contains("break-glass-enrol-code").contains("\"ADMIN\""))
                .anySatisfy(l -> assertThat(l).contains("seed-sensitive").contains("acme-aws").contains("\"ADMIN\""));
        // The code was used up.
        assertThat(new Passkeys(store.database()).breakGlassCodeValid(breakGlassCode, Instant.now())).isFalse();
    }

    @Test
    @Order(10)
    void noPageOrAuditEntryOrLog_holdsASeedOrTheOneTimeCode() throws Exception {
        List<String> all = new ArrayList<>(SEEN);
        all.addAll(auditLines());
        Path inProcessLog = TestLogs.DIR.resolve("in-process.log");
        if (Files.isRegularFile(inProcessLog)) {
            all.add(Files.readString(inProcessLog));
        }
        for (String seed : List.of(seedBase32, enrolledSeed)) {
            String lower = seed.toLowerCase(Locale.ROOT);
            String hex = HexFormat.of().formatHex(new Base32().decode(seed));
            for (String text : all) {
                String t = text.toLowerCase(Locale.ROOT);
                assertThat(t.contains(lower) || t.contains(hex)).as("a page, audit entry or log holds a seed").isFalse();
            }
        }
        assertThat(all).noneSatisfy(t -> assertThat(t).contains(breakGlassCode));
    }

    @Test
    @Order(9)
    void passkeyPagesAndOptions_carryCspAndNoStore() throws Exception {
        List<HttpResponse<String>> answers = List.of(get("/console/passkeys", null), get("/console/break-glass", null),
                get("/console/break-glass/enrol", null), get("/console/assets/passkeys.js", null),
                post("/console/break-glass/options", null, ""), post("/console/break-glass/enrol/options", null, "code=wrong"),
                post("/console/step-up/options", null, "csrf=x"), post("/console/passkeys/options", null, "csrf=x"));
        for (HttpResponse<String> r : answers) {
            SEEN.add(r.body());
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(r.uri().toString())
                    .hasValue(dev.mfagate.gateway.console.Console.CONTENT_SECURITY_POLICY);
            assertThat(r.headers().firstValue("Cache-Control")).as(r.uri().toString()).hasValue("no-store");
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/html")) {
                assertThat(r.body()).as("no inline script").doesNotContainPattern("<script(?![^>]*\\bsrc=)");
            }
        }
        assertThat(answers.get(0).statusCode()).as("the Passkeys page needs a session").isEqualTo(303);
        assertThat(answers.get(3).headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(answers.get(5).statusCode()).isEqualTo(403);
        assertThat(answers.get(5).body()).contains("That one-time code is not valid");
        assertThat(answers.get(6).statusCode()).isEqualTo(401);
        assertThat(answers.get(7).statusCode()).isEqualTo(401);
    }

    private static long signCount(String credentialId) {
        return store.database().jdbi().withHandle(h -> h.createQuery("SELECT sign_count FROM passkey WHERE credential_id = :id")
                .bind("id", credentialId).mapTo(Long.class).one());
    }

    private static void setSignCount(String credentialId, long count) {
        store.database().jdbi().useHandle(h -> h.createUpdate("UPDATE passkey SET sign_count = :c WHERE credential_id = :id")
                .bind("c", count).bind("id", credentialId).execute());
    }

    /** Asks for step-up options as the page would and returns the authenticator's answer as JSON, unsent. */
    private static final String CAPTURE_ASSERTION = """
            var done = arguments[arguments.length - 1];
            function toBytes(s) { s = s.replace(/-/g, '+').replace(/_/g, '/'); while (s.length % 4) { s += '='; }
              var b = atob(s); var o = new Uint8Array(b.length); for (var i = 0; i < b.length; i++) { o[i] = b.charCodeAt(i); }
              return o.buffer; }
            function b64(buf) { var a = new Uint8Array(buf); var s = ''; for (var i = 0; i < a.length; i++) { s += String.fromCharCode(a[i]); }
              return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''); }
            fetch('/console/step-up/options', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                body: 'csrf=' + encodeURIComponent(arguments[0])})
              .then(function (r) { return r.json(); })
              .then(function (o) { o.challenge = toBytes(o.challenge);
                o.allowCredentials.forEach(function (c) { c.id = toBytes(c.id); });
                return navigator.credentials.get({publicKey: o}); })
              .then(function (c) { done(JSON.stringify({id: c.id, rawId: b64(c.rawId), type: c.type, clientExtensionResults: {},
                response: {clientDataJSON: b64(c.response.clientDataJSON), authenticatorData: b64(c.response.authenticatorData),
                  signature: b64(c.response.signature), userHandle: c.response.userHandle ? b64(c.response.userHandle) : null}})); })
              .catch(function (e) { done('error ' + e); });
            """;

    private static String randomSeed() throws Exception {
        byte[] raw = new byte[20];
        new SecureRandom().nextBytes(raw);
        String seed = new Base32().encodeToString(raw).replace("=", "");
        SecretRegistry.seed(SeedParser.parse(seed));
        return seed;
    }

    private static String cookie() {
        return browser.manage().getCookieNamed(COOKIE).getValue();
    }

    private static void see() {
        SEEN.add(browser.getPageSource());
    }

    private static void shoot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static List<String> auditLines() throws IOException {
        return Files.readAllLines(TestLogs.exportAudit(store.database(), "console-passkeys-check"));
    }

    private static String oathtool(String seed, long epochSecond) throws IOException, InterruptedException {
        return Oathtool.totp(seed, epochSecond);
    }

    private static HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            b.header("Cookie", COOKIE + "=" + cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String cookie, String form) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", COOKIE + "=" + cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }
}
