package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.RateLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rate limits, daily caps and lockout over the real HTTP server, with a fixed clock (so no bucket
 * refills while a test runs): 429 with {@code Retry-After} and a stable error code, and the audit
 * trail says which limit refused and when a lockout started.
 */
class GatewayRateLimitTest {

    private static final RateLimit GENEROUS = GatewayFixture.GENEROUS;
    private static final LockoutPolicy NO_LOCKOUT = new LockoutPolicy(1_000_000, Duration.ofMinutes(10), Duration.ofMinutes(15));

    @TempDir
    Path dir;
    private GatewayFixture gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    /** A bot token (on behalf, scope *) and a plain token (scope acme-*); users 42 and 43 may get acme-*. */
    private String[] start(String name, GatewayApp.Options options) {
        gw = new GatewayFixture(dir, "GatewayRateLimitTest-" + name);
        gw.seed("acme-aws").seed("acme-git").seed("beta-vpn");
        String bot = gw.token("bot", "*", true);
        String plain = gw.token("plain", "acme-*", false);
        gw.grant("user-42", "user:42", "acme-*", null, null);
        gw.grant("user-43", "user:43", "acme-*", null, null);
        gw.start(options);
        return new String[] {bot, plain};
    }

    /** One request of a plan: which user (0: the plain token itself) asks for which label. */
    record Ask(long user, String label) {
        static Ask of(long user, String label) {
            return new Ask(user, label);
        }
    }

    static Stream<Arguments> limits() {
        // Two a minute, refilled one at a time: the third request waits 30 s for the next token.
        RateLimit two = RateLimit.perPeriod(2, Duration.ofMinutes(1));
        return Stream.of(
                //            limit hit              per principal+label  per principal  per token  requests (the last is refused)                                               Retry-After
                Arguments.of("principal_and_label",  two,                 GENEROUS,      GENEROUS,  List.of(Ask.of(42, "acme-aws"), Ask.of(42, "acme-aws"), Ask.of(42, "acme-aws")),  30),
                Arguments.of("principal",            GENEROUS,            two,           GENEROUS,  List.of(Ask.of(42, "acme-aws"), Ask.of(42, "acme-git"), Ask.of(42, "acme-aws")),  30),
                Arguments.of("token",                GENEROUS,            GENEROUS,      two,       List.of(Ask.of(42, "acme-aws"), Ask.of(43, "acme-aws"), Ask.of(43, "acme-git")),  30),
                Arguments.of("principal_and_label",  two,                 GENEROUS,      GENEROUS,  List.of(Ask.of(0, "acme-aws"),  Ask.of(0, "acme-aws"),  Ask.of(0, "acme-aws")),   30));
    }

