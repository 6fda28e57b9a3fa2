package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as shipped (bin/mfagate, its 64 MB heap) reading seed images of 12 million pixels, the
 * most the admin API and the console take: before images were decoded at a bounded size, one such PNG
 * of 240 KB ended the process (OutOfMemoryError, exit).
 */
class LargeImageIT {

    @TempDir
    Path dir;

    private static byte[] picture(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        for (int x = 0; x < width; x += 97) {
            g.fillRect(x, 0, 3, height);
        }
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "PNG", png);
        return png.toByteArray();
    }

    @Test
    void shippedLauncher_twelveMegapixelImagesOneAfterAnotherAndAtOnce_refusedAsNoQrCodeAndTheGatewayStaysUp() throws Exception {
        Path data = dir.resolve("data");
        String token;
        try (Store store = Store.init(data)) {
            new TenantRepository(store.database()).addTenant(new TenantId("acme"), Instant.now());
            token = store.tokens().create("acme-admin", "acme-*", false, Optional.empty(), Instant.now(), new TenantId("acme"),
                    Optional.of(Role.ADMIN)).plaintext();
        }
        try (ShippedServe gw = ShippedServe.start(data)) {
            HttpClient http = HttpClient.newHttpClient();
            byte[] png = picture(4000, 3000);
            assertThat(png.length).isLessThan(1024 * 1024);
            HttpRequest upload = HttpRequest.newBuilder(URI.create(gw.baseUrl + "/api/v1/tenants/acme/seeds?label=acme-x"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "image/png").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = http.send(upload, HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
                assertThat(r.body()).contains("no QR code");
            }
            List<CompletableFuture<HttpResponse<String>>> atOnce = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                atOnce.add(http.sendAsync(upload, HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : atOnce) {
                assertThat(f.get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(400);
            }
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(gw.process.isAlive()).isTrue();
            assertThat(String.join("\n", gw.output)).doesNotContain("OutOfMemoryError");
        }
    }
}
