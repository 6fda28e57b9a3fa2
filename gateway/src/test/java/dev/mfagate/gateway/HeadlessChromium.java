package dev.mfagate.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium for the console's browser tests: the one place that says where it is,
 * how it starts (no background networking on this closed network, a fresh profile), and that a
 * missing browser fails under {@code CI=true} and skips elsewhere.
 */
final class HeadlessChromium {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    /** Fails under CI=true when Chromium or its driver is missing; elsewhere skips. */
    static void require() {
        if (!(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("The console's browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                        + CHROMEDRIVER + "); .ci/run installs them");
            }
            Assumptions.assumeTrue(false, "chromium or chromedriver missing; skipped outside CI");
        }
    }

    /** A new browser at 1280×900 with its own profile under {@code tmp}. */
    static ChromeDriver start(Path tmp) throws IOException {
        return start(tmp, new String[0]);
    }

    /**
     * A new browser at 1280×900 with its own profile under {@code tmp} and {@code extraFlags}, such as
     * Chromium's fake camera for a scan test.
     */
    static ChromeDriver start(Path tmp, String... extraFlags) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"), "--window-size=1280,900");
        options.addArguments(extraFlags);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }

    /**
     * Ends a browser test class: the browser first, then the gateway (its audit trail exported to the
     * test logs as {@code auditName}), then the OIDC provider; each only when it was started.
     */
    static void stopAll(org.openqa.selenium.WebDriver browser, GatewayApp app, dev.mfagate.core.store.Store store,
                        String auditName, no.nav.security.mock.oauth2.MockOAuth2Server provider) {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            TestLogs.exportAudit(store.database(), auditName);
            app.close();
        }
        if (provider != null) {
            provider.shutdown();
        }
    }
}
