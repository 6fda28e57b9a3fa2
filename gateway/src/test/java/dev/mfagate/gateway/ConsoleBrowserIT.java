package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.gateway.console.Console;
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
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console end to end in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}), against the real gateway on a real store and a real OpenID Connect
 * provider in this JVM ({@code mock-oauth2-server}): sign-in, a revealed code equal to
 * {@code oathtool}'s, sign-out, the old cookie dead, CSRF refused, no session fixation, the
 * security headers on every page, no seed in any page. Screenshots at desktop and phone width go to
 * {@code target/console-screenshots}.
 *
 * <p>Without Chromium this test is skipped, except under {@code CI=true}, where it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    private static final Path SCREENSHOTS = Path.of(System.getProperty("mfagate.reports", "target"), "console-screenshots");
    private static final String CLIENT_ID = "mfagate-console";
    private static final String SUBJECT = "ann-sso-7f3a";
    private static final Pattern CODE = Pattern.compile("[0-9]{6}");

    @TempDir
    static Path tmp;

    private static MockOAuth2Server provider;
    private static GatewayApp app;
    private static Store store;
    private static WebDriver browser;
    private static String base;
    private static String seedBase32;
    private static String enrolledSeed;
    private static String sessionCookieName;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** Every page and body the tests saw, scanned for the seed at the end. */
    private static final List<String> SEEN = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        String issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");

        store = Store.init(tmp.resolve("data"));
        byte[] raw = new byte[20];
        new SecureRandom().nextBytes(raw);
        seedBase32 = new Base32().encodeToString(raw).replace("=", "");
        TotpSeed seed = SeedParser.parse(seedBase32);
        SecretRegistry.seed(SeedParser.parse(seedBase32));
        Instant now = Instant.now();
        store.seeds().add(Label.parse("acme-aws"), seed, now);
        byte[] other = new byte[20];
        new SecureRandom().nextBytes(other);
        TotpSeed otherSeed = SeedParser.parse(new Base32().encodeToString(other).replace("=", ""));
        SecretRegistry.seed(SeedParser.parse(new Base32().encodeToString(other).replace("=", "")));
        store.seeds().add(Label.parse("beta-db"), otherSeed, now);
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addPerson(new PersonId("ann"), "Ann Example", now);
        tenants.link(new PersonId("ann"), new Identity.Oidc(issuer, SUBJECT), now);
        tenants.addPerson(new PersonId("carl"), "Carl Example", now);
        tenants.link(new PersonId("carl"), new Identity.Email("carl@example.com"), now);
        tenants.bind(new dev.mfagate.core.tenant.RoleBinding(new dev.mfagate.core.tenant.Holder.PersonHolder(new PersonId("ann")),
                dev.mfagate.core.tenant.Role.ADMIN, new dev.mfagate.core.tenant.TenantId("acme"), "test", now));
        new PolicyRepository(store.database()).grant(new Rule("ann-acme", Principal.parse("person:ann"),
                LabelPattern.parse("acme-*"), Optional.empty(), OptionalInt.empty(), "test", now.minusSeconds(60)));

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        ConsoleSettings console = new ConsoleSettings(URI.create(issuer), CLIENT_ID, "console-client-secret",
                URI.create(base), Duration.ofMinutes(15), Duration.ofHours(8), false, true);
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(5), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(console)
                .start();
        sessionCookieName = "mfagate_session";

        browser = HeadlessChromium.start(tmp);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        HeadlessChromium.stopAll(browser, app, store, "console-browser", provider);
    }

    @Test
    @Order(1)
    void signIn_plantedSessionCookie_isReplacedAndNeverBecomesASession() throws Exception {
        browser.get(base + "/console");
        see();
        assertThat(browser.getTitle()).contains("Sign in");
        shoot("signin");
        // An attacker who could plant a cookie value before sign-in (fixation) gets nothing from it.
        String planted = ConsoleSessions.randomValue();
        browser.manage().addCookie(new Cookie(sessionCookieName, planted, "/"));

        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", SUBJECT, "JWT", List.of(CLIENT_ID), java.util.Map.of(), 3600));
        browser.findElement(By.linkText("Sign in with your organisation's account")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
        see();

        String session = browser.manage().getCookieNamed(sessionCookieName).getValue();
        assertThat(session).as("the session id is new at sign-in").isNotEqualTo(planted);
        assertThat(get("/console/codes", planted).statusCode()).as("the planted value is no session").isEqualTo(303);
        assertThat(browser.manage().getCookieNamed(sessionCookieName).isHttpOnly()).isTrue();
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("My codes");
        assertThat(browser.getPageSource()).contains("acme-aws").doesNotContain("beta-db");
        assertThat(CODE.matcher(browser.findElement(By.tagName("main")).getText()).find())
                .as("codes stay hidden until asked for").isFalse();
    }

    @Test
    @Order(2)
    void reveal_showsTheCodeOathtoolComputes_withCountdownAndCopy() throws Exception {
        long before = Instant.now().getEpochSecond();
        browser.findElement(By.xpath("//button[normalize-space()='Show code for acme-aws']")).click();
        WebElement code = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("code-acme-aws")));
        long after = Instant.now().getEpochSecond();
        see();
        String shown = code.getText().strip();
        assertThat(shown).matches("[0-9]{6}");
        SecretRegistry.code(shown);
        assertThat(List.of(oathtool(before), oathtool(after))).as("oathtool's code for the seed").contains(shown);
        assertThat(browser.findElement(By.xpath("//button[normalize-space()='Copy code for acme-aws']")).isDisplayed()).isTrue();
        String seconds = browser.findElement(By.cssSelector(".countdown .seconds")).getText();
        long left = 30 - (Instant.now().getEpochSecond() % 30);
        assertThat(Math.abs(Long.parseLong(seconds) - left)).as("countdown follows the TOTP step").isLessThanOrEqualTo(2);
        shoot("codes-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("codes-phone");
        Long scrollWidth = (Long) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth;");
        assertThat(scrollWidth).as("no sideways scrolling at phone width").isLessThanOrEqualTo(390L);
        browser.manage().window().setSize(new Dimension(1280, 900));

        // The reveal is an audit entry through the console door, naming the person.
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"code_issued\"").contains("person:ann")
                .contains("/console/codes/reveal"));
    }

    @Test
    @Order(3)
    void reveal_refusedLabel_saysWhyAsTheBotDoes() throws Exception {
        String cookie = browser.manage().getCookieNamed(sessionCookieName).getValue();
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");
        HttpResponse<String> r = post("/console/codes/reveal", cookie, "csrf=" + enc(csrf) + "&label=beta-db");
        SEEN.add(r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("No rule allows you codes for beta-db");
        assertThat(CODE.matcher(r.body().replaceAll("data-[a-z-]+=\"[0-9]+\"", "")).find()).isFalse();
    }

    @Test
    @Order(4)
    void changes_withoutTheSessionsCsrfToken_areRefused() throws Exception {
        String cookie = browser.manage().getCookieNamed(sessionCookieName).getValue();
        for (String body : List.of("label=acme-aws", "csrf=" + enc(ConsoleSessions.randomValue()) + "&label=acme-aws")) {
            HttpResponse<String> r = post("/console/codes/reveal", cookie, body);
            SEEN.add(r.body());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("nothing was done").contains(r.headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(r.body()).doesNotContain("id=\"code-acme-aws\"");
        }
        HttpResponse<String> out = post("/console/logout", cookie, "csrf=wrong");
        assertThat(out.statusCode()).isEqualTo(403);
        assertThat(get("/console/codes", cookie).statusCode()).as("a refused sign-out leaves the session").isEqualTo(200);
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_csrf_refused"));
    }

    @Test
    @Order(5)
    void everyConsolePage_carriesCspAndNoStore() throws Exception {
        String cookie = browser.manage().getCookieNamed(sessionCookieName).getValue();
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");
        List<HttpResponse<String>> pages = List.of(get("/console", null), get("/console", cookie), get("/console/codes", cookie),
                post("/console/codes/reveal", cookie, "csrf=" + enc(csrf) + "&label=acme-aws"),
                post("/console/codes/reveal", cookie, "csrf=bad&label=acme-aws"),
                get("/console/callback?code=x&state=y", null), get("/console/assets/console.css", null),
                get("/console/assets/console.js", null), get("/console/enrol", cookie),
                get("/console/audit", cookie));
        for (HttpResponse<String> r : pages) {
            SEEN.add(r.body());
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(r.uri().toString()).hasValue(Console.CONTENT_SECURITY_POLICY);
            assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
            assertThat(r.headers().firstValue("Cache-Control")).as(r.uri().toString()).hasValue("no-store");
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/html")) {
                assertThat(r.body()).as("no inline script").doesNotContainPattern("<script(?![^>]*\\bsrc=)");
                assertThat(r.body()).doesNotContain(" on" + "click=").doesNotContain("style=\"");
            }
        }
        Matcher m = Pattern.compile("id=\"code-acme-aws\"[^>]*>([0-9]{6})<").matcher(pages.get(3).body());
        if (m.find()) {
            SecretRegistry.code(m.group(1));
        }
        assertThat(pages.get(5).statusCode()).as("a callback no sign-in began").isEqualTo(401);
        assertThat(pages.get(5).body()).contains("Sign-in failed").contains(pages.get(5).headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    @Order(6)
    void enrol_qrImageFile_storesTheSeedAndShowsItsFirstCode_neverTheSeed() throws Exception {
        byte[] raw = new byte[20];
        new SecureRandom().nextBytes(raw);
        String newSeed = new Base32().encodeToString(raw).replace("=", "");
        SecretRegistry.seed(SeedParser.parse(newSeed));
        enrolledSeed = newSeed;
        Path qr = tmp.resolve("acme-new-qr.png");
        var matrix = new com.google.zxing.qrcode.QRCodeWriter().encode("otpauth://totp/ACME:ann%40acme.example?secret=" + newSeed
                + "&issuer=ACME", com.google.zxing.BarcodeFormat.QR_CODE, 240, 240);
        com.google.zxing.client.j2se.MatrixToImageWriter.writeToPath(matrix, "PNG", qr);

        // Enrolling needs a passkey step-up; ConsolePasskeysIT drives the real one in the browser, here the
        // session is marked stepped up in the store.
        new ConsoleSessions(store.database()).stepUp(browser.manage().getCookieNamed(sessionCookieName).getValue(),
                Instant.now().plus(Duration.ofMinutes(5)));
        browser.findElement(By.linkText("Enrol a seed")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Enrol a seed"));
        see();
        shoot("enrol-desktop");
        browser.findElement(By.id("label")).sendKeys("acme-new");
        browser.findElement(By.id("qr")).sendKeys(qr.toString());
        long before = Instant.now().getEpochSecond();
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        WebElement first = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("first-code")));
        long after = Instant.now().getEpochSecond();
        see();
        String code = first.getText().strip();
        SecretRegistry.code(code);
        assertThat(List.of(oathtool(newSeed, before), oathtool(newSeed, after))).contains(code);
        for (WebElement next : browser.findElements(By.id("next-code"))) {
            SecretRegistry.code(next.getText().strip());
            assertThat(List.of(oathtool(newSeed, before + 30 - before % 30), oathtool(newSeed, after + 30 - after % 30)))
                    .contains(next.getText().strip());
        }
        assertThat(browser.findElement(By.tagName("h2")).getText()).isEqualTo("acme-new is enrolled");
        assertThat(store.seeds().list()).anySatisfy(i -> assertThat(i.label().value()).isEqualTo("acme-new"));
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("enrol-phone");
        browser.manage().window().setSize(new Dimension(1280, 900));
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"ADMIN\"").contains("seed-add")
                .contains("acme-new").contains("by person:ann"));

        // Another tenant's label: refused in a sentence that says nothing about that tenant; nothing stored.
        browser.findElement(By.id("label")).sendKeys("beta-new");
        browser.findElement(By.id("secret")).sendKeys(newSeed);
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        WebElement error = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("enrol-error")));
        see();
        assertThat(error.getText()).isEqualTo("You may not add seeds for beta-new: only an admin of its tenant may.");
        assertThat(browser.findElement(By.id("secret")).getAttribute("value")).as("the secret is not sent back").isEmpty();
        // The label taken: all or nothing, named.
        browser.findElement(By.id("label")).clear();
        browser.findElement(By.id("label")).sendKeys("acme-new");
        browser.findElement(By.id("secret")).sendKeys(newSeed);
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        // Until the answer page replaces the last one: its error element goes stale when it does.
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> d.findElement(By.id("enrol-error")).getText().contains("exists already"));
        see();
        // A seed pasted into the label field is refused and not echoed back.
        browser.findElement(By.id("label")).clear();
        browser.findElement(By.id("label")).sendKeys(newSeed);
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> d.findElement(By.id("enrol-error")).getText().contains("label must be"));
        see();
        assertThat(browser.findElement(By.id("label")).getAttribute("value")).isEmpty();
        assertThat(store.seeds().list()).noneSatisfy(i -> assertThat(i.label().value()).isEqualTo("beta-new"));
    }

    @Test
    @Order(7)
    void audit_tenantAdmin_seesTheirTenantsEntriesOnly_filteredByLabelAndOutcome() throws Exception {
        browser.findElement(By.linkText("Audit")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Audit"));
        see();
        shoot("audit-desktop");
        String table = browser.findElement(By.cssSelector("table.audit")).getText();
        assertThat(table).contains("seed-add").contains("acme-new").contains("code_issued").contains("acme-aws")
                .doesNotContain("beta-db").doesNotContain("console_sign_in");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("tenant acme");

        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("f-outcome"))).selectByValue("ADMIN");
        browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("outcome=ADMIN"));
        see();
        List<WebElement> outcomes = browser.findElements(By.cssSelector("table.audit tbody td:nth-child(3)"));
        assertThat(outcomes).isNotEmpty().allSatisfy(td -> assertThat(td.getText()).isEqualTo("ADMIN"));

        // A label of another tenant, asked for by URL, shows nothing of it.
        browser.get(base + "/console/audit?label=beta-db&outcome=");
        see();
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("No entry matches.").doesNotContain("NO_MATCHING");
        HttpResponse<String> bad = get("/console/audit?label=not%20a%20label", browser.manage().getCookieNamed(sessionCookieName).getValue());
        SEEN.add(bad.body());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("The filter is not valid").contains(bad.headers().firstValue("X-Request-Id").orElseThrow());
        browser.get(base + "/console/codes");
    }

    @Test
    @Order(8)
    void signOut_endsTheSession_andTheOldCookieIsDead() throws Exception {
        String cookie = browser.manage().getCookieNamed(sessionCookieName).getValue();
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");
        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Signed out"));
        see();
        shoot("signed-out");
        assertThat(browser.manage().getCookieNamed(sessionCookieName)).isNull();
        // A copy of the cookie taken before sign-out (stolen) opens nothing afterwards.
        HttpResponse<String> codes = get("/console/codes", cookie);
        assertThat(codes.statusCode()).isEqualTo(303);
        assertThat(codes.headers().firstValue("Location")).hasValue("/console");
        HttpResponse<String> reveal = post("/console/codes/reveal", cookie, "csrf=" + enc(csrf) + "&label=acme-aws");
        SEEN.add(reveal.body());
        assertThat(reveal.statusCode()).isEqualTo(401);
        assertThat(reveal.body()).doesNotContain("id=\"code-acme-aws\"");
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_sign_in").contains("person:ann"))
                .anySatisfy(l -> assertThat(l).contains("console_sign_out").contains("person:ann"));
    }

    @Test
    @Order(9)
    void signIn_identityLinkedToNobody_isRefusedAndAudited() throws Exception {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "stranger-1", "JWT", List.of(CLIENT_ID), java.util.Map.of(), 3600));
        browser.get(base + "/console/login");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getTitle().contains("Sign-in failed"));
        see();
        assertThat(browser.findElement(By.cssSelector("p.message")).getText()).contains("not linked to anyone in mfagate");
        assertThat(browser.manage().getCookieNamed(sessionCookieName)).isNull();
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_sign_in_failed").contains("identity_not_linked")
                .contains("stranger-1"));
    }

    @Test
    @Order(10)
    void signIn_autoLinkEmail_linksOnlyAProviderVerifiedEmailOfAPerson() throws Exception {
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "carl-sub", "JWT", List.of(CLIENT_ID),
                java.util.Map.of("email", "carl@example.com", "email_verified", false), 3600));
        browser.get(base + "/console/login");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getTitle().contains("Sign-in failed"));
        see();
        TenantRepository tenants = new TenantRepository(store.database());
        String issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");
        assertThat(tenants.personOf(new Identity.Oidc(issuer, "carl-sub"))).as("an unverified email links nothing").isEmpty();

        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "carl-sub", "JWT", List.of(CLIENT_ID),
                java.util.Map.of("email", "carl@example.com", "email_verified", true), 3600));
        browser.get(base + "/console/login");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
        see();
        assertThat(tenants.personOf(new Identity.Oidc(issuer, "carl-sub"))).contains(new PersonId("carl"));
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"ADMIN\"").contains("person-link")
                .contains("auto-link-email").contains("person carl"))
                .anySatisfy(l -> assertThat(l).contains("console_sign_in").contains("person:carl"));
        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Signed out"));
    }

    @Test
    @Order(11)
    void noPageOrAuditEntry_holdsTheSeed() throws Exception {
        for (String seed : List.of(seedBase32, enrolledSeed)) {
            assertNoPageHolds(seed);
        }
    }

    private static void assertNoPageHolds(String seed) throws IOException {
        String lower = seed.toLowerCase(Locale.ROOT);
        String hex = HexFormat.of().formatHex(new Base32().decode(seed));
        List<String> all = new ArrayList<>(SEEN);
        all.addAll(auditLines());
        Path inProcessLog = TestLogs.DIR.resolve("in-process.log");
        if (Files.isRegularFile(inProcessLog)) {
            all.add(Files.readString(inProcessLog));
        }
        assertThat(all).isNotEmpty();
        for (String text : all) {
            String t = text.toLowerCase(Locale.ROOT);
            assertThat(t.contains(lower) || t.contains(hex)).as("a page or audit entry holds the seed").isFalse();
        }
    }

    private static void see() {
        SEEN.add(browser.getPageSource());
    }

    private static void shoot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }

    private static List<String> auditLines() throws IOException {
        return Files.readAllLines(TestLogs.exportAudit(store.database(), "console-browser-check"));
    }

    private static String oathtool(long epochSecond) throws IOException, InterruptedException {
        return oathtool(seedBase32, epochSecond);
    }

    private static String oathtool(String seed, long epochSecond) throws IOException, InterruptedException {
        return Oathtool.totp(seed, epochSecond);
    }

    private static HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            b.header("Cookie", sessionCookieName + "=" + cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String cookie, String form) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", sessionCookieName + "=" + cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }
}
