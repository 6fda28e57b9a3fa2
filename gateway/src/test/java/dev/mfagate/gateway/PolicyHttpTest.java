package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.RateLimit;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Policy, rate limits, daily caps, lockout and the audit trail through the HTTP API, on SQLite and
 * PostgreSQL, with a fixed clock (buckets do not refill, caps do not reset during a test).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestStores.Backend.class)
class PolicyHttpTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-09-02T22:29:39Z");

    @Parameter(0)
    TestStores.Backend backend;

    @TempDir
    Path dir;
    private Store store;
    private GatewayApp app;
    private String botToken;
    private String plainToken;
    private int requests;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void createStore() throws Exception {
        store = STORES.fresh(backend, dir).init();
        store.seeds().add(Label.parse("acme-aws"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), NOW);
        store.seeds().add(Label.parse("acme-vpn"), SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), NOW);
        botToken = store.tokens().create("bot", "acme-*", true, Optional.empty(), NOW).plaintext();
        plainToken = store.tokens().create("ci", "acme-*", false, Optional.empty(), NOW).plaintext();
    }

    @AfterEach
    void stop() {
        // The client's idle keep-alive connections first: the gateway's graceful stop waits about a second for them.
        http.close();
        if (app != null) {
            app.close();
        }
    }

    /** Starts the gateway with {@code perLabel} codes per principal and label, and lockout after {@code maxDenials}. */
    private void start(RateLimit perLabel, int maxDenials) {
        RateLimitConfig limits = new RateLimitConfig(perLabel, RateLimit.perPeriod(1_000, Duration.ofMinutes(1)),
                RateLimit.perPeriod(1_000, Duration.ofMinutes(1)));
        app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024))
                .options(new GatewayApp.Options(limits, new LockoutPolicy(maxDenials, Duration.ofMinutes(10), Duration.ofMinutes(15)), "test", true))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
    }

    private void startWithDefaults() {
        start(RateLimit.perPeriod(100, Duration.ofMinutes(1)), 5);
    }

    private HttpResponse<String> get(String path, String token, String onBehalfUser) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (onBehalfUser != null) {
            b.header(OnBehalfOf.USER_ID, onBehalfUser);
        }
        requests++;
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Rule grant(String principal, String pattern, OptionalInt dailyCap) {
        Rule rule = new Rule(Rule.newId(), Principal.parse(principal), LabelPattern.parse(pattern), Optional.empty(),
                dailyCap, "test", NOW);
        return new PolicyRepository(store.database()).grant(rule);
    }

    /** The audit entries, oldest first: outcome, reason, rule, on-behalf user. */
    private List<Map<String, Object>> auditEntries() {
        return store.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT seq, outcome, reason, rule_id, zulip_user_id, label FROM audit_entry ORDER BY seq")
                .mapToMap().list());
    }

    @Test
    void onBehalf_grantedUser_200AndAuditEntryNamesUserAndRule() throws Exception {
        Rule rule = grant("user:42", "acme-*", OptionalInt.empty());
        startWithDefaults();
        HttpResponse<String> r = get("/totp/acme/aws", botToken, "42");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> entry = auditEntries().getLast();
        assertThat(entry.get("outcome")).isEqualTo("ALLOWED");
        assertThat(entry.get("rule_id")).isEqualTo("rule:" + rule.id());
        assertThat(((Number) entry.get("zulip_user_id")).longValue()).isEqualTo(42);
        assertThat(entry.get("label")).isEqualTo("acme-aws");
    }

    @Test
    void onBehalf_personRule_grantsThePersonsLinkedZulipUser_notAnother_untilUnlinked() throws Exception {
        var tenants = new dev.mfagate.core.tenant.TenantRepository(store.database());
        var ann = new dev.mfagate.core.tenant.PersonId("ann");
        var annZulip = new dev.mfagate.core.tenant.Identity.ZulipUser(42);
        tenants.addPerson(ann, "Ann", NOW);
        tenants.link(ann, annZulip, NOW);
        Rule rule = grant("person:ann", "acme-aws", OptionalInt.empty());
        startWithDefaults();

        HttpResponse<String> annAsks = onBehalf("42");
        HttpResponse<String> otherAsks = onBehalf("43");

        assertThat(annAsks.statusCode()).as(annAsks.body()).isEqualTo(200);
        assertError(otherAsks, 403, "forbidden");
        List<Map<String, Object>> entries = store.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT outcome, rule_id, zulip_user_id, detail FROM audit_entry ORDER BY seq").mapToMap().list());
        assertThat(entries).extracting(e -> e.get("outcome") + " " + e.get("rule_id") + " " + e.get("zulip_user_id")
                + " " + e.get("detail")).containsExactly("ALLOWED rule:" + rule.id() + " 42 person:ann", "DENIED null 43 null");

        tenants.unlink(ann, annZulip);
        Thread.sleep(dev.mfagate.core.policy.PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS + 100);
        assertError(onBehalf("42"), 403, "forbidden");
    }

    /** A delegated code request with every on-behalf header the bot sends. */
    private HttpResponse<String> onBehalf(String userId) throws Exception {
        requests++;
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/totp/acme/aws"))
                .header("Authorization", "Bearer " + botToken)
                .header(OnBehalfOf.USER_ID, userId)
                .header(OnBehalfOf.EMAIL, "u" + userId + "@example.com")
                .header(OnBehalfOf.GROUPS, "7,8")
                .header(OnBehalfOf.CHANNEL_IDS, "12")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onBehalf_noRule_403_andLockedOutAfterMaxDenials() throws Exception {
        start(RateLimit.perPeriod(100, Duration.ofMinutes(1)), 3);
        for (int i = 0; i < 3; i++) {
            assertError(get("/totp/acme/aws", botToken, "43"), 403, "forbidden");
        }
        HttpResponse<String> locked = get("/totp/acme/aws", botToken, "43");
        assertError(locked, 429, "locked_out");
        assertThat(locked.headers().firstValue("Retry-After")).hasValue(Long.toString(15 * 60));
        assertThat(auditEntries()).extracting(e -> e.get("outcome") + "/" + e.get("reason")).containsExactly(
                "DENIED/no_matching_rule", "DENIED/no_matching_rule", "LOCKED_OUT/lockout_started",
                "DENIED/no_matching_rule", "LOCKED_OUT/locked_out");
    }

    @Test
    void lockout_fourDenialsThenASuccessRepeated_stillLocksOnTheFifthDenial() throws Exception {
        grant("user:47", "acme-aws", OptionalInt.empty());
        startWithDefaults();
        for (int i = 0; i < 4; i++) {
            assertError(get("/totp/acme/vpn", botToken, "47"), 403, "forbidden");
        }
        assertThat(get("/totp/acme/aws", botToken, "47").statusCode()).as("a success in between").isEqualTo(200);
        assertError(get("/totp/acme/vpn", botToken, "47"), 403, "forbidden");
        HttpResponse<String> locked = get("/totp/acme/aws", botToken, "47");
        assertError(locked, 429, "locked_out");
        assertThat(auditEntries()).extracting(e -> e.get("outcome") + "/" + e.get("reason")).contains("LOCKED_OUT/lockout_started");
    }

    @Test
    void tokenRule_dailyCapOnPlainToken_enforcedForTheLabelsItCovers() throws Exception {
        String ciId = store.tokens().list().stream().filter(t -> t.name().equals("ci")).findFirst().orElseThrow().id();
        Rule capped = grant("token:" + ciId, "acme-aws", OptionalInt.of(1));
        startWithDefaults();
        assertThat(get("/totp/acme/aws", plainToken, null).statusCode()).isEqualTo(200);
        HttpResponse<String> second = get("/totp/acme/aws", plainToken, null);
        assertError(second, 429, "daily_cap_reached");
        assertThat(second.body()).contains("Daily cap");
        for (int i = 0; i < 3; i++) {
            assertThat(get("/totp/acme/vpn", plainToken, null).statusCode()).as("a label the rule does not cover: the scope grants")
                    .isEqualTo(200);
        }
        assertThat(auditEntries()).extracting(e -> e.get("rule_id")).containsExactly(
                "rule:" + capped.id(), null, "token-scope", "token-scope", "token-scope");
    }

    @Test
    void tokenRule_expiredOnPlainToken_deniesTheLabelsItCovers() throws Exception {
        String ciId = store.tokens().list().stream().filter(t -> t.name().equals("ci")).findFirst().orElseThrow().id();
        new PolicyRepository(store.database()).grant(new Rule("ci-8h", Principal.parse("token:" + ciId), LabelPattern.parse("acme-aws"),
                Optional.of(NOW.minusSeconds(1)), OptionalInt.empty(), "test", NOW.minusSeconds(3600)));
        startWithDefaults();
        assertError(get("/totp/acme/aws", plainToken, null), 403, "forbidden");
        assertThat(auditEntries().getLast().get("reason")).isEqualTo("grant_expired");
        assertThat(get("/totp/acme/vpn", plainToken, null).statusCode()).isEqualTo(200);
    }

    @Test
    void onBehalf_tokenNotDelegating_403() throws Exception {
        grant("user:42", "acme-*", OptionalInt.empty());
        startWithDefaults();
        assertError(get("/totp/acme/aws", plainToken, "42"), 403, "on_behalf_not_permitted");
    }

    @Test
    void rateLimit_perPrincipalAndLabel_429WithRetryAfterOnceUsedUp() throws Exception {
        start(RateLimit.perPeriod(3, Duration.ofHours(1)), 5);
        for (int i = 0; i < 3; i++) {
            assertThat(get("/totp/acme/aws", plainToken, null).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = get("/totp/acme/aws", plainToken, null);
        assertError(limited, 429, "rate_limited");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 1200L);
        assertThat(get("/totp/acme/vpn", plainToken, null).statusCode()).as("another label has its own bucket").isEqualTo(200);
        assertThat(auditEntries()).extracting(e -> e.get("outcome")).containsExactly(
                "ALLOWED", "ALLOWED", "ALLOWED", "RATE_LIMITED", "ALLOWED");
    }

    @Test
    void dailyCap_usedUp_429UntilMidnightUtc() throws Exception {
        grant("user:44", "acme-aws", OptionalInt.of(2));
        startWithDefaults();
        assertThat(get("/totp/acme/aws", botToken, "44").statusCode()).isEqualTo(200);
        assertThat(get("/totp/acme/aws", botToken, "44").statusCode()).isEqualTo(200);
        HttpResponse<String> capped = get("/totp/acme/aws", botToken, "44");
        assertError(capped, 429, "daily_cap_reached");
        assertThat(capped.body()).contains("Daily cap of 2 for acme-aws").contains("\"daily_cap\":2");
        // 22:29:39 to midnight UTC.
        assertThat(capped.headers().firstValue("Retry-After"))
                .hasValue(Long.toString(Duration.between(NOW, Instant.parse("2025-09-03T00:00:00Z")).toSeconds()));
    }

    @Test
    void revoke_ruleAndToken_takeEffectAtOnceOnThisInstance() throws Exception {
        Rule rule = grant("user:45", "acme-*", OptionalInt.empty());
        startWithDefaults();
        assertThat(get("/totp/acme/aws", botToken, "45").statusCode()).isEqualTo(200);
        assertThat(new PolicyRepository(store.database()).revoke(rule.id())).isTrue();
        // Another repository on the same database: the change shows within the cache bound, not at once.
        awaitStatus(() -> get("/totp/acme/aws", botToken, "45"), 403, Duration.ofMillis(PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS + 500));
        assertThat(get("/totp/acme/aws", plainToken, null).statusCode()).isEqualTo(200);
        assertThat(store.tokens().revoke("ci", NOW)).isTrue();
        assertError(get("/totp/acme/aws", plainToken, null), 401, "unauthenticated");
    }

    @Test
    void revoke_throughTheAdminApi_takesEffectAtOnceOnThisInstance() throws Exception {
        String admin = store.tokens().create("acme-admin", "acme-*", false, Optional.empty(), NOW,
                new dev.mfagate.core.tenant.TenantId("acme"), Optional.of(dev.mfagate.core.tenant.Role.ADMIN)).plaintext();
        startWithDefaults();
        HttpResponse<String> granted = admin("POST", "/api/v1/tenants/acme/rules", admin,
                "{\"id\":\"r47\",\"principal\":\"user:47\",\"pattern\":\"acme-aws\"}");
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
        // The first code also fills the code path's policy cache.
        assertThat(get("/totp/acme/aws", botToken, "47").statusCode()).isEqualTo(200);
        HttpResponse<String> revoked = admin("DELETE", "/api/v1/tenants/acme/rules/r47", admin, null);
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        // The same instance: refused on the very next request, not after the cache's bound.
        assertError(get("/totp/acme/aws", botToken, "47"), 403, "forbidden");
    }

    private HttpResponse<String> admin(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyRequest_oneAuditEntry_chainVerifies() throws Exception {
        grant("user:46", "acme-aws", OptionalInt.empty());
        startWithDefaults();
        get("/totp/acme/aws", botToken, "46");          // allowed
        get("/totp/acme/vpn", botToken, "46");          // denied: no rule
        get("/totp/acme/aws", null, null);              // unauthenticated
        get("/totp/acme/nothing", plainToken, null);    // unknown label
        get("/code?label=acme-aws", plainToken, null);  // allowed
        get("/labels", plainToken, null);               // listed
        get("/totp/bad$label/x", plainToken, null);     // malformed
        get("/nowhere", plainToken, null);              // no route
        assertThat(auditEntries()).extracting(e -> e.get("outcome")).containsExactly(
                "ALLOWED", "DENIED", "UNAUTHENTICATED", "DENIED", "ALLOWED", "ALLOWED", "MALFORMED", "MALFORMED");
        VerificationResult chain = new AuditVerifier(store.database(), store.keyring().auditMac()).verify();
        assertThat(chain).isEqualTo(new VerificationResult.Intact(requests));
    }

    @Test
    void databaseGone_503JsonNot500_andReadyzUnready() throws Exception {
        startWithDefaults();
        assertThat(get("/readyz", null, null).statusCode()).isEqualTo(200);
        store.database().close();
        long start = System.nanoTime();
        HttpResponse<String> r = get("/totp/acme/aws", plainToken, null);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isIn("store_unavailable", "audit_unavailable");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("jdbc");
        assertThat(took).as("fails fast, never hangs").isLessThan(Duration.ofSeconds(10));
        HttpResponse<String> ready = get("/readyz", null, null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).at("/checks/store").asText()).startsWith("unreachable");
    }

    private interface Call {
        HttpResponse<String> send() throws Exception;
    }

    private static void awaitStatus(Call call, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> r;
        do {
            r = call.send();
            if (r.statusCode() == status) {
                return;
            }
            Thread.sleep(25);
        } while (System.nanoTime() < deadline);
        assertThat(r.statusCode()).as("status within %s; last body %s", within, r.body()).isEqualTo(status);
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as("status for body %s", r.body()).isEqualTo(status);
        JsonNode node = JSON.readTree(r.body());
        assertThat(node.at("/error/code").asText()).isEqualTo(code);
        assertThat(node.at("/error/message").asText()).isNotBlank();
    }
}
