package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method on every API route goes through the guard and the audit: without a token 401, with
 * one 405 for any method but GET, each with its audit entry; nothing answers 200 unauthenticated.
 * Sent over a raw socket, so that methods an HTTP client library refuses or rewrites (TRACE, HEAD
 * without a body) arrive exactly as sent.
 */
class GatewayMethodsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");

    @TempDir
    static Path dir;
    private static GatewayFixture gw;

    @BeforeAll
    static void start() {
        gw = new GatewayFixture(dir, "GatewayMethodsTest");
        gw.seed("acme-aws");
        gw.token("plain", "acme-*", false);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static Stream<Arguments> routesAndMethods() {
        //                      path                     route template
        List<List<String>> routes = List.of(
                List.of("/totp/acme/aws",        "/totp/{client}/{service}"),
                List.of("/code?label=acme-aws",  "/code"),
                List.of("/labels",               "/labels"));
        return routes.stream().flatMap(r -> METHODS.stream().map(m -> Arguments.of(m, r.get(0), r.get(1))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routesAndMethods")
    void anyMethod_noToken_401AndAudited(String method, String path, String route) throws Exception {
        RawHttp.Response r = RawHttp.request(gw.port(), method, path);

        assertThat(r.status()).as("%s %s without a token", method, path).isEqualTo(401);
        assertErrorBody(method, r, "unauthenticated");
        AuditEvent e = onlyEntryOf(r);
        assertThat(e.outcome().name()).isEqualTo("UNAUTHENTICATED");
        assertThat(e.route()).isEqualTo(route);
        assertThat(e.tokenId()).isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("routesAndMethods")
    void anyMethodButGet_validToken_405AndAudited(String method, String path, String route) throws Exception {
        RawHttp.Response r = RawHttp.request(gw.port(), method, path, "Authorization: Bearer " + gw.tokenOf("plain"));

        if (method.equals("GET")) {
            assertThat(r.status()).isEqualTo(200);
            SecretRegistry.codesIn(r.body());
            assertThat(onlyEntryOf(r).outcome().name()).isEqualTo("ALLOWED");
            return;
        }
        assertThat(r.status()).as("%s %s with a token", method, path).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("GET");
        assertErrorBody(method, r, "method_not_allowed");
        AuditEvent e = onlyEntryOf(r);
        assertThat(e.outcome().name()).isEqualTo("MALFORMED");
        assertThat(e.reason()).isEqualTo("method_not_allowed");
        assertThat(e.route()).isEqualTo(route);
        assertThat(e.tokenId()).isEqualTo(gw.tokenId("plain"));
        assertThat(e.label()).as("no label is parsed for a method that does not apply").isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownMethods")
    void methodOutsideTheRegistry_apiRoute_405AndAudited(String method) throws Exception {
        // Any token is a valid method name; no route is registered for it, so the guard refuses it on every path.
        RawHttp.Response r = RawHttp.request(gw.port(), method, "/totp/acme/aws");

        assertThat(r.status()).isEqualTo(405);
        assertErrorBody(method, r, "method_not_allowed");
        AuditEvent e = onlyEntryOf(r);
        assertThat(e.outcome().name()).isEqualTo("MALFORMED");
        assertThat(e.reason()).isEqualTo("method_not_allowed");
    }

    static Stream<String> unknownMethods() {
        return Stream.of("FOO", "PROPFIND", "get");
    }

    private static void assertErrorBody(String method, RawHttp.Response r, String code) throws Exception {
        if (method.equals("HEAD")) {
            assertThat(r.body()).as("a HEAD answer has no body").isEmpty();
            return;
        }
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.at("/error/code").asText()).isEqualTo(code);
        assertThat(body.has("code")).isFalse();
    }

    private static AuditEvent onlyEntryOf(RawHttp.Response r) {
        String requestId = r.header(OnBehalfOf.REQUEST_ID);
        assertThat(requestId).as("X-Request-Id on every answer").isNotNull();
        List<AuditEntry> entries = gw.auditOf(requestId);
        assertThat(entries).as("exactly one audit entry for request %s", requestId).hasSize(1);
        return entries.get(0).event();
    }
}
