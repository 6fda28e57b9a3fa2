package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
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
import java.io.InputStream;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's administration pages end to end in a real headless Chromium against the real
 * gateway on a real store and a real OpenID Connect provider in this JVM, as {@link ConsoleBrowserIT}
 * runs them: Access (grant, revoke, who may get a label, grants ending soon), Tokens (created and
 * shown once, working against {@code GET /code}, revoked), Members and roles, Health (operators
 * only), another tenant's pages and objects answering as missing ones, and axe-core's accessibility
 * audit on every console page (no serious or critical violation). Screenshots at desktop and phone
 * width go to {@code target/console-screenshots}.
 *
 * <p>Without Chromium this test is skipped, except under {@code CI=true}, where it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAdminBrowserIT {

    private static final Path SCREENSHOTS = Path.of(System.getProperty("mfagate.reports", "target"), "console-screenshots");
    private static final String CLIENT_ID = "mfagate-console";
    private static final String ANN = "ann-sso-1", BOB = "bob-sso-2", OLGA = "olga-sso-3";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static MockOAuth2Server provider;
    private static GatewayApp app;
    private static Store store;
    private static WebDriver browser;
    private static String base;
    private static String axeScript;
    private static String tokenSecret;
    private static String tokenId;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String COOKIE = "mfagate_session";
    /** Every page the tests saw, scanned at the end for the token's secret. */
    private static final List<String> SEEN = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        axeScript = axeCore();
        provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        String issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");

        store = Store.init(tmp.resolve("data"));
        Instant now = Instant.now();
        for (String label : List.of("acme-aws", "acme-git", "beta-db")) {
            byte[] raw = new byte[20];
            new SecureRandom().nextBytes(raw);
            store.seeds().add(Label.parse(label), SeedParser.parse(new Base32().encodeToString(raw).replace("=", "")), now);
        }
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addTenant(new TenantId("acme"), now);
        tenants.addTenant(new TenantId("beta"), now);
        person(tenants, "ann", "Ann Example", issuer, ANN, now);
        person(tenants, "bob", "Bob Example", issuer, BOB, now);
        person(tenants, "olga", "Olga Operator", issuer, OLGA, now);
        tenants.addPerson(new PersonId("bea"), "Bea Beta", now);
        tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("ann")), Role.ADMIN, new TenantId("acme"), "test", now));
        tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("bob")), Role.MEMBER, new TenantId("acme"), "test", now));
        tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("olga")), Role.OPERATOR, Scope.ORGANISATION, "test", now));
        tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("bea")), Role.ADMIN, new TenantId("beta"), "test", now));
        new PolicyRepository(store.database()).grant(new Rule("beta-bea", Principal.parse("person:bea"),
                LabelPattern.parse("beta-*"), Optional.empty(), OptionalInt.empty(), "test", now), new TenantId("beta"));

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

        browser = HeadlessChromium.start(tmp);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        Files.createDirectories(SCREENSHOTS);
    }

    private static void person(TenantRepository tenants, String id, String name, String issuer, String subject, Instant now) {
        tenants.addPerson(new PersonId(id), name, now);
        tenants.link(new PersonId(id), new Identity.Oidc(issuer, subject), now);
    }

    @AfterAll
    static void stop() {
        HeadlessChromium.stopAll(browser, app, store, "console-admin-browser", provider);
    }

    @Test
    @Order(1)
    void navigation_tenantAdmin_offersAdminPagesButNotHealth() throws Exception {
        browser.get(base + "/console");
        axe("signin");
        // The check can fail: an image without a text alternative is a critical violation.
        ((JavascriptExecutor) browser).executeScript("const i = document.createElement('img'); i.src = 'data:,';"
                + " document.querySelector('main').appendChild(i);");
        assertThat(seriousViolations("signin with an unlabelled image")).anySatisfy(v -> assertThat(v).contains("image-alt"));
        signIn(ANN);
        List<String> nav = browser.findElements(By.cssSelector("nav a")).stream().map(WebElement::getText).toList();
        assertThat(nav).containsExactly("My codes", "Enrol a seed", "Access", "Tokens", "Members", "Audit", "Passkeys");
        axe("codes");
        browser.get(base + "/console/enrol");
        axe("enrol");
    }

    @Test
    @Order(2)
    void access_grantThenRevoke_givesThenTakesTheCode() throws Exception {
        open("/console/access");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Access");
        assertThat(main()).contains("No rules yet.").doesNotContain("beta-bea");
        // Not yet: no rule gives ann acme-aws.
        open("/console/codes");
        assertThat(main()).doesNotContain("acme-aws");

        open("/console/access");
        String lastDay = LocalDate.now(ZoneOffset.UTC).plusDays(3).toString();
        browser.findElement(By.id("g-principal")).sendKeys("person:ann");
        browser.findElement(By.id("g-pattern")).sendKeys("acme-aws");
        setValue(By.id("g-expires"), lastDay);
        browser.findElement(By.id("g-cap")).sendKeys("20");
        browser.findElement(By.xpath("//button[normalize-space()='Grant']")).click();
        WebElement notice = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-notice")));
        see();
        assertThat(notice.getText()).startsWith("Granted").contains("person:ann");
        WebElement row = browser.findElement(By.cssSelector("table.list tbody tr"));
        assertThat(row.getAttribute("class")).as("a grant ending within 7 days is marked").contains("soon");
        assertThat(row.getText()).contains("ends soon").contains("20").contains(lastDay.substring(0, 8));
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"ADMIN\"").contains("\"grant\"")
                .contains("tenant acme;").contains("by person:ann (console session"));

        // Who may get acme-aws, and by which rule.
        browser.findElement(By.id("w-label")).sendKeys("acme-aws");
        browser.findElement(By.xpath("//button[normalize-space()='Show who']")).click();
        WebElement who = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("who-list")));
        assertThat(who.getText()).contains("person:ann").contains("acme-aws").contains("of tenant acme");
        axe("access");
        shootBoth("access");

        open("/console/codes");
        browser.findElement(By.xpath("//button[normalize-space()='Show code for acme-aws']")).click();
        WebElement code = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("code-acme-aws")));
        assertThat(code.getText().strip()).matches("[0-9]{6}");

        open("/console/access");
        String ruleId = browser.findElement(By.cssSelector("table.list tbody tr td code")).getText();
        browser.findElement(By.cssSelector("button[aria-label='Revoke rule " + ruleId + "']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-notice")));
        assertThat(main()).contains("Revoked rule " + ruleId).contains("No rules yet.");
        open("/console/codes");
        assertThat(main()).doesNotContain("acme-aws");
        HttpResponse<String> refused = post("/console/codes/reveal", "csrf=" + enc(csrf()) + "&label=acme-aws");
        assertThat(refused.body()).contains("No rule allows you codes for acme-aws");
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"revoke\"").contains(ruleId).contains("by person:ann"));
    }

    @Test
    @Order(3)
    void access_withoutCsrfToken_isRefusedAndGrantsNothing() throws Exception {
        open("/console/access");
        HttpResponse<String> r = post("/console/access/grant", "tenant=acme&principal=person%3Aann&pattern=acme-*");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("nothing was done");
        assertThat(new PolicyRepository(store.database()).list()).noneSatisfy(rule ->
                assertThat(rule.pattern().value()).isEqualTo("acme-*"));
    }

    @Test
    @Order(4)
    void tokens_created_shownOnceWorksForCodesThenRevoked() throws Exception {
        open("/console/tokens");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Tokens");
        axe("tokens");
        // Creating a token needs a passkey step-up: without one nothing is created and the page says why.
        browser.findElement(By.id("t-name")).sendKeys("ci-runner");
        browser.findElement(By.id("t-labels")).sendKeys("acme-aws");
        browser.findElement(By.xpath("//button[normalize-space()='Create token']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Confirm it is you"));
        assertThat(main()).contains("Creating a token is a sensitive act").contains("register one on the Passkeys page");
        assertThat(store.tokens().list()).noneSatisfy(t -> assertThat(t.name()).isEqualTo("ci-runner"));
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("console_step_up_required")
                .contains("Creating a token is a sensitive act"));
        // ConsolePasskeysIT drives the real step-up in the browser; here the session is marked stepped up in the store.
        new dev.mfagate.core.console.ConsoleSessions(store.database()).stepUp(cookie(),
                Instant.now().plus(Duration.ofMinutes(5)));
        open("/console/tokens");
        browser.findElement(By.id("t-name")).sendKeys("ci-runner");
        browser.findElement(By.id("t-labels")).sendKeys("acme-aws");
        browser.findElement(By.xpath("//button[normalize-space()='Create token']")).click();
        WebElement secret = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("token-secret")));
        tokenSecret = secret.getAttribute("value");
        assertThat(tokenSecret).isNotBlank().hasSizeGreaterThan(20);
        tokenId = browser.findElement(By.cssSelector("#secret-heading code")).getText();
        axe("token-created");
        shootBoth("token-created");
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"token-create\"").contains(tokenId)
                .contains("by person:ann")).noneSatisfy(l -> assertThat(l).contains(tokenSecret));

        // Shown once: reloading the answer sends the form again, which creates nothing and shows no secret.
        browser.navigate().refresh();
        try {
            browser.switchTo().alert().accept();
        } catch (org.openqa.selenium.NoAlertPresentException e) {
            // Chromium resent the form without asking.
        }
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElements(By.id("token-secret")).isEmpty());
        see();
        assertThat(browser.getPageSource()).doesNotContain(tokenSecret);
        assertThat(main()).contains("No token was created").contains("exists already");
        // Nor does the list, fetched again.
        open("/console/tokens");
        assertThat(browser.getPageSource()).doesNotContain(tokenSecret).contains(tokenId);
        assertThat(browser.findElement(By.cssSelector("#token-" + tokenId + " td:nth-child(7)")).getText()).isEqualTo("never");
        HttpResponse<String> again = get("/console/tokens?tenant=acme");
        assertThat(again.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(again.body()).doesNotContain(tokenSecret);

        // A rule for the token, through the Access page; then it fetches codes over HTTP.
        open("/console/access");
        browser.findElement(By.id("g-principal")).sendKeys("token:" + tokenId);
        browser.findElement(By.id("g-pattern")).sendKeys("acme-aws");
        browser.findElement(By.xpath("//button[normalize-space()='Grant']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-notice")));
        HttpResponse<String> code = code(tokenSecret);
        assertThat(code.statusCode()).as(code.body()).isEqualTo(200);
        assertThat(JSON.readTree(code.body()).get("code").asText()).matches("[0-9]{6}");

        // The audit trail is written in batches; the last use shows once the batch is in.
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> {
            open("/console/tokens");
            return !d.findElement(By.cssSelector("#token-" + tokenId + " td:nth-child(7)")).getText().equals("never");
        });
        shootBoth("tokens");
        browser.findElement(By.cssSelector("button[aria-label='Revoke token ci-runner']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-notice")));
        assertThat(browser.findElement(By.id("token-" + tokenId)).getText()).contains("revoked");
        assertThat(code(tokenSecret).statusCode()).as("a revoked token fetches nothing").isEqualTo(401);
    }

    @Test
    @Order(5)
    void members_addAndRemoveARole_areAuditedChanges() throws Exception {
        open("/console/members");
        assertThat(main()).contains("person:ann").contains("person:bob").doesNotContain("person:bea");
        browser.findElement(By.id("m-holder")).sendKeys("person:bob");
        new Select(browser.findElement(By.id("m-role"))).selectByValue("approver");
        browser.findElement(By.xpath("//button[normalize-space()='Give role']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-notice")));
        assertThat(browser.findElement(By.cssSelector("button[aria-label='Remove approver from person:bob']")).isDisplayed()).isTrue();
        axe("members");
        shootBoth("members");
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"member-add\"").contains("person:bob")
                .contains("by person:ann"));
        browser.findElement(By.cssSelector("button[aria-label='Remove approver from person:bob']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-notice")));
        assertThat(browser.findElements(By.cssSelector("button[aria-label='Remove approver from person:bob']"))).isEmpty();
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("\"member-remove\"").contains("person:bob"));

        browser.findElement(By.id("m-holder")).sendKeys("person:nobody");
        browser.findElement(By.xpath("//button[normalize-space()='Give role']")).click();
        WebElement error = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("change-error")));
        assertThat(error.getText()).contains("Nothing was changed").contains("No person nobody");
    }

    @Test
    @Order(6)
    void audit_filtersByPersonAndDays_exportsJsonLines_noChainForATenantAdmin() throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        open("/console/audit");
        browser.findElement(By.id("f-person")).sendKeys("ann");
        setValue(By.id("f-since"), today);
        setValue(By.id("f-until"), today);
        browser.findElement(By.xpath("//button[normalize-space()='Filter']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("person=ann"));
        see();
        List<WebElement> who = browser.findElements(By.cssSelector("table.audit tbody td:nth-child(6)"));
        assertThat(who).isNotEmpty().allSatisfy(td -> assertThat(td.getText()).contains("person:ann"));
        assertThat(browser.findElements(By.cssSelector("table.audit tbody td:nth-child(5)"))).extracting(WebElement::getText)
                .contains("acme-aws").doesNotContain("beta-db");
        assertThat(browser.findElements(By.id("verify"))).as("the chain is the organisation's auditors'").isEmpty();
        axe("audit");
        shootBoth("audit-filtered");

        open("/console/audit?person=bob");
        assertThat(main()).contains("No entry matches.");
        String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
        open("/console/audit?since=" + tomorrow);
        assertThat(main()).contains("No entry matches.");
        assertThat(get("/console/audit?since=yesterday").statusCode()).isEqualTo(400);
        assertThat(get("/console/audit?verify=1").body()).doesNotContain("chain-status");

        // The export: the admin API's JSON lines, of ann's tenant, as a download.
        String href = browser.findElement(By.id("export")).getAttribute("href");
        assertThat(href).contains("/console/audit/export?");
        HttpResponse<String> export = get("/console/audit/export?person=&since=" + today + "&until=" + today);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
        assertThat(export.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment");
        List<String> lines = export.body().lines().toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode entry = JSON.readTree(line);
            assertThat(entry.has("seq")).as(line).isTrue();
            assertThat(entry.has("outcome")).as(line).isTrue();
            String label = entry.path("label").asText("");
            assertThat(label).as("only tenant acme's entries").doesNotStartWith("beta-");
        }
        assertThat(export.body()).contains("token-create").contains("member-add").doesNotContain("beta-bea");
        assertThat(auditLines()).anySatisfy(l -> assertThat(l).contains("exported the audit").contains("by person:ann"));

        // An admin of two tenants exports what the page shows: both tenants' entries, not the first one's.
        TenantRepository tenants = new TenantRepository(store.database());
        RoleBinding betaToo = new RoleBinding(new Holder.PersonHolder(new PersonId("ann")), Role.ADMIN, new TenantId("beta"), "test",
                java.time.Instant.now());
        tenants.bind(betaToo);
        try {
            assertThat(get("/console/access?tenant=beta").statusCode()).as("ann reads beta's rules: an entry of beta's").isEqualTo(200);
            HttpResponse<String> both = get("/console/audit/export?person=&since=" + today + "&until=" + today);
            assertThat(both.statusCode()).isEqualTo(200);
            assertThat(both.body()).contains("\"detail\":\"tenant beta; by person:ann").contains("member-add");
            List<Long> seqs = new java.util.ArrayList<>();
            for (String line : both.body().lines().toList()) {
                seqs.add(JSON.readTree(line).get("seq").asLong());
            }
            assertThat(seqs).doesNotHaveDuplicates().hasSizeGreaterThan(lines.size());
        } finally {
            tenants.unbind(betaToo.holder(), betaToo.role(), betaToo.scope());
        }
    }

    @Test
    @Order(7)
    void anotherTenantsPagesAndObjects_answerAsMissingOnes() throws Exception {
        for (String page : List.of("/console/access", "/console/tokens", "/console/members")) {
            HttpResponse<String> other = get(page + "?tenant=beta");
            HttpResponse<String> missing = get(page + "?tenant=nosuch");
            assertThat(other.statusCode()).as(page).isEqualTo(404);
            assertThat(missing.statusCode()).as(page).isEqualTo(404);
            assertThat(main(other.body())).as("the same sentence for another tenant as for none")
                    .isEqualTo(main(missing.body())).contains("No such tenant or object").doesNotContain("beta-bea");
        }
        String csrf = csrf();
        for (String form : List.of("tenant=beta&id=beta-bea", "tenant=acme&id=beta-bea")) {
            HttpResponse<String> r = post("/console/access/revoke", "csrf=" + enc(csrf) + "&" + form);
            assertThat(r.statusCode()).as(form).isEqualTo(404);
        }
        HttpResponse<String> grant = post("/console/access/grant", "csrf=" + enc(csrf)
                + "&tenant=beta&principal=person%3Aann&pattern=beta-db");
        assertThat(grant.statusCode()).isEqualTo(404);
        HttpResponse<String> member = post("/console/members/add", "csrf=" + enc(csrf) + "&tenant=beta&holder=person%3Aann&role=admin");
        assertThat(member.statusCode()).isEqualTo(404);
        assertThat(new PolicyRepository(store.database()).list()).anySatisfy(r -> assertThat(r.id()).isEqualTo("beta-bea"))
                .noneSatisfy(r -> assertThat(r.pattern().value()).isEqualTo("beta-db"));
        assertThat(new TenantRepository(store.database()).bindings(new TenantId("beta")))
                .noneSatisfy(b -> assertThat(b.holder().text()).isEqualTo("person:ann"));

        HttpResponse<String> health = get("/console/health");
        assertThat(health.statusCode()).as("health is the operators'").isEqualTo(403);
        assertThat(health.body()).contains("Only the organisation's operators").doesNotContain("key_provider");
        browser.get(base + "/console/access?tenant=beta");
        axe("message");
        shoot("message-desktop");
    }

    @Test
    @Order(8)
    void health_operator_seesChecksAndVersion_memberSeesNoAdminPages() throws Exception {
        signIn(OLGA);
        List<String> nav = browser.findElements(By.cssSelector("nav a")).stream().map(WebElement::getText).toList();
        assertThat(nav).contains("Health", "Members", "Tokens", "Access").doesNotContain("Enrol a seed");
        open("/console/health");
        assertThat(browser.findElement(By.id("health-status")).getText()).isIn("ready", "degraded");
        assertThat(main()).contains("store").contains("keys").contains("audit").contains("clock");
        assertThat(browser.findElement(By.id("health-version")).getText()).isNotBlank();
        axe("health");
        shootBoth("health");
        open("/console/members");
        assertThat(main()).contains("the organisation").contains("person:olga").contains("operator");

        open("/console/audit");
        browser.findElement(By.id("verify")).click();
        WebElement chain = new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.findElement(By.id("chain-status")));
        assertThat(chain.getAttribute("class")).as(chain.getText()).contains("notice");
        assertThat(main()).contains("every tenant");
        axe("audit-chain");
        shootBoth("audit");

        signIn(BOB);
        nav = browser.findElements(By.cssSelector("nav a")).stream().map(WebElement::getText).toList();
        assertThat(nav).containsExactly("My codes", "Audit", "Passkeys");
        for (String page : List.of("/console/access", "/console/tokens", "/console/members", "/console/health")) {
            HttpResponse<String> r = get(page);
            assertThat(r.statusCode()).as(page).isIn(403, 404);
            assertThat(r.body()).doesNotContain("person:ann").doesNotContain("ci-runner");
        }
        open("/console/audit");
        axe("audit-member");
    }

    @Test
    @Order(9)
    void noPage_holdsTheTokenSecretAfterItsCreation() {
        assertThat(tokenSecret).isNotNull();
        // The creation page itself is not in SEEN; every other page is.
        assertThat(SEEN).isNotEmpty().noneSatisfy(p -> assertThat(p).contains(tokenSecret));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static void signIn(String subject) {
        browser.get(base + "/console");
        browser.manage().deleteAllCookies();
        browser.get(base + "/console");
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT_ID), Map.of(), 3600));
        browser.findElement(By.linkText("Sign in with your organisation's account")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
    }

    private static void open(String path) {
        browser.get(base + path);
        see();
    }

    private static void see() {
        String page = browser.getPageSource();
        if (!page.contains("id=\"token-secret\"")) {
            SEEN.add(page);
        }
    }

    private static String main() {
        return browser.findElement(By.tagName("main")).getText();
    }

    private static String main(String html) {
        int from = html.indexOf("<main");
        int to = html.indexOf("</main>");
        return html.substring(from, to);
    }

    private static String csrf() {
        return browser.findElement(By.name("csrf")).getAttribute("value");
    }

    private static void setValue(By field, String value) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1];", browser.findElement(field), value);
    }

    /** axe-core on the page now shown: prints every violation, fails on a serious or critical one. */
    private static void axe(String name) throws IOException {
        assertThat(seriousViolations(name)).as("serious or critical accessibility violations on the " + name + " page").isEmpty();
    }

    /** axe-core's serious and critical violations on the page now shown; every violation is printed. */
    private static List<String> seriousViolations(String name) throws IOException {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript(axeScript);
        Object out = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                + " nodes: v.nodes.map(n => n.target.join(' '))})))))"
                + ".catch(e => done('axe failed: ' + e));");
        String text = String.valueOf(out);
        assertThat(text).as("axe ran on " + name).startsWith("[");
        JsonNode violations = JSON.readTree(text);
        List<String> serious = new ArrayList<>();
        for (JsonNode v : violations) {
            String line = v.get("impact").asText() + " " + v.get("id").asText() + ": " + v.get("help").asText() + " at "
                    + v.get("nodes");
            System.out.println("axe " + name + ": " + line);
            if (List.of("serious", "critical").contains(v.get("impact").asText())) {
                serious.add(line);
            }
        }
        return serious;
    }

    /** The axe-core script from its WebJar (test scope). */
    private static String axeCore() throws IOException {
        Properties pom = new Properties();
        try (InputStream in = ConsoleAdminBrowserIT.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
            assertThat(in).as("the axe-core WebJar on the test class path").isNotNull();
            pom.load(in);
        }
        try (InputStream in = ConsoleAdminBrowserIT.class.getResourceAsStream(
                "/META-INF/resources/webjars/axe-core/" + pom.getProperty("version") + "/axe.min.js")) {
            assertThat(in).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Screenshots at desktop and phone width; at phone width nothing scrolls sideways. */
    private static void shootBoth(String name) throws IOException {
        shoot(name + "-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            shoot(name + "-phone");
            Long scrollWidth = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth;");
            Object wide = ((JavascriptExecutor) browser).executeScript("return Array.from(document.querySelectorAll('body *'))"
                    + ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                    + ".map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"
                    + ".slice(0, 8).join(', ');");
            assertThat(scrollWidth).as("no sideways scrolling at phone width on " + name + "; too wide: " + wide)
                    .isLessThanOrEqualTo(390L);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    private static void shoot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve("console-" + name + ".png"), png);
    }

    private static List<String> auditLines() throws IOException {
        return Files.readAllLines(TestLogs.exportAudit(store.database(), "console-admin-check"));
    }

    private static String cookie() {
        return browser.manage().getCookieNamed(COOKIE).getValue();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", COOKIE + "=" + cookie())
                .build(), HttpResponse.BodyHandlers.ofString());
        SEEN.add(r.body());
        return r;
    }

    private static HttpResponse<String> post(String path, String form) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", COOKIE + "=" + cookie())
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        SEEN.add(r.body());
        return r;
    }

    private static HttpResponse<String> code(String token) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/code?label=acme-aws"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }
}
