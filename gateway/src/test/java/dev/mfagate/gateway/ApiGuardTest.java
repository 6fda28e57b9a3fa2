package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.gateway.http.ApiException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ApiGuard}: how it reads the bearer token, and, over HTTP, that it runs before the label is
 * read, so bad on-behalf values are refused as such whatever else the request gets wrong.
 */
class ApiGuardTest {

    private static final Subject.Token KNOWN = new Subject.Token("known", LabelPattern.ALL, false);
    private static final ApiGuard GUARD = new ApiGuard((token, now) -> token.equals("s3cret") ? Optional.of(KNOWN) : Optional.empty(),
            Clock.fixed(Instant.parse("2025-09-02T22:29:39Z"), ZoneOffset.UTC), false);

    @TempDir
    static Path dir;
    private static GatewayFixture gw;

    @BeforeAll
    static void start() {
        gw = new GatewayFixture(dir, "ApiGuardTest");
        gw.seed("acme-aws");
        gw.token("bot", "acme-*", true);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void authenticate_knownBearerToken_itsToken() {
        assertThat(GUARD.authenticate("Bearer s3cret")).isEqualTo(KNOWN);
        assertThat(GUARD.authenticate("bearer   s3cret ")).as("scheme case-insensitive, token stripped").isEqualTo(KNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s3cret", "Basic s3cret", "Bearer", "Bearer other", "Bearer s3cretX"})
    void authenticate_anythingElse_unauthenticated(String header) {
        assertThatThrownBy(() -> GUARD.authenticate(header))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.refusal().reason()).isEqualTo(RefusalReason.UNAUTHENTICATED);
                    assertThat(e.getMessage()).doesNotContain("s3cret");
                });
    }

    @Test
    void authenticate_noHeaderOrOverlong_unauthenticatedWithoutAskingTheStore() {
        ApiGuard guard = new ApiGuard((token, now) -> {
            throw new AssertionError("the store is not asked");
        }, Clock.systemUTC(), false);
        assertThatThrownBy(() -> guard.authenticate(null)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> guard.authenticate("Bearer " + "x".repeat(600))).isInstanceOf(ApiException.class);
    }

    @Test
    void authenticate_demoMode_theDemoTokenWithoutAHeader() {
        ApiGuard demo = new ApiGuard((token, now) -> Optional.empty(), Clock.systemUTC(), true);
        assertThat(demo.authenticate(null)).isEqualTo(ApiGuard.DEMO_TOKEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/code?label=acme_aws", "/code?label=nobody-knows", "/totp/acme/a$ws", "/code"})
    void request_badOnBehalfAndBadOrMissingLabel_invalidOnBehalfBeforeTheLabelIsRead(String path) throws Exception {
        GatewayFixture.Response r = gw.get(path, gw.tokenOf("bot"), OnBehalfOf.USER_ID, "0", OnBehalfOf.GROUPS, "0");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_on_behalf");
        assertThat(r.body()).doesNotContain("acme_aws").doesNotContain("nobody");
        List<AuditEntry> entries = gw.auditOf(r.requestId());
        assertThat(entries).singleElement().satisfies(e -> {
            AuditEvent ev = e.event();
            assertThat(ev.reason()).isEqualTo("invalid_on_behalf");
            assertThat(ev.label()).as("the label was never read").isNull();
            assertThat(ev.tokenId()).isEqualTo(gw.tokenId("bot"));
        });
    }

    @Test
    void request_badOnBehalfWithoutToken_unauthenticatedFirst() throws Exception {
        GatewayFixture.Response r = gw.get("/code?label=acme-aws", null, OnBehalfOf.USER_ID, "0");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthenticated");
    }

    @Test
    void request_validOnBehalf_reachesThePolicy() throws Exception {
        GatewayFixture.Response r = gw.get("/code?label=acme-aws", gw.tokenOf("bot"), GatewayFixture.onBehalf(42, null, null, null));

        assertThat(r.status()).as("no rule grants user 42: the guard let it through to the policy").isEqualTo(403);
        assertThat(gw.auditOf(r.requestId())).singleElement()
                .satisfies(e -> assertThat(e.event().reason()).isEqualTo("no_matching_rule"));
    }
}
