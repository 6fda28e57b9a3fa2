package dev.mfagate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.RateLimit;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpSeed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A real gateway on a real SQLite store, listening on a random port, with a fixed clock: seeds,
 * tokens and rules are set up through the store's own API, requests go over a socket, and the
 * audit trail is read back with {@link AuditExporter}. Every seed added and every code received is
 * recorded in the {@link SecretRegistry}; {@link #close()} exports the audit trail for the final
 * secret scan. Not thread-safe (one test at a time).
 */
final class GatewayFixture implements AutoCloseable {

    /** 22:29:39 UTC: 21 s left in the 30 s step. */
    static final Instant NOW = Instant.parse("2025-09-02T22:29:39Z");
    /** Limits no test reaches unless it means to. */
    static final RateLimit GENEROUS = RateLimit.perPeriod(1_000_000, Duration.ofMinutes(1));
    static final GatewayApp.Options GENEROUS_OPTIONS = options(GENEROUS, GENEROUS, GENEROUS,
            new LockoutPolicy(1_000_000, Duration.ofMinutes(10), Duration.ofMinutes(15)));

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One client per gateway, closed before it (a graceful stop waits about a second for idle keep-alive connections). */
    private final HttpClient http = HttpClient.newHttpClient();

    /** One response: status, headers and the body as text and JSON. */
    record Response(int status, HttpResponse<String> raw, JsonNode json) {
        String requestId() {
            return raw.headers().firstValue(OnBehalfOf.REQUEST_ID).orElseThrow();
        }

        String errorCode() {
            return json.at("/error/code").asText(null);
        }

        Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }

        String body() {
            return raw.body();
        }
    }

    final Path dataDir;
    final Store store;
    private final String name;
    private final Map<Label, TotpSeed> seeds = new HashMap<>();
    private final Map<Label, TotpSeed> environmentSeeds = new HashMap<>();
    private final Map<String, String> tokenIds = new HashMap<>();
    private final Map<String, String> tokenPlaintexts = new HashMap<>();
    private GatewayApp app;

    /** A new store in {@code dir}; {@code name} names the audit export. */
    GatewayFixture(Path dir, String name) {
        this.dataDir = dir.resolve("data");
        this.store = Store.init(dataDir);
        this.name = name;
    }

    static GatewayApp.Options options(RateLimit perPrincipalAndLabel, RateLimit perPrincipal, RateLimit perToken,
                                      LockoutPolicy lockout) {
        return new GatewayApp.Options(new RateLimitConfig(perPrincipalAndLabel, perPrincipal, perToken), lockout, "test", true);
    }

    /** Adds a random seed to the store under {@code label}. */
    GatewayFixture seed(String label) {
        TotpSeed seed = TestSeeds.random();
        SecretRegistry.seed(seed);
        Label l = Label.parse(label);
        store.seeds().add(l, copy(seed), NOW);
        seeds.put(l, seed);
        return this;
    }

    /** Adds a random seed served from the environment (read-only, not in the store) under {@code label}. */
    GatewayFixture environmentSeed(String label) {
        TotpSeed seed = TestSeeds.random();
        SecretRegistry.seed(seed);
        Label l = Label.parse(label);
        environmentSeeds.put(l, copy(seed));
        seeds.put(l, seed);
        return this;
    }

    /** Creates a token; returns its plaintext. Its id is {@link #tokenId(String)}. */
    String token(String tokenName, String pattern, boolean onBehalfOf) {
        var created = store.tokens().create(tokenName, pattern, onBehalfOf, Optional.empty(), NOW.minus(Duration.ofDays(1)));
        tokenIds.put(tokenName, created.info().id());
        tokenPlaintexts.put(tokenName, created.plaintext());
        return created.plaintext();
    }

    /** The plaintext of the token named {@code tokenName}. */
    String tokenOf(String tokenName) {
        return tokenPlaintexts.get(tokenName);
    }

    /** The public id of the token named {@code tokenName}. */
    String tokenId(String tokenName) {
        return tokenIds.get(tokenName);
    }

    /** Adds a rule: {@code principal} may get {@code pattern}, until {@code expiresAt} if given, at most {@code dailyCap} a day if given. */
    void grant(String ruleId, String principal, String pattern, Instant expiresAt, Integer dailyCap) {
        new PolicyRepository(store.database()).grant(new Rule(ruleId, Principal.parse(principal), LabelPattern.parse(pattern),
                Optional.ofNullable(expiresAt), dailyCap == null ? OptionalInt.empty() : OptionalInt.of(dailyCap),
                "test", NOW.minus(Duration.ofDays(1))));
    }

    /** Starts the gateway with {@code options}. */
    GatewayFixture start(GatewayApp.Options options) {
        app = GatewayApp.builder(store).environmentSeeds(environmentSeeds)
                .settings(new GatewayServer.Settings("127.0.0.1", 0, Duration.ofSeconds(5), false, 16 * 1024))
                .options(options)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
        return this;
    }

    int port() {
        return app.port();
    }

    /** The code for {@code label} at {@link #NOW}, computed here from the seed the test added. */
    String expectedCode(String label) {
        return TotpGenerator.codeAt(seeds.get(Label.parse(label)), NOW);
    }

    /**
     * Whether {@code r} carries the code of {@code label} at {@link #NOW}. A boolean, so that a
     * failing assertion never prints a code.
     */
    boolean hasCodeOf(Response r, String label) {
        return expectedCode(label).equals(r.json().path("code").asText(null));
    }

    /** Whether {@code text} holds the code of {@code label} at {@link #NOW} anywhere; a boolean, for the same reason. */
    boolean holdsCodeOf(String text, String label) {
        return text.contains(expectedCode(label));
    }

    /** GET {@code path} with {@code token} (null: none) and {@code headers} (name, value, ...). */
    Response get(String path, String token, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            SecretRegistry.codesIn(r.body());
        }
        JsonNode json = r.body().isEmpty() ? JSON.missingNode() : JSON.readTree(r.body());
        return new Response(r.statusCode(), r, json);
    }

    /** The on-behalf headers for a Zulip user; {@code groups} and {@code channels} (stream ids, comma-separated) may be null. */
    static String[] onBehalf(long userId, String email, String groups, String channels) {
        List<String> h = new ArrayList<>(List.of(OnBehalfOf.USER_ID, Long.toString(userId)));
        if (email != null) {
            h.addAll(List.of(OnBehalfOf.EMAIL, email));
        }
        if (groups != null) {
            h.addAll(List.of(OnBehalfOf.GROUPS, groups));
        }
        if (channels != null) {
            h.addAll(List.of(OnBehalfOf.CHANNEL_IDS, channels));
        }
        return h.toArray(String[]::new);
    }

    /** Every committed audit entry, in seq order. */
    List<AuditEntry> audit() {
        List<AuditEntry> out = new ArrayList<>();
        new AuditExporter(store.database()).forEach(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"), out::add);
        return out;
    }

    /** The committed audit entries of one request, in seq order. */
    List<AuditEntry> auditOf(String requestId) {
        return audit().stream().filter(e -> requestId.equals(e.event().requestId())).toList();
    }

    /** Entries per request id, for tests that check many requests at once. */
    Map<String, List<AuditEntry>> auditByRequest() {
        Map<String, List<AuditEntry>> out = new LinkedHashMap<>();
        for (AuditEntry e : audit()) {
            out.computeIfAbsent(e.event().requestId(), k -> new ArrayList<>()).add(e);
        }
        return out;
    }

    /** Exports the audit trail for the secret scan and stops the gateway (which closes the store). */
    @Override
    public void close() {
        try {
            TestLogs.exportAudit(store.database(), name);
        } finally {
            http.close();
            if (app != null) {
                app.close();
            } else {
                store.close();
            }
        }
    }

    /** A copy: the store and the gateway destroy what they are given; the test keeps its own. */
    private static TotpSeed copy(TotpSeed seed) {
        byte[] secret = seed.secret().toByteArray();
        try {
            return new TotpSeed(SecretBytes.copyOf(secret), seed.parameters(), seed.issuer().orElse(null),
                    seed.accountName().orElse(null));
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }
}
