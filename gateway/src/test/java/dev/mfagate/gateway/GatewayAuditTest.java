package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.RateLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One audit entry per request, whatever became of it (allowed, denied, rate-limited, malformed,
 * unauthenticated, failed), with the fields an investigator needs: time, the request id the caller
 * saw in {@code X-Request-Id}, route, token id, the on-behalf Zulip user and email, label, outcome,
 * reason and remote address. Read back with {@code AuditExporter}, as {@code audit export} does.
 */
class GatewayAuditTest {

    /** The on-behalf users of the table, with the email the bot reports for them. */
    private static final Map<Long, String> EMAILS = Map.of(42L, "ann@example.com", 99L, "mallory@example.com");
    private static final String UNKNOWN_TOKEN = "mfg_aaaaaaaaaaaaaaaa_" + "A".repeat(43);
    private static final String CALLER_REQUEST_ID = "bot-req.0001-abcdef";

    @TempDir
    static Path dir;
    private static GatewayFixture gw;

    @BeforeAll
    static void start() {
        gw = new GatewayFixture(dir, "GatewayAuditTest");
        gw.seed("acme-aws").seed("acme-git").seed("beta-vpn");
        gw.grant("ann", "user:42", "acme-*", null, null);
        // A seed row moved to another label no longer opens (its ciphertext is bound to its label): the request fails.
        gw.store.database().jdbi().useHandle(h -> h.execute("""
                INSERT INTO seeds (label, version, algorithm, digits, period_seconds, issuer, account_name, kek_id,
                                   wrapped_key, ciphertext, created_at_ms)
                SELECT 'acme-moved', version, algorithm, digits, period_seconds, issuer, account_name, kek_id,
                       wrapped_key, ciphertext, created_at_ms FROM seeds WHERE label = 'acme-aws'"""));
        rows().forEach(a -> {
            String token = (String) a.get()[1];
            String name = (String) a.get()[0];
            if (token.equals("plain")) {
                gw.token(name, "acme-*", false);
            } else if (token.equals("bot")) {
                gw.token(name, "*", true);
            }
        });
        RateLimit three = RateLimit.perPeriod(3, Duration.ofHours(1));
        gw.start(GatewayFixture.options(three, GatewayFixture.GENEROUS, GatewayFixture.GENEROUS,
                new LockoutPolicy(1_000_000, Duration.ofMinutes(10), Duration.ofMinutes(15))));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static String[] h(String... headers) {
        return headers;
    }

    private static final String[] NONE = {};
    private static final String[] ANN = GatewayFixture.onBehalf(42, EMAILS.get(42L), null, null);
    private static final String[] MALLORY = GatewayFixture.onBehalf(99, EMAILS.get(99L), null, null);

    static Stream<Arguments> rows() {
        return Stream.of(
                //            request                  token      path                          headers                                   times  status  outcome            reason                              route                        label        rule id
                Arguments.of("allowed-totp",           "plain",   "/totp/acme/aws",             NONE,                                     1,     200,    "ALLOWED",         "code_issued",                      "/totp/{client}/{service}",  "acme-aws",  "token-scope"),
                Arguments.of("allowed-on-behalf",      "bot",     "/code?label=acme-aws",       ANN,                                      1,     200,    "ALLOWED",         "code_issued",                      "/code",                     "acme-aws",  "rule:ann"),
                Arguments.of("allowed-labels",         "bot",     "/labels",                    ANN,                                      1,     200,    "ALLOWED",         "list_labels",                      "/labels",                   null,        null),
                Arguments.of("caller-request-id",      "plain",   "/code?label=acme-git",       h(OnBehalfOf.REQUEST_ID, CALLER_REQUEST_ID), 1,  200,    "ALLOWED",         "code_issued",                      "/code",                     "acme-git",  "token-scope"),
                Arguments.of("denied-scope",           "plain",   "/code?label=beta-vpn",       NONE,                                     1,     403,    "DENIED",          "outside_token_scope",              "/code",                     "beta-vpn",  null),
                Arguments.of("denied-no-rule",         "bot",     "/totp/acme/aws",             MALLORY,                                  1,     403,    "DENIED",          "no_matching_rule",                 "/totp/{client}/{service}",  "acme-aws",  null),
                Arguments.of("denied-not-delegate",    "plain",   "/code?label=acme-aws",       ANN,                                      1,     403,    "DENIED",          "on_behalf_not_permitted",          "/code",                     "acme-aws",  null),
                Arguments.of("denied-unknown-label",   "plain",   "/code?label=acme-nope",      NONE,                                     1,     404,    "DENIED",          "unknown_label",                    "/code",                     "acme-nope", "token-scope"),
                Arguments.of("rate-limited",           "plain",   "/totp/acme/git",             NONE,                                     4,     429,    "RATE_LIMITED",    "rate_limited_principal_and_label", "/totp/{client}/{service}",  "acme-git",  null),
                Arguments.of("malformed-label",        "plain",   "/code?label=acme_aws",       NONE,                                     1,     400,    "MALFORMED",       "invalid_label",                    "/code",                     null,        null),
                Arguments.of("malformed-path-label",   "plain",   "/totp/acme/a$ws",            NONE,                                     1,     400,    "MALFORMED",       "invalid_label",                    "/totp/{client}/{service}",  null,        null),
                Arguments.of("malformed-on-behalf",    "bot",     "/code?label=acme-aws",       h(OnBehalfOf.USER_ID, "ann"),             1,     400,    "MALFORMED",       "invalid_on_behalf",                "/code",                     null,        null),
                Arguments.of("malformed-route",        "plain",   "/nowhere",                   NONE,                                     1,     404,    "MALFORMED",       "not_found",                        "/nowhere",                  null,        null),
                Arguments.of("no-token",               "none",    "/totp/acme/aws",             NONE,                                     1,     401,    "UNAUTHENTICATED", "unauthenticated",                  "/totp/{client}/{service}",  null,        null),
                Arguments.of("unknown-token",          "unknown", "/code?label=acme-aws",       NONE,                                     1,     401,    "UNAUTHENTICATED", "unauthenticated",                  "/code",                     null,        null),
                Arguments.of("failed",                 "plain",   "/code?label=acme-moved",     NONE,                                     1,     500,    "FAILED",          "seed_unreadable",                  "/code",                     "acme-moved", "token-scope"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void request_anyOutcome_exactlyOneAuditEntryWithEveryField(String request, String tokenKind, String path, String[] headers,
                                                               int times, int status, String outcome, String reason,
                                                               String route, String label, String ruleId) throws Exception {
        String token = switch (tokenKind) {
            case "none" -> null;
            case "unknown" -> UNKNOWN_TOKEN;
            default -> gw.tokenOf(request);
        };
        GatewayFixture.Response r = null;
        for (int i = 0; i < times; i++) {
            r = gw.get(path, token, headers);
        }
        assertThat(r.status()).as("status (error %s)", r.errorCode()).isEqualTo(status);
        if (status != 200) {
            assertThat(r.json().has("code")).as("a refusal or failure carries no code").isFalse();
        }
        if (request.equals("caller-request-id")) {
            assertThat(r.requestId()).as("a safe caller request id is kept, so bot and gateway logs line up").isEqualTo(CALLER_REQUEST_ID);
        }

        List<AuditEntry> entries = gw.auditOf(r.requestId());
        if (request.equals("failed")) {
            // The seed is decrypted only after the ALLOWED entry is committed; when it then does not
            // open, a second entry says that no code left after all.
            assertThat(entries).as("the committed ALLOWED entry, then the FAILED one").hasSize(2);
            assertThat(entries.get(0).event().outcome().name()).isEqualTo("ALLOWED");
            assertThat(entries.get(0).event().reason()).isEqualTo("code_issued");
            entries = entries.subList(1, 2);
        }
        assertThat(entries).as("exactly one audit entry for the request id sent back in X-Request-Id").hasSize(1);
        AuditEvent e = entries.get(0).event();
        assertThat(e.time()).as("the time the request was decided (fixed clock)").isEqualTo(GatewayFixture.NOW);
        assertThat(e.outcome().name()).isEqualTo(outcome);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.route()).isEqualTo(route);
        assertThat(e.label()).isEqualTo(label);
        assertThat(e.ruleId()).isEqualTo(ruleId);
        // Only a known token is recorded; a route that does not exist authenticates nothing, so records none.
        boolean authenticated = tokenKind.equals("plain") || tokenKind.equals("bot");
        assertThat(e.tokenId()).as("token id").isEqualTo(authenticated && !route.equals("/nowhere") ? gw.tokenId(request) : null);
        Long user = headers == ANN ? Long.valueOf(42) : headers == MALLORY ? Long.valueOf(99) : null;
        assertThat(e.zulipUserId()).as("on-behalf user").isEqualTo(user);
        assertThat(e.zulipEmail()).as("on-behalf email").isEqualTo(user == null ? null : EMAILS.get(user));
        assertThat(e.remoteAddress()).isEqualTo("127.0.0.1");
        assertThat(e.instanceId()).isEqualTo("test");
    }
}
