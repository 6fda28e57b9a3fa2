package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.mfagate.core.Label;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.console.ConsoleSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's "Enrol a seed" page in a real headless Chromium against the real gateway and store:
 * a Google Authenticator export of three accounts uploaded as a QR image, refused as a whole with
 * each bad label named and nothing stored, then enrolled with codes equal to {@code oathtool}'s; an
 * export with an MD5 entry refused by entry; and a QR read by the page's camera scan from
 * Chromium's fake camera (a Y4M file of a zxing-drawn QR), then enrolled. No page holds a seed.
 * Screenshots go to {@code target/console-screenshots}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleEnrolBrowserIT {

    private static final Path SCREENSHOTS = Path.of(System.getProperty("mfagate.reports", "target"), "console-screenshots");
    private static final String CLIENT_ID = "mfagate-console";
    private static final String SUBJECT = "ann-sso-enrol";
    private static final String COOKIE = "mfagate_session";

    @TempDir
    static Path tmp;

    private static MockOAuth2Server provider;
    private static GatewayApp app;
    private static Store store;
    private static WebDriver browser;
    private static String base;
    private static final List<String> SEEDS = new ArrayList<>();
    private static final List<String> SEEN = new ArrayList<>();
    private static List<String> exportSeeds;
    private static String cameraSeed;
    private static String cameraUri;

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        String issuer = provider.issuerUrl("default").toString().replaceAll("/$", "");
        store = Store.init(tmp.resolve("data"));
        Instant now = Instant.now();
        store.seeds().add(Label.parse("acme-aws"), SeedParser.parse(randomSeed()), now);
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addPerson(new PersonId("ann"), "Ann Example", now);
        tenants.link(new PersonId("ann"), new Identity.Oidc(issuer, SUBJECT), now);
        tenants.bind(new dev.mfagate.core.tenant.RoleBinding(new dev.mfagate.core.tenant.Holder.PersonHolder(new PersonId("ann")),
                dev.mfagate.core.tenant.Role.ADMIN, new dev.mfagate.core.tenant.TenantId("acme"), "test", now));

        cameraSeed = randomSeed();
        cameraUri = "otpauth://totp/Scanned:ann%40acme.example?secret=" + cameraSeed + "&issuer=Scanned";
        Path y4m = tmp.resolve("qr-camera.y4m");
        writeY4m(qr(cameraUri, 480), y4m);

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // 127.0.0.1 over http is a secure context to Chromium, so getUserMedia is offered.
        base = "http://127.0.0.1:" + port;
        ConsoleSettings console = new ConsoleSettings(URI.create(issuer), CLIENT_ID, "console-client-secret",
                URI.create(base), Duration.ofMinutes(15), Duration.ofHours(8), false, true);
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(5), false, 16 * 1024))
                .options(GatewayFixture.GENEROUS_OPTIONS)
                .clock(Clock.systemUTC())
                .console(console)
                .start();
        browser = HeadlessChromium.start(tmp, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-video-capture=" + y4m);
        Files.createDirectories(SCREENSHOTS);

        provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", SUBJECT, "JWT", List.of(CLIENT_ID), Map.of(), 3600));
        browser.get(base + "/console/login");
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/console/codes"));
        // Enrolling needs a passkey step-up; ConsolePasskeysIT drives the real one, here the store marks it.
        new ConsoleSessions(store.database()).stepUp(browser.manage().getCookieNamed(COOKIE).getValue(),
                Instant.now().plus(Duration.ofMinutes(30)));
    }

    @AfterAll
    static void stop() {
        HeadlessChromium.stopAll(browser, app, store, "console-enrol-browser", provider);
    }

    @Test
    @Order(1)
    void exportQr_badLabels_nothingStoredEachEntryNamed_thenAllEnrolledWithOathtoolsCodes() throws Exception {
        exportSeeds = List.of(randomSeed(), randomSeed(), randomSeed());
        String export = migrationUri(List.of(entry(exportSeeds.get(0), "ann@acme.example", "ACME", 1),
                entry(exportSeeds.get(1), "ann@acme.example", "GitHub", 1), entry(exportSeeds.get(2), "bob@acme.example", "ACME", 1)));
        Path png = tmp.resolve("ga-export.png");
        MatrixToImageWriter.writeToPath(qr(export, 360), "PNG", png);

        open("/console/enrol");
        browser.findElement(By.id("qr")).sendKeys(png.toString());
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("label-3")).isEmpty());
        see();
        String main = browser.findElement(By.tagName("main")).getText();
        assertThat(main).contains("Entry 1: ACME:ann@acme.example").contains("Entry 2: GitHub:ann@acme.example")
                .contains("Entry 3: ACME:bob@acme.example");
        assertThat(value("label-1")).as("derived labels, editable").isEqualTo("acme-acme");
        assertThat(value("label-2")).isEqualTo("acme-github");
        assertThat(value("label-3")).isEqualTo("acme-acme-2");
        assertThat(browser.getPageSource()).doesNotContain("otpauth");
        shoot("enrol-labels-desktop");

        // One label taken, one of a tenant ann does not administer, one not a label: nothing stored, each named.
        type("label-1", "acme-aws");
        type("label-2", "beta-github");
        type("label-3", "Not A Label");
        submitEnrolAll3();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("error-3")).isEmpty());
        see();
        assertThat(browser.findElement(By.id("enrol-error")).getText())
                .contains("Nothing was enrolled: 3 of 3 entries cannot be enrolled as labelled");
        assertThat(browser.findElement(By.id("error-1")).getText())
                .isEqualTo("Entry 1 (ACME:ann@acme.example): a seed with the label acme-aws exists already.");
        assertThat(browser.findElement(By.id("error-2")).getText())
                .isEqualTo("Entry 2 (GitHub:ann@acme.example): you may not add seeds for beta-github: only an admin of its tenant may.");
        assertThat(browser.findElement(By.id("error-3")).getText()).startsWith("Entry 3 (ACME:bob@acme.example): the label must be");
        assertThat(labels()).containsExactly("acme-aws");
        shoot("enrol-labels-errors-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("enrol-labels-errors-phone");
        assertNoSideways();
        browser.manage().window().setSize(new Dimension(1280, 900));

        // Two entries with one label: both named as such, still nothing.
        type("label-1", "acme-ga-one");
        type("label-2", "acme-ga-one");
        type("label-3", "acme-ga-three");
        submitEnrolAll3();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("error-2")).isEmpty());
        see();
        assertThat(browser.findElement(By.id("error-2")).getText()).contains("the label acme-ga-one is given to entry 1 too");
        assertThat(browser.findElements(By.id("error-1"))).isEmpty();
        assertThat(labels()).containsExactly("acme-aws");

        type("label-2", "acme-ga-two");
        long before = Instant.now().getEpochSecond();
        submitEnrolAll3();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("first-code-acme-ga-three")).isEmpty());
        long after = Instant.now().getEpochSecond();
        see();
        assertThat(browser.findElement(By.id("done-heading")).getText()).isEqualTo("3 seeds are enrolled");
        List<String> names = List.of("acme-ga-one", "acme-ga-two", "acme-ga-three");
        for (int i = 0; i < 3; i++) {
            String code = browser.findElement(By.id("first-code-" + names.get(i))).getText().strip();
            SecretRegistry.code(code);
            assertThat(List.of(Oathtool.totp(exportSeeds.get(i), before), Oathtool.totp(exportSeeds.get(i), after)))
                    .as("first code of " + names.get(i)).contains(code);
            for (WebElement next : browser.findElements(By.id("next-code-" + names.get(i)))) {
                SecretRegistry.code(next.getText().strip());
            }
        }
        assertThat(labels()).containsExactlyInAnyOrder("acme-aws", "acme-ga-one", "acme-ga-two", "acme-ga-three");
        shoot("enrol-several-done-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("enrol-several-done-phone");
        assertNoSideways();
        browser.manage().window().setSize(new Dimension(1280, 900));
        List<String> audit = Files.readAllLines(TestLogs.exportAudit(store.database(), "console-enrol-check"));
        for (String label : names) {
            assertThat(audit).anySatisfy(l -> assertThat(l).contains("seed-add").contains("\"" + label + "\"").contains("by person:ann"));
        }
    }

    @Test
    @Order(2)
    void pastedExport_md5AndBadDigitEntries_refusedByEntry_nothingStored() throws Exception {
        String good = randomSeed();
        String md5 = randomSeed();
        String odd = randomSeed();
        String export = migrationUri(List.of(entry(good, "ann@acme.example", "Fine", 1),
                entry(md5, "ann@acme.example", "Old", 4), entry(odd, "cy@acme.example", "Odd", 1, 3)));
        open("/console/enrol");
        browser.findElement(By.id("secret")).sendKeys(export);
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("enrol-problems")).isEmpty());
        see();
        List<String> problems = browser.findElements(By.cssSelector("#enrol-problems li")).stream().map(WebElement::getText).toList();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains("migration entry 2 of 3 ('Old:ann@acme.example')").contains("MD5 is not supported");
        assertThat(problems.get(1)).contains("migration entry 3 of 3 ('Odd:cy@acme.example')").contains("digit count 3");
        assertThat(value("secret")).as("the secret is not sent back").isEmpty();
        assertThat(labels()).doesNotContain("acme-fine", "acme-old", "acme-odd");
        shoot("enrol-export-refused-desktop");

        // The secret typed as its own label: refused in a sentence that does not show it.
        String pasted = randomSeed();
        open("/console/enrol");
        browser.findElement(By.id("label")).sendKeys("acme-" + pasted);
        browser.findElement(By.id("secret")).sendKeys(pasted);
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        WebElement error = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("enrol-error")));
        see();
        assertThat(error.getText()).isEqualTo("The label looks like a secret (16 or more letters and digits in a row); separate"
                + " its words with dashes.");
        assertThat(browser.getPageSource()).doesNotContainIgnoringCase(pasted);
        assertThat(labels()).noneMatch(l -> l.contains(pasted.toLowerCase(java.util.Locale.ROOT)));
        shoot("enrol-label-like-a-secret-desktop");
    }

    @Test
    @Order(3)
    void cameraScan_fillsTheSecretField_withoutSending_thenEnrolsWithOathtoolsCode() throws Exception {
        open("/console/enrol");
        WebElement scan = browser.findElement(By.id("scan-start"));
        assertThat(scan.isDisplayed()).as("the scan button shows where getUserMedia is offered").isTrue();
        int seedsBefore = store.seeds().list().size();
        scan.sendKeys(org.openqa.selenium.Keys.ENTER);
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> !value("secret").isEmpty());
        see();
        assertThat(value("secret")).isEqualTo(cameraUri);
        assertThat(browser.findElement(By.id("scan-status")).getText()).contains("QR code read");
        assertThat(browser.findElement(By.id("scan-video")).isDisplayed()).as("the camera is stopped").isFalse();
        Object live = ((JavascriptExecutor) browser).executeScript("return document.getElementById('scan-video').srcObject;");
        assertThat(live).isNull();
        assertThat(store.seeds().list()).as("nothing sent by the scan itself").hasSize(seedsBefore);
        shoot("enrol-scanned-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("enrol-scanned-phone");
        assertNoSideways();
        browser.manage().window().setSize(new Dimension(1280, 900));

        browser.findElement(By.id("label")).sendKeys("acme-scanned");
        long before = Instant.now().getEpochSecond();
        browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']")).click();
        WebElement first = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("first-code")));
        long after = Instant.now().getEpochSecond();
        see();
        SecretRegistry.code(first.getText().strip());
        for (WebElement next : browser.findElements(By.id("next-code"))) {
            SecretRegistry.code(next.getText().strip());
        }
        assertThat(List.of(Oathtool.totp(cameraSeed, before), Oathtool.totp(cameraSeed, after))).contains(first.getText().strip());
        assertThat(labels()).contains("acme-scanned");
    }

    @Test
    @Order(4)
    void largeImages_refusedInASentenceOrReadAtAFraction_gatewayUp_noPartOnDisk() throws Exception {
        // Every file made in java.io.tmpdir from here on, even one deleted at once.
        java.nio.file.WatchService watch = java.nio.file.FileSystems.getDefault().newWatchService();
        Path.of(System.getProperty("java.io.tmpdir")).register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
        int seedsBefore = store.seeds().list().size();

        // 7 to 8 KB of PNG that declares 8000 x 8000 pixels: decoded whole, 64 MB.
        Path bomb = tmp.resolve("bomb.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8000, 8000, java.awt.image.BufferedImage.TYPE_BYTE_BINARY),
                "PNG", bomb.toFile());
        assertThat(Files.size(bomb)).isLessThan(16 * 1024);
        enrolFile(bomb, "acme-bomb", true);
        assertThat(browser.findElement(By.id("enrol-error")).getText())
                .isEqualTo("The uploaded image: image is 8000x8000 pixels; must be at most 12000000 pixels.");
        shoot("enrol-image-too-large-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("enrol-image-too-large-phone");
        assertNoSideways();
        browser.manage().window().setSize(new Dimension(1280, 900));

        // Not an image at all: the console's own sentence, not the library's.
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "the account's recovery codes are elsewhere\n");
        enrolFile(notes, "acme-notes", true);
        assertThat(browser.findElement(By.id("enrol-error")).getText())
                .isEqualTo("The uploaded file is not an image this gateway can read (PNG, JPEG or GIF).");

        // Over the upload limit (1 MiB), with a pasted secret beside it that must not reach the disk either.
        Path big = tmp.resolve("big.png");
        byte[] noise = new byte[1536 * 1024];
        new SecureRandom().nextBytes(noise);
        Files.write(big, noise);
        enrolFile(big, "acme-big", true);
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("larger than 1 MiB").contains("nothing was stored");
        shoot("enrol-form-too-large-desktop");
        browser.manage().window().setSize(new Dimension(390, 844));
        shoot("enrol-form-too-large-phone");
        assertNoSideways();
        browser.manage().window().setSize(new Dimension(1280, 900));

        // A 12-megapixel picture with a QR code in it: read at a quarter of its pixels, enrolled.
        String seed = randomSeed();
        var picture = new java.awt.image.BufferedImage(4000, 3000, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        var g = picture.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 4000, 3000);
        g.drawImage(MatrixToImageWriter.toBufferedImage(qr("otpauth://totp/Photo:ann?secret=" + seed + "&issuer=Photo", 900)),
                2500, 1800, null);
        g.dispose();
        Path photo = tmp.resolve("photo.png");
        javax.imageio.ImageIO.write(picture, "PNG", photo.toFile());
        assertThat(Files.size(photo)).isLessThan(1024 * 1024);
        long before = Instant.now().getEpochSecond();
        enrolFile(photo, "acme-photo", false);
        WebElement first = new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("first-code")));
        long after = Instant.now().getEpochSecond();
        SecretRegistry.code(first.getText().strip());
        for (WebElement next : browser.findElements(By.id("next-code"))) {
            SecretRegistry.code(next.getText().strip());
        }
        assertThat(List.of(Oathtool.totp(seed, before), Oathtool.totp(seed, after))).contains(first.getText().strip());
        assertThat(store.seeds().list()).hasSize(seedsBefore + 1);
        assertThat(labels()).contains("acme-photo").doesNotContain("acme-bomb", "acme-big");
        // Jetty's multipart parser names its files MultiPart..., ImageIO's stream cache imageio....tmp.
        List<String> made = new ArrayList<>();
        for (var key = watch.poll(); key != null; key = watch.poll()) {
            key.pollEvents().forEach(event -> made.add(String.valueOf(event.context())));
        }
        watch.close();
        assertThat(made).as("a form part or an image written to disk").noneMatch(name -> name.startsWith("MultiPart")
                || name.startsWith("imageio"));
    }

    /** Submits the enrolment form with {@code file}, {@code label} and, if {@code withSecret}, a pasted secret too. */
    private static void enrolFile(Path file, String label, boolean withSecret) {
        open("/console/enrol");
        browser.findElement(By.id("label")).sendKeys(label);
        if (withSecret) {
            browser.findElement(By.id("secret")).sendKeys(randomSeed());
        }
        browser.findElement(By.id("qr")).sendKeys(file.toString());
        WebElement button = browser.findElement(By.xpath("//button[normalize-space()='Enrol seed']"));
        button.click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.stalenessOf(button));
        see();
    }

    @Test
    @Order(5)
    void noPageLogOrAuditEntry_holdsASeed() throws Exception {
        List<String> all = new ArrayList<>(SEEN);
        all.addAll(Files.readAllLines(TestLogs.exportAudit(store.database(), "console-enrol-scan")));
        Path log = TestLogs.DIR.resolve("in-process.log");
        if (Files.isRegularFile(log)) {
            all.add(Files.readString(log));
        }
        assertThat(SEEDS).hasSizeGreaterThan(5);
        for (String seed : SEEDS) {
            String lower = seed.toLowerCase(Locale.ROOT);
            String hex = HexFormat.of().formatHex(new Base32().decode(seed));
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(new Base32().decode(seed));
            for (String text : all) {
                String t = text.toLowerCase(Locale.ROOT);
                assertThat(t.contains(lower) || t.contains(hex) || text.contains(b64)).as("a page, log or audit entry holds a seed").isFalse();
            }
        }
    }

    private static void open(String path) {
        browser.get(base + path);
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getTitle().contains("Enrol a seed"));
        see();
    }

    private static String value(String id) {
        return browser.findElement(By.id(id)).getAttribute("value");
    }

    /**
     * Clicks "Enrol all 3 seeds" and waits for the page the form's POST answers with: the old page's
     * elements (the button among them) go stale, so that no later wait sees the previous answer's errors.
     */
    private static void submitEnrolAll3() {
        WebElement button = browser.findElement(By.xpath("//button[normalize-space()='Enrol all 3 seeds']"));
        button.click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.stalenessOf(button));
    }

    private static void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    private static List<String> labels() {
        return store.seeds().list().stream().map(i -> i.label().value()).toList();
    }

    private static void see() {
        SEEN.add(browser.getPageSource());
    }

    private static void assertNoSideways() {
        Long width = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth;");
        assertThat(width).as("no sideways scrolling at phone width").isLessThanOrEqualTo(390L);
    }

    private static void shoot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static String randomSeed() {
        byte[] raw = new byte[20];
        new SecureRandom().nextBytes(raw);
        String seed = new Base32().encodeToString(raw).replace("=", "");
        SecretRegistry.seed(raw);
        SEEDS.add(seed);
        return seed;
    }

    private static BitMatrix qr(String text, int size) throws Exception {
        return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size, Map.of(EncodeHintType.MARGIN, 4));
    }

    /** A YUV4MPEG2 4:2:0 file of a few identical frames of {@code matrix}, for Chromium's fake camera. */
    private static void writeY4m(BitMatrix matrix, Path file) throws IOException {
        int w = matrix.getWidth() & ~1, h = matrix.getHeight() & ~1;
        byte[] y = new byte[w * h];
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                y[row * w + col] = (byte) (matrix.get(col, row) ? 16 : 235);
            }
        }
        byte[] chroma = new byte[(w / 2) * (h / 2)];
        java.util.Arrays.fill(chroma, (byte) 128);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(("YUV4MPEG2 W" + w + " H" + h + " F10:1 Ip A1:1 C420jpeg\n").getBytes(StandardCharsets.US_ASCII));
            for (int f = 0; f < 5; f++) {
                out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
                out.write(y);
                out.write(chroma);
                out.write(chroma);
            }
        }
    }

    private static byte[] entry(String base32, String name, String issuer, int algorithm) throws IOException {
        return entry(base32, name, issuer, algorithm, 1);
    }

    /** One Google Authenticator {@code OtpParameters}: TOTP, the given algorithm and digits enum values. */
    private static byte[] entry(String base32, String name, String issuer, int algorithm, int digits) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, new Base32().decode(base32));
        out.writeString(2, name);
        out.writeString(3, issuer);
        out.writeInt32(4, algorithm);
        out.writeInt32(5, digits);
        out.writeInt32(6, 2);
        out.flush();
        return bytes.toByteArray();
    }

    private static String migrationUri(List<byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (byte[] e : entries) {
            out.writeByteArray(1, e);
        }
        out.writeInt32(2, 1);
        out.writeInt32(3, 1);
        out.writeInt32(4, 0);
        out.writeInt32(5, 42);
        out.flush();
        return "otpauth-migration://offline?data="
                + URLEncoder.encode(Base64.getEncoder().encodeToString(bytes.toByteArray()), StandardCharsets.UTF_8);
    }
}