    @ParameterizedTest(name = "[{index}] per {0}")
    @MethodSource("limits")
    void code_overALimit_429RateLimitedWithRetryAfterAndAudited(String scope, RateLimit perLabel, RateLimit perPrincipal,
                                                                 RateLimit perToken, List<Ask> asks, int retryAfterSeconds) throws Exception {
        String[] tokens = start(scope, GatewayFixture.options(perLabel, perPrincipal, perToken, NO_LOCKOUT));
        GatewayFixture.Response last = null;
        for (int i = 0; i < asks.size(); i++) {
            Ask a = asks.get(i);
            last = a.user() == 0
                    ? gw.get("/code?label=" + a.label(), tokens[1])
                    : gw.get("/code?label=" + a.label(), tokens[0], GatewayFixture.onBehalf(a.user(), null, null, null));
            if (i < asks.size() - 1) {
                assertThat(last.status()).as("request %d of %d is within the limit", i + 1, asks.size()).isEqualTo(200);
            }
        }
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.errorCode()).isEqualTo("rate_limited");
        assertThat(last.header("Retry-After")).as("Retry-After: whole seconds until the bucket refills")
                .hasValue(Integer.toString(retryAfterSeconds));
        assertThat(last.json().has("code")).as("a refusal carries no code").isFalse();
        List<AuditEntry> entries = gw.auditOf(last.requestId());
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).event().outcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(entries.get(0).event().reason()).isEqualTo("rate_limited_" + scope);
    }

    @Test
    void code_overPerLabelLimit_otherLabelsAndOtherUsersStillServed() throws Exception {
        String[] tokens = start("isolation", GatewayFixture.options(RateLimit.perPeriod(1, Duration.ofMinutes(1)), GENEROUS,
                GENEROUS, NO_LOCKOUT));
        assertThat(gw.get("/code?label=acme-aws", tokens[0], GatewayFixture.onBehalf(42, null, null, null)).status()).isEqualTo(200);
        assertThat(gw.get("/code?label=acme-aws", tokens[0], GatewayFixture.onBehalf(42, null, null, null)).status()).isEqualTo(429);
        assertThat(gw.get("/code?label=acme-git", tokens[0], GatewayFixture.onBehalf(42, null, null, null)).status())
                .as("the limit is per principal and label").isEqualTo(200);
        assertThat(gw.get("/code?label=acme-aws", tokens[0], GatewayFixture.onBehalf(43, null, null, null)).status())
                .as("another user through the same token has its own bucket").isEqualTo(200);
    }

    @Test
    void code_dailyCapUsedUp_429DailyCapReachedWithCapAndRetryAfterMidnightUtc() throws Exception {
        gw = new GatewayFixture(dir, "GatewayRateLimitTest-daily-cap");
        gw.seed("acme-aws");
        String bot = gw.token("bot", "*", true);
        gw.grant("capped", "user:42", "acme-*", null, 1);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
        String[] ann = GatewayFixture.onBehalf(42, null, null, null);
        assertThat(gw.get("/code?label=acme-aws", bot, ann).status()).isEqualTo(200);
        GatewayFixture.Response r = gw.get("/code?label=acme-aws", bot, ann);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.errorCode()).as("a daily cap is not a passing rate limit").isEqualTo("daily_cap_reached");
        assertThat(r.body()).as("the day's allowance, for the caller's sentence").contains("\"daily_cap\":1");
        // 22:29:39 UTC: the cap resets at 00:00 UTC, 1 h 30 min 21 s later.
        assertThat(r.header("Retry-After")).hasValue(Integer.toString(90 * 60 + 21));
        assertThat(gw.auditOf(r.requestId())).singleElement().satisfies(e -> {
            assertThat(e.event().outcome()).isEqualTo(Outcome.RATE_LIMITED);
            assertThat(e.event().reason()).isEqualTo("daily_cap_reached");
        });
    }

    @Test
    void code_repeatedDenials_lockedOut429WithRetryAfterAndLockoutAudited() throws Exception {
        String[] tokens = start("lockout", GatewayFixture.options(GENEROUS, GENEROUS, GENEROUS,
                new LockoutPolicy(3, Duration.ofMinutes(10), Duration.ofMinutes(15))));
        String plain = tokens[1];
        GatewayFixture.Response third = null;
        for (int i = 1; i <= 3; i++) {
            GatewayFixture.Response denied = gw.get("/code?label=beta-vpn", plain);
            assertThat(denied.status()).as("denial %d is an ordinary refusal", i).isEqualTo(403);
            assertThat(denied.errorCode()).isEqualTo("forbidden");
            third = denied;
        }
        List<AuditEntry> started = gw.auditOf(third.requestId());
        assertThat(started).extracting(e -> e.event().outcome()).as("the third denial is recorded, then the lockout it starts")
                .containsExactlyInAnyOrder(Outcome.DENIED, Outcome.LOCKED_OUT);
        AuditEntry lockout = started.stream().filter(e -> e.event().outcome() == Outcome.LOCKED_OUT).findFirst().orElseThrow();
        assertThat(lockout.event().reason()).isEqualTo("lockout_started");
        assertThat(lockout.event().tokenId()).isEqualTo(gw.tokenId("plain"));
        assertThat(lockout.event().detail()).contains("token:" + gw.tokenId("plain")).contains("2025-09-02T22:44:39Z");

        GatewayFixture.Response locked = gw.get("/code?label=acme-aws", plain);
        assertThat(locked.status()).as("even a label the token may get is refused while locked out").isEqualTo(429);
        assertThat(locked.errorCode()).isEqualTo("locked_out");
        assertThat(locked.header("Retry-After")).as("the whole 15 min lockout is left at the fixed instant").hasValue("900");
        assertThat(locked.json().has("code")).isFalse();
        assertThat(gw.auditOf(locked.requestId())).singleElement().satisfies(e -> {
            assertThat(e.event().outcome()).isEqualTo(Outcome.LOCKED_OUT);
            assertThat(e.event().reason()).isEqualTo("locked_out");
        });

        assertThat(gw.get("/code?label=acme-aws", tokens[0], GatewayFixture.onBehalf(42, null, null, null)).status())
                .as("a lockout is per principal: a user asking through another token is unaffected").isEqualTo(200);
    }

    @Test
    void code_onBehalfDenials_lockOutThatUserOnly() throws Exception {
        String[] tokens = start("lockout-user", GatewayFixture.options(GENEROUS, GENEROUS, GENEROUS,
                new LockoutPolicy(2, Duration.ofMinutes(10), Duration.ofMinutes(15))));
        String bot = tokens[0];
        String[] user99 = GatewayFixture.onBehalf(99, "mallory@example.com", null, null);
        assertThat(gw.get("/code?label=acme-aws", bot, user99).status()).isEqualTo(403);
        GatewayFixture.Response second = gw.get("/code?label=acme-aws", bot, user99);
        assertThat(second.status()).isEqualTo(403);
        assertThat(gw.auditOf(second.requestId())).filteredOn(e -> e.event().outcome() == Outcome.LOCKED_OUT).singleElement()
                .satisfies(e -> {
                    assertThat(e.event().reason()).isEqualTo("lockout_started");
                    assertThat(e.event().zulipUserId()).isEqualTo(99L);
                    assertThat(e.event().zulipEmail()).isEqualTo("mallory@example.com");
                });
        GatewayFixture.Response code = gw.get("/code?label=acme-aws", bot, user99);
        assertThat(code.status()).isEqualTo(429);
        assertThat(code.errorCode()).isEqualTo("locked_out");
        assertThat(code.header("Retry-After")).hasValue("900");
        assertThat(gw.get("/code?label=acme-aws", bot, GatewayFixture.onBehalf(42, null, null, null)).status())
                .as("the bot token and other users are not locked out by one user's denials").isEqualTo(200);
    }
}
