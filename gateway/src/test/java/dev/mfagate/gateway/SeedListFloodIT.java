package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.admin.SeedAdmin;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as shipped (bin/mfagate, its 64 MB heap) with one tenant filled to its seed limit
 * through the admin API, then hundreds of its seed lists and {@code GET /labels} at once, from eight
 * loopback addresses (one address may hold 64 connections). Before seeds were bounded per upload
 * and per tenant and lists were read per tenant and a few at a time, a tenant's admin ended the
 * process this way (OutOfMemoryError, exit), and with it every tenant's codes.
 */
class SeedListFloodIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    /** List requests at once from each address: under the per-address connection limit of 64. */
    private static final int PER_ADDRESS = 60;
    /** Addresses asking for the tenant's seeds; then as many again for GET /labels. */
    private static final int SEED_ADDRESSES = 6;
    private static final int LABEL_ADDRESSES = 2;

    @TempDir
    Path dir;

    @Test
    void shippedLauncher_tenantFilledToItsLimitThenHundredsOfListsAtOnce_gatewayStaysUpAndServesCodes() throws Exception {
        Path data = dir.resolve("data");
        String admin;
        String code;
        try (Store store = Store.init(data)) {
            Instant now = Instant.now();
            new TenantRepository(store.database()).addTenant(new TenantId("acme"), now);
            admin = store.tokens().create("acme-admin", "acme-*", false, Optional.empty(), now, new TenantId("acme"),
                    Optional.of(Role.ADMIN)).plaintext();
            code = store.tokens().create("acme-code", "acme-*", false, Optional.empty(), now, new TenantId("acme"),
                    Optional.empty()).plaintext();
        }
        try (ShippedServe gw = ShippedServe.start(data)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = gw.baseUrl;

            int batch = SeedAdmin.MAX_SEEDS_PER_UPLOAD;
            int limit = SeedRepository.MAX_SEEDS_PER_TENANT;
            for (int from = 0; from < limit; from += batch) {
                HttpResponse<String> r = http.send(upload(base, admin, from, batch), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("upload from %d: %s", from, r.body()).isEqualTo(201);
            }
            HttpResponse<String> over = http.send(upload(base, admin, limit, 1), HttpResponse.BodyHandlers.ofString());
            assertThat(over.statusCode()).as(over.body()).isEqualTo(409);
            assertThat(JSON.readTree(over.body()).at("/error/code").asText()).isEqualTo("tenant_seed_limit");

            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<java.util.concurrent.Future<Integer>> all = new ArrayList<>();
                for (int a = 0; a < SEED_ADDRESSES + LABEL_ADDRESSES; a++) {
                    InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + a)});
                    String target = a < SEED_ADDRESSES ? "/api/v1/tenants/acme/seeds" : "/labels";
                    String bearer = a < SEED_ADDRESSES ? admin : code;
                    for (int i = 0; i < PER_ADDRESS; i++) {
                        all.add(pool.submit(() -> get(from, gw.port, target, bearer)));
                    }
                }
                for (var f : all) {
                    statuses.computeIfAbsent(f.get(90, TimeUnit.SECONDS), k -> new AtomicInteger()).incrementAndGet();
                }
            }
            assertThat(gw.process.isAlive()).as("the gateway is up; its output ends: %s", tail(gw.output)).isTrue();
            assertThat(statuses.keySet()).as("each list answered, or refused as busy: %s", statuses).isSubsetOf(200, 503);
            assertThat(statuses.get(200)).as("lists answered: %s", statuses).isNotNull();

            HttpResponse<String> totp = http.send(HttpRequest.newBuilder(URI.create(base + "/totp/acme/y7"))
                    .header("Authorization", "Bearer " + code).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(totp.statusCode()).as(totp.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(totp.body());
            assertThat(body.get("code").asText()).as("the code, as oathtool computes it")
                    .isEqualTo(Oathtool.totp(SEED, Instant.parse(body.get("timestamp").asText()).getEpochSecond()));
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(String.join("\n", gw.output)).doesNotContain("OutOfMemoryError");
        }
    }

    /** An upload of {@code n} copies of the seed, labelled {@code acme-y<from>} onwards. */
    private static HttpRequest upload(String base, String token, int from, int n) throws Exception {
        List<String> labels = new ArrayList<>();
        List<String> seeds = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            labels.add("acme-y" + i);
            seeds.add(SEED);
        }
        String body = JSON.writeValueAsString(Map.of("labels", labels, "text", String.join("\n", seeds)));
        return HttpRequest.newBuilder(URI.create(base + "/api/v1/tenants/acme/seeds")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /**
     * One GET over a socket bound to {@code from} (the JDK's client cannot choose its source address),
     * read to its end; the status, or 0 when the connection failed or was dropped without an answer.
     */
    private static int get(InetAddress from, int port, String target, String token) {
        try (Socket s = new Socket()) {
            s.setSoTimeout(60_000);
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            in.transferTo(OutputStream.nullOutputStream());
            String status = new String(head, StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String tail(List<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
    }
}
