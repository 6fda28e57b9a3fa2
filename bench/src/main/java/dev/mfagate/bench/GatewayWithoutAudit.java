package dev.mfagate.bench;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.ratelimit.LockoutPolicy;
import dev.mfagate.core.ratelimit.RateLimit;
import dev.mfagate.core.ratelimit.RateLimitConfig;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import dev.mfagate.gateway.GatewayApp;
import dev.mfagate.gateway.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The gateway exactly as {@code mfagate serve} wires it (policy, rate limits, metrics), except that
 * audit entries are dropped instead of committed: the baseline that shows what the durable audit
 * trail costs. For measurement only; never a way to run a gateway.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.mfagate.bench.GatewayWithoutAudit PORT};
 * prints the bearer token on standard output, serves label {@code bench-aws}, runs until killed.
 */
public final class GatewayWithoutAudit {

    private GatewayWithoutAudit() {
    }

    /** Starts the baseline gateway. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("mfagate-bench-");
        Store store = Store.init(dir.resolve("data"));
        byte[] key = new byte[20];
        new SecureRandom().nextBytes(key);
        store.seeds().add(Label.parse("bench-aws"), TotpSeed.of(SecretBytes.copyOf(key), TotpParameters.DEFAULT), Instant.now());
        String token = store.tokens().create("bench", "bench-*", false, Optional.empty(), Instant.now()).plaintext();
        RateLimit unlimited = RateLimit.perPeriod(1_000_000_000L, Duration.ofSeconds(1));
        GatewayApp.Options options = new GatewayApp.Options(new RateLimitConfig(unlimited, unlimited, unlimited),
                LockoutPolicy.defaults(), "bench-no-audit", true);
        AuditSink dropped = new AuditSink() {
            @Override
            public void commit(AuditEvent event) {
            }

            @Override
            public void offer(AuditEvent event) {
            }
        };
        GatewayApp app = GatewayApp.builder(store)
                .settings(new GatewayServer.Settings("127.0.0.1", port, Duration.ofSeconds(5), false, 16 * 1024))
                .options(options)
                .clock(Clock.systemUTC())
                .auditSink(ignored -> dropped)
                .start();
        System.out.println(token);
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        Thread.currentThread().join();
    }
}
