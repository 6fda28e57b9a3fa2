package dev.mfagate.core.ratelimit;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rate limits for code requests: per (principal, label), per principal, per token.
 *
 * <p>{@link #tryAcquire} checks the most specific bucket first and takes one token from each; if
 * a later bucket refuses, the tokens already taken are given back, so a refused request uses
 * nothing (the refund is not atomic with the refusal: under contention a bucket can briefly be one
 * token short). Principal keys are {@code Subject.principalKey()}: {@code user:<id>} or
 * {@code token:<id>}.
 *
 * <p>Buckets live in a {@link BucketBackend}; {@link #forDatabase} picks memory for SQLite (one
 * instance) and PostgreSQL for PostgreSQL (limits shared by all instances). Thread-safe.
 */
public final class RateLimiter {

    private final BucketBackend backend;
    private final RateLimitConfig config;

    /** A limiter with {@code config} over {@code backend}. */
    public RateLimiter(BucketBackend backend, RateLimitConfig config) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * A limiter whose buckets live where {@code db} says: in memory for SQLite, in the database for
     * PostgreSQL. {@code clock} times the buckets (the system UTC clock in production).
     */
    public static RateLimiter forDatabase(Database db, RateLimitConfig config, Clock clock) {
        BucketBackend backend = switch (db.dialect()) {
            case SQLITE -> new LocalBucketBackend(clock);
            case POSTGRESQL -> new PostgresBucketBackend(db, clock);
        };
        return new RateLimiter(backend, config);
    }

    /** The limits in force. */
    public RateLimitConfig config() {
        return config;
    }

    /**
     * Takes one request's worth from each bucket, or none when any is empty.
     *
     * @param tokenId the API token's id
     * @param principalKey who the request counts against ({@code user:<id>} or {@code token:<id>})
     * @param label the label asked for
     */
    public RateLimitDecision tryAcquire(String tokenId, String principalKey, Label label) {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(principalKey, "principalKey");
        Objects.requireNonNull(label, "label");
        record Check(RateLimitScope scope, String key, RateLimit limit) {
        }
        List<Check> checks = List.of(
                new Check(RateLimitScope.PRINCIPAL_AND_LABEL, "pl|" + principalKey + "|" + label.value(), config.perPrincipalAndLabel()),
                new Check(RateLimitScope.PRINCIPAL, "p|" + principalKey, config.perPrincipal()),
                new Check(RateLimitScope.TOKEN, "t|" + tokenId, config.perToken()));
        List<Check> taken = new ArrayList<>(checks.size());
        for (Check c : checks) {
            long waitNanos = backend.tryConsumeNanosToWait(c.key(), c.limit());
            if (waitNanos > 0) {
                for (Check t : taken) {
                    backend.refund(t.key(), t.limit());
                }
                return new RateLimitDecision.Limited(c.scope(), Duration.ofNanos(waitNanos));
            }
            taken.add(c);
        }
        return new RateLimitDecision.Permitted();
    }
}
