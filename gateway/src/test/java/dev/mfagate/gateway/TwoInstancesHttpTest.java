package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.RateLimit;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.TokenRepository;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two gateway instances in one process, each with its own pool on one store (as two processes
 * would have), on the real clock: what one changes, the other honours within the documented
 * bounds (token cache {@link TokenRepository#CACHE_TTL}, sealed seed rows
 * {@link SeedRepository#ROW_CACHE_TTL}, policy snapshot
 * {@link PolicyRepository#DEFAULT_MAX_STALENESS_MILLIS} ms); lockouts, daily caps and (on
 * PostgreSQL) rate limits count across both.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestStores.Backend.class)
class TwoInstancesHttpTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Scheduling slack on a busy two-core machine, on top of each bound. */
    private static final Duration SLACK = Duration.ofMillis(400);
    private static final int MAX_DENIALS = 6;
    private static final int PER_LABEL = 10;
    private static final AtomicLong USERS = new AtomicLong(1_000);

    @Parameter(0)
    TestStores.Backend backend;

    @TempDir
    Path dir;
    private GatewayApp a;
    private GatewayApp b;
    private String botToken;
    private String plainToken;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startTwo() throws Exception {
        TestStores.Location location = STORES.fresh(backend, dir);
        Store first = location.init();
        Instant now = Instant.now();
        first.seeds().add(Label.parse("acme-aws"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), now);
        first.seeds().add(Label.parse("acme-vpn"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), now);
        botToken = first.tokens().create("bot", "acme-*", true, Optional.empty(), now).plaintext();
        plainToken = first.tokens().create("ci", "acme-*", false, Optional.empty(), now).plaintext();
        a = start(first, "a");
        b = start(location.open(), "b");
    }

    private static GatewayApp start(Store store, String name) {
        RateLimitConfig limits = new RateLimitConfig(RateLimit.perPeriod(PER_LABEL, Duration.ofHours(1)),
                RateLimit.perPeriod(10_000, Duration.ofMinutes(1)), RateLimit.perPeriod(10_000, Duration.ofMinutes(1)));
        return GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024))
                .options(new GatewayApp.Options(limits, new LockoutPolicy(MAX_DENIALS, Duration.ofMinutes(10), Duration.ofMinutes(15)), name, true))
                .clock(Clock.systemUTC()).start();
    }

    @AfterEach
    void stop() {
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> get(GatewayApp app, String path, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + token);
        headers.forEach(r::header);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> onBehalf(GatewayApp app, long user, String groups) throws Exception {
        return get(app, "/totp/acme/aws", botToken, groups == null
                ? Map.of(OnBehalfOf.USER_ID, Long.toString(user))
                : Map.of(OnBehalfOf.USER_ID, Long.toString(user), OnBehalfOf.GROUPS, groups));
    }

    private static String code(HttpResponse<String> r) throws Exception {
        return r.statusCode() == 200 ? "200" : r.statusCode() + " " + JSON.readTree(r.body()).at("/error/code").asText();
    }

    private interface Call {
        HttpResponse<String> send() throws Exception;
    }

    /** Calls until the status is {@code status}; returns how long that took, failing after {@code bound}. */
    private static Duration await(Call call, int status, Duration bound) throws Exception {
        long start = System.nanoTime();
        while (true) {
            HttpResponse<String> r = call.send();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (r.statusCode() == status) {
                return took;
            }
            assertThat(took).as("status %d within %s; last: %s", status, bound, r.body()).isLessThan(bound);
            Thread.sleep(20);
        }
    }

    @Test
    void tokenRevokedOnOne_otherRefusesWithinTokenCacheTtl() throws Exception {
        assertThat(get(b, "/labels", plainToken, Map.of()).statusCode()).as("b has the token cached").isEqualTo(200);
        assertThat(a.store().tokens().revoke("ci", Instant.now())).isTrue();
        assertThat(get(a, "/labels", plainToken, Map.of()).statusCode()).as("at once where it was revoked").isEqualTo(401);
        Duration took = await(() -> get(b, "/labels", plainToken, Map.of()), 401, TokenRepository.CACHE_TTL.plus(SLACK));
        System.out.printf("[%s] token revocation seen by the other instance after %d ms (bound %d ms)%n",
                backend, took.toMillis(), TokenRepository.CACHE_TTL.toMillis());
    }

    @Test
    void seedRemovedOnOne_otherStopsWithinRowCacheTtl() throws Exception {
        // Fresh delegated users each call, so that polling spends no one's rate limit.
        new PolicyRepository(a.store().database()).grant(new Rule(Rule.newId(), Principal.parse("group:7"),
                LabelPattern.parse("acme-*"), Optional.empty(), OptionalInt.empty(), "test", Instant.now()));
        Duration bound = Duration.ofMillis(PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS).plus(SLACK);
        await(() -> onBehalf(b, USERS.incrementAndGet(), "7"), 200, bound);
        assertThat(code(onBehalf(b, USERS.incrementAndGet(), "7"))).as("b has the sealed row cached").isEqualTo("200");
        assertThat(a.store().seeds().remove(Label.parse("acme-aws"))).isTrue();
        assertThat(code(onBehalf(a, USERS.incrementAndGet(), "7"))).as("at once where it was removed")
                .isEqualTo("404 unknown_label");
        Duration took = await(() -> onBehalf(b, USERS.incrementAndGet(), "7"), 404, SeedRepository.ROW_CACHE_TTL.plus(SLACK));
        System.out.printf("[%s] seed removal seen by the other instance after %d ms (bound %d ms)%n",
                backend, took.toMillis(), SeedRepository.ROW_CACHE_TTL.toMillis());
    }

    @Test
    void ruleGrantedThenRevokedOnOne_otherFollowsWithinPolicyStaleness() throws Exception {
        Duration bound = Duration.ofMillis(PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS).plus(SLACK);
        // Fresh users each call, so that polling never adds up to a lockout.
        assertThat(onBehalf(b, USERS.incrementAndGet(), "7").statusCode()).as("b has the empty policy cached").isEqualTo(403);
        Rule rule = new PolicyRepository(a.store().database()).grant(new Rule(Rule.newId(), Principal.parse("group:7"),
                LabelPattern.parse("acme-*"), Optional.empty(), OptionalInt.empty(), "test", Instant.now()));
        Duration granted = await(() -> onBehalf(b, USERS.incrementAndGet(), "7"), 200, bound);
        assertThat(new PolicyRepository(a.store().database()).revoke(rule.id())).isTrue();
        Duration revoked = await(() -> onBehalf(b, USERS.incrementAndGet(), "7"), 403, bound);
        System.out.printf("[%s] grant seen by the other instance after %d ms, revocation after %d ms (bound %d ms)%n",
                backend, granted.toMillis(), revoked.toMillis(), PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS);
    }

    @Test
    void lockout_denialsOnBothCount_lockedOutOnBoth() throws Exception {
        long user = USERS.incrementAndGet();
        for (int i = 0; i < MAX_DENIALS / 2; i++) {
            assertThat(code(onBehalf(a, user, null))).isEqualTo("403 forbidden");
            assertThat(code(onBehalf(b, user, null))).isEqualTo("403 forbidden");
        }
        assertThat(code(onBehalf(a, user, null))).isEqualTo("429 locked_out");
        assertThat(code(onBehalf(b, user, null))).isEqualTo("429 locked_out");
    }

    @Test
    void dailyCap_usesOnBothCount() throws Exception {
        String group = Long.toString(USERS.incrementAndGet());
        new PolicyRepository(a.store().database()).grant(new Rule(Rule.newId(), Principal.parse("group:" + group),
                LabelPattern.parse("acme-aws"), Optional.empty(), OptionalInt.of(4), "test", Instant.now()));
        // Wait until both see the rule, with other members of the group (a cap counts per user).
        Duration bound = Duration.ofMillis(PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS).plus(SLACK);
        await(() -> onBehalf(a, USERS.incrementAndGet(), group), 200, bound);
        await(() -> onBehalf(b, USERS.incrementAndGet(), group), 200, bound);
        long user = USERS.incrementAndGet();
        assertThat(code(onBehalf(a, user, group))).isEqualTo("200");
        assertThat(code(onBehalf(b, user, group))).isEqualTo("200");
        assertThat(code(onBehalf(a, user, group))).isEqualTo("200");
        assertThat(code(onBehalf(b, user, group))).isEqualTo("200");
        assertThat(code(onBehalf(a, user, group))).isEqualTo("429 daily_cap_reached");
        assertThat(code(onBehalf(b, user, group))).isEqualTo("429 daily_cap_reached");
    }

    @Test
    void rateLimit_bucketsSharedOnPostgresPerProcessOnSqlite() throws Exception {
        if (backend == TestStores.Backend.SQLITE) {
            // SQLite is for one instance: its buckets live in memory, so each process counts alone.
            for (int i = 0; i < PER_LABEL; i++) {
                assertThat(code(get(a, "/totp/acme/vpn", plainToken, Map.of()))).isEqualTo("200");
            }
            assertThat(code(get(a, "/totp/acme/vpn", plainToken, Map.of()))).isEqualTo("429 rate_limited");
            assertThat(code(get(b, "/totp/acme/vpn", plainToken, Map.of()))).as("the other process's own bucket").isEqualTo("200");
            return;
        }
        for (int i = 0; i < PER_LABEL / 2; i++) {
            assertThat(code(get(a, "/totp/acme/vpn", plainToken, Map.of()))).isEqualTo("200");
            assertThat(code(get(b, "/totp/acme/vpn", plainToken, Map.of()))).isEqualTo("200");
        }
        assertThat(code(get(a, "/totp/acme/vpn", plainToken, Map.of()))).isEqualTo("429 rate_limited");
        assertThat(code(get(b, "/totp/acme/vpn", plainToken, Map.of()))).isEqualTo("429 rate_limited");
    }
}
