package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.http.ClientAddresses;
import dev.mfagate.gateway.http.NetworkOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Address allow-list, trusted proxies, TLS from PEM, loopback-only plain HTTP and slow clients. */
class NetworkGuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private GatewayApp app;
    private String token;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private void start(NetworkOptions network) {
        Store store = Store.init(dir.resolve("data"));
        try {
            store.seeds().add(Label.parse("client-demo"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), Instant.now());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        token = store.tokens().create("t", "*", false, Optional.empty(), Instant.now()).plaintext();
        app = GatewayApp.start(store, Map.of(),
                new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024, network), Clock.systemUTC());
    }

    private static NetworkOptions network(List<String> allow, List<String> proxies) {
        return new NetworkOptions(allow, proxies, null, null, false, Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + token);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void allowCidr_clientOutside_403AddressNotAllowedAndAudited() throws Exception {
        start(network(List.of("10.0.0.0/8", "fd00::/8"), List.of()));
        HttpResponse<String> r = get("/totp/client/demo");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("address_not_allowed");
        StringWriter audit = new StringWriter();
        new AuditExporter(app.store().database()).export(Instant.EPOCH, Instant.now().plusSeconds(5), audit);
        assertThat(audit.toString()).contains("\"outcome\":\"DENIED\"").contains("address_not_allowed")
                .contains("\"remote_address\":\"127.0.0.1\"");
    }

    @Test
    void allowCidr_clientInside_served() throws Exception {
        start(network(List.of("127.0.0.0/8"), List.of()));
        assertThat(get("/totp/client/demo").statusCode()).isEqualTo(200);
    }

    @Test
    void forwardedFor_untrustedPeer_headerIgnored() throws Exception {
        start(network(List.of("203.0.113.0/24"), List.of()));
        assertThat(get("/totp/client/demo", "X-Forwarded-For", "203.0.113.7").statusCode()).isEqualTo(403);
    }

    @Test
    void forwardedFor_trustedProxy_clientFromHeaderDecides() throws Exception {
        start(network(List.of("203.0.113.0/24"), List.of("127.0.0.1/32")));
        assertThat(get("/totp/client/demo", "X-Forwarded-For", "203.0.113.7").statusCode()).isEqualTo(200);
        assertThat(get("/totp/client/demo", "X-Forwarded-For", "198.51.100.9").statusCode()).isEqualTo(403);
    }

    static Stream<Arguments> forwarding() {
        return Stream.of(
                //            peer           X-Forwarded-For                          trusted proxies                client
                Arguments.of("127.0.0.1",   null,                                     List.of("127.0.0.1"),          "127.0.0.1"),
                Arguments.of("127.0.0.1",   "203.0.113.7",                            List.of(),                      "127.0.0.1"),
                Arguments.of("127.0.0.1",   "203.0.113.7",                            List.of("127.0.0.1"),          "203.0.113.7"),
                Arguments.of("127.0.0.1",   "6.6.6.6, 203.0.113.7, 10.0.0.2",         List.of("127.0.0.1", "10.0.0.0/8"), "203.0.113.7"),
                Arguments.of("10.0.0.2",    "2001:db8::5",                            List.of("10.0.0.0/8"),         "2001:db8::5"),
                Arguments.of("10.0.0.2",    "not-an-address",                         List.of("10.0.0.0/8"),         "10.0.0.2"),
                Arguments.of("192.0.2.1",   "203.0.113.7",                            List.of("10.0.0.0/8"),         "192.0.2.1"));
    }

    @ParameterizedTest
    @MethodSource("forwarding")
    void clientAddress_forwardingTable_rightmostUntrustedHop(String peer, String xff, List<String> proxies, String client) {
        ClientAddresses a = new ClientAddresses(network(List.of(), proxies));
        assertThat(a.client(peer, xff)).isEqualTo(client);
    }

    @Test
    void allowCidr_ipv6_matchesPrefix() {
        ClientAddresses a = new ClientAddresses(network(List.of("2001:db8::/32", "::1"), List.of()));
        assertThat(a.isAllowed("2001:db8:0:1::5")).isTrue();
        assertThat(a.isAllowed("::1")).isTrue();
        assertThat(a.isAllowed("2001:db9::1")).isFalse();
        assertThat(a.isAllowed("127.0.0.1")).isFalse();
    }

    @Test
    void allowCidr_malformed_rejectedNamingTheFlag() {
        assertThatThrownBy(() -> network(List.of("10.0.0.0/8x"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--allow-cidr");
    }

    @Test
    void plainHttp_nonLoopbackWithoutFlag_refused() {
        assertThatThrownBy(() -> new GatewayServer.Settings("0.0.0.0", 0, Duration.ofSeconds(5), false, 1024, NetworkOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert").hasMessageContaining("--allow-plain-http");
        new GatewayServer.Settings("0.0.0.0", 0, Duration.ofSeconds(5), false, 1024,
                new NetworkOptions(List.of(), List.of(), null, null, true, Duration.ofSeconds(30)));
    }

    @Test
    void tls_pemCertificateAndKey_servesHttps() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean haveOpenssl = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if (ci) {
            assertThat(haveOpenssl).as("openssl is needed to make the test certificate").isTrue();
        }
        assumeTrue(haveOpenssl, "openssl not installed; TLS test skipped on this developer machine");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a certificate").isTrue();
        start(new NetworkOptions(List.of(), List.of(), cert, key, false, Duration.ofSeconds(30)));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("gw", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpResponse<String> r = HttpClient.newBuilder().sslContext(ctx).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + app.port() + "/totp/client/demo"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();
    }

    @Test
    void slowClient_partialRequest_connectionClosedAfterIdleTimeout() throws Exception {
        start(new NetworkOptions(List.of(), List.of(), null, null, false, Duration.ofMillis(500)));
        try (Socket s = new Socket("127.0.0.1", app.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /totp/client/demo HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            byte[] rest = in.readAllBytes();
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMs).as("closed by the idle timeout, not held open").isLessThan(8_000);
            assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotContain("\"code\":\"");
        }
    }
}
