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
import dev.mfagate.gateway.http.MetricsServer;
import dev.mfagate.gateway.http.NetworkOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024, network, new MetricsServer.Address("127.0.0.1", 0)))
                .clock(Clock.systemUTC()).start();
    }

    private static NetworkOptions limits(List<String> allow, int maxConnections, int perAddress, Duration headerTimeout) {
        return new NetworkOptions(allow, List.of(), null, null, false, Duration.ofSeconds(30), maxConnections, perAddress, headerTimeout);
    }

    /** The Prometheus text of the metrics listener (a server of its own, outside the guard). */
    private String scrape() throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.metricsPort().orElseThrow() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private String audit() throws Exception {
        StringWriter audit = new StringWriter();
        new AuditExporter(app.store().database()).export(Instant.EPOCH, Instant.now().plusSeconds(5), audit);
        return audit.toString();
    }

    /** A socket to the gateway from {@code local} (any address of 127.0.0.0/8 is this machine). */
    private Socket connectFrom(String local) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
        s.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
        return s;
    }

    /**
     * A socket from {@code local}, or null when the server reset it so fast that connecting already
     * saw the reset (on loopback the reset can overtake the end of the handshake).
     */
    private Socket connectOrResetFrom(String local) throws Exception {
        try {
            return connectFrom(local);
        } catch (java.net.SocketException reset) {
            assertThat(reset.getMessage()).contains("reset");
            return null;
        }
    }

    /**
     * Whether the server closed {@code s} within {@code limit} without an answer (end of stream or a
     * reset), while {@code s} keeps sending a header line every 100 ms like a slow client.
     */
    private static boolean closedWithoutAnswer(Socket s, Duration limit, boolean trickle) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        s.setSoTimeout(100);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        int line = 0;
        while (System.nanoTime() < deadline) {
            try {
                if (trickle) {
                    out.write(("X-Trickle-" + line++ + ": a\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                int b = in.read();
                if (b >= 0) {
                    return false;
                }
                return true;
            } catch (SocketTimeoutException stillOpen) {
                // Neither data nor a close yet: keep trickling.
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    /** One complete request on an open (kept-alive) connection; returns the status. */
    private static int requestOn(Socket s, String target) throws Exception {
        s.setSoTimeout(5_000);
        s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before an answer");
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        }
        return Integer.parseInt(head.substring(9, 12));
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
        // A client per request, closed after it: a kept-alive idle connection would hold up the gateway's graceful stop.
        HttpResponse<String> r;
        try (HttpClient client = HttpClient.newHttpClient()) {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
        if (r.statusCode() == 200) {
            SecretRegistry.codesIn(r.body());
        }
        return r;
    }

    @Test
    void allowCidr_peerOutside_refusedAtAcceptCountedNotAudited() throws Exception {
        start(network(List.of("10.0.0.0/8", "fd00::/8"), List.of()));
        try (Socket s = connectOrResetFrom("127.0.0.1")) {
            if (s != null) {
                s.getOutputStream().write("GET /totp/client/demo HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(closedWithoutAnswer(s, Duration.ofSeconds(5), false)).as("reset at accept, no HTTP answer").isTrue();
            }
        }
        assertThat(scrape()).contains("mfagate_connections_dropped_total{reason=\"address_not_allowed\"} 1.0");
        assertThat(audit()).as("refused connections are counted, not audited one by one").doesNotContain("address_not_allowed");
    }

    @Test
    void allowCidr_forwardedClientOutside_403AddressNotAllowedAndAudited() throws Exception {
        start(network(List.of("10.0.0.0/8"), List.of("127.0.0.1/32")));
        HttpResponse<String> r = get("/totp/client/demo", "X-Forwarded-For", "198.51.100.9");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("address_not_allowed");
        assertThat(audit()).contains("\"outcome\":\"DENIED\"").contains("address_not_allowed")
                .contains("\"remote_address\":\"198.51.100.9\"");
    }

    @Test
    void allowCidr_clientInside_served() throws Exception {
        start(network(List.of("127.0.0.0/8"), List.of()));
        assertThat(get("/totp/client/demo").statusCode()).isEqualTo(200);
    }

    @Test
    void forwardedFor_untrustedPeer_headerIgnored() throws Exception {
        start(network(List.of("203.0.113.0/24"), List.of()));
        assertThatThrownBy(() -> get("/totp/client/demo", "X-Forwarded-For", "203.0.113.7"))
                .as("the peer decides, and it is refused at accept").isInstanceOf(IOException.class);
    }

    @Test
    void forwardedFor_severalHeaderLines_joinedInOrderRightmostUntrustedHopDecides() throws Exception {
        start(network(List.of("203.0.113.0/24"), List.of("127.0.0.1/32")));
        // The client forges an allowed address on its own line; the proxy appends the real one on a second line.
        RawHttp.Response forged = RawHttp.get(app.port(), "/totp/client/demo", "Authorization: Bearer " + token,
                "X-Forwarded-For: 203.0.113.7", "X-Forwarded-For: 198.51.100.9");
        assertThat(forged.status()).isEqualTo(403);
        assertThat(JSON.readTree(forged.body()).at("/error/code").asText()).isEqualTo("address_not_allowed");
        // And the other way round: the allowed client is the last line the proxy wrote.
        RawHttp.Response allowed = RawHttp.get(app.port(), "/totp/client/demo", "Authorization: Bearer " + token,
                "X-Forwarded-For: 198.51.100.9", "X-Forwarded-For: 203.0.113.7");
        assertThat(allowed.status()).isEqualTo(200);
        SecretRegistry.codesIn(allowed.body());
        String audit = audit();
        assertThat(audit).contains("\"remote_address\":\"198.51.100.9\"").contains("\"remote_address\":\"203.0.113.7\"");
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

    static Stream<Arguments> forwardingLines() {
        return Stream.of(
                //            X-Forwarded-For lines, in order received                  client
                Arguments.of(List.of("203.0.113.7", "198.51.100.9"),                   "198.51.100.9"),
                Arguments.of(List.of("6.6.6.6, 203.0.113.7", "10.0.0.2"),              "203.0.113.7"),
                Arguments.of(List.of("203.0.113.7", "10.0.0.2", "10.0.0.3"),           "203.0.113.7"),
                Arguments.of(List.of("10.0.0.5", "not-an-address"),                    "127.0.0.1"),
                Arguments.of(List.of(),                                                "127.0.0.1"));
    }

    @ParameterizedTest
    @MethodSource("forwardingLines")
    void clientAddress_severalLines_readAsOneListRightToLeft(List<String> lines, String client) {
        ClientAddresses a = new ClientAddresses(network(List.of(), List.of("127.0.0.1", "10.0.0.0/8")));
        assertThat(a.client("127.0.0.1", lines)).isEqualTo(client);
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
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        makeCertificate(cert, key);
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
        HttpResponse<String> r;
        try (HttpClient client = HttpClient.newBuilder().sslContext(ctx).build()) {
            r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + app.port() + "/totp/client/demo"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();
    }

    @Test
    void tls_silentInTheHandshake_closedByRequestHeaderTimeout() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        makeCertificate(cert, key);
        start(new NetworkOptions(List.of(), List.of(), cert, key, false, Duration.ofSeconds(30), 2048, 64, Duration.ofSeconds(1)));
        try (Socket s = connectFrom("127.0.0.1")) {
            // Half a TLS record header, then nothing: the handshake never ends, the first request never comes.
            s.getOutputStream().write(new byte[] {0x16, 0x03});
            s.setSoTimeout(8_000);
            byte[] got;
            try {
                got = s.getInputStream().readAllBytes();
            } catch (SocketTimeoutException stillOpen) {
                throw new AssertionError("still open 8 s later, held by the 30 s idle timeout");
            } catch (IOException reset) {
                got = new byte[0];
            }
            // Closed, at most with a TLS alert record (content type 21) on the way out; never an HTTP answer.
            assertThat(got.length == 0 || got[0] == 0x15).as("closed with nothing or a TLS alert").isTrue();
        }
    }

    /** A self-signed P-256 certificate for 127.0.0.1, made with openssl (needed under CI, skipped without it elsewhere). */
    private static void makeCertificate(Path cert, Path key) throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean haveOpenssl = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if (ci) {
            assertThat(haveOpenssl).as("openssl is needed to make the test certificate").isTrue();
        }
        assumeTrue(haveOpenssl, "openssl not installed; TLS test skipped on this developer machine");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a certificate").isTrue();
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

    @Test
    void slowClients_outsideAllowList_refusedAtAcceptWhileAllowedClientServed() throws Exception {
        // The attack, scaled down: a hundred connection slots, two hundred trickling sockets from an address outside the list.
        start(limits(List.of("127.0.0.1/32"), 100, 64, Duration.ofSeconds(10)));
        List<Socket> attackers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = connectOrResetFrom("127.0.0.2");
                if (s == null) {
                    continue;
                }
                attackers.add(s);
                try {
                    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException alreadyReset) {
                    // Refused before the first line went out: that is the point.
                }
            }
            HttpResponse<String> health;
            try (HttpClient client = HttpClient.newHttpClient()) {
                health = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            assertThat(health.statusCode()).as("an allowed client is served during the attack").isEqualTo(200);
            for (Socket s : attackers) {
                assertThat(closedWithoutAnswer(s, Duration.ofSeconds(5), true)).as("every disallowed socket is closed").isTrue();
            }
        } finally {
            for (Socket s : attackers) {
                s.close();
            }
        }
        assertThat(scrape()).contains("mfagate_connections_dropped_total{reason=\"address_not_allowed\"} 200.0");
    }

    @Test
    void slowClient_tricklingHeaderLines_closedByRequestHeaderTimeoutNotHeldByIdleTimeout() throws Exception {
        // Idle timeout 30 s, which every trickled line restarts; the header timeout does not move.
        start(limits(List.of(), 2048, 64, Duration.ofSeconds(1)));
        try (Socket s = connectFrom("127.0.0.1")) {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(closedWithoutAnswer(s, Duration.ofSeconds(8), true)).as("closed about 1 s after its first byte").isTrue();
        }
        assertThat(scrape()).contains("mfagate_connections_dropped_total{reason=\"request_header_timeout\"} 1.0");
        // A durable entry after the close: anything queued for the slow connection would be committed before it.
        assertThat(get("/totp/client/demo").statusCode()).isEqualTo(200);
        assertThat(audit()).as("a slow connection is counted, not audited").doesNotContain("refused by the HTTP parser")
                .contains("code_issued");
    }

    @Test
    void keptAliveConnection_silentBetweenRequestsKeptTricklingNextRequestClosed() throws Exception {
        start(limits(List.of(), 2048, 64, Duration.ofSeconds(1)));
        try (Socket s = connectFrom("127.0.0.1")) {
            assertThat(requestOn(s, "/healthz")).isEqualTo(200);
            // Silent for longer than the header timeout: that is the idle timeout's business, the connection stays usable.
            Thread.sleep(1_600);
            assertThat(requestOn(s, "/healthz")).isEqualTo(200);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(closedWithoutAnswer(s, Duration.ofSeconds(8), true)).as("the third request trickles, and is cut").isTrue();
        }
    }

    @Test
    void perAddressCap_oneConnectionOverTheCap_refusedOthersUnaffected() throws Exception {
        start(limits(List.of(), 2048, 4, Duration.ofSeconds(10)));
        List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(connectFrom("127.0.0.1"));
            }
            try (Socket fifth = connectOrResetFrom("127.0.0.1")) {
                assertThat(fifth == null || closedWithoutAnswer(fifth, Duration.ofSeconds(5), false))
                        .as("the fifth from one address").isTrue();
            }
            try (Socket other = connectFrom("127.0.0.3")) {
                assertThat(requestOn(other, "/healthz")).as("another address is not affected").isEqualTo(200);
            }
            assertThat(requestOn(held.get(0), "/healthz")).as("the four held ones still work").isEqualTo(200);
            held.remove(3).close();
            assertThat(servedFromWithin("127.0.0.1", Duration.ofSeconds(5))).as("a slot freed by a close is usable again").isTrue();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertThat(scrape()).contains("mfagate_connections_dropped_total{reason=\"address_connection_limit\"}");
    }

    /** Whether a new connection from {@code local} is served before {@code limit}; the server learns of closes asynchronously. */
    private boolean servedFromWithin(String local, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = connectFrom(local)) {
                if (requestOn(s, "/healthz") == 200) {
                    return true;
                }
            } catch (IOException refused) {
                Thread.sleep(50);
            }
        }
        return false;
    }
}
