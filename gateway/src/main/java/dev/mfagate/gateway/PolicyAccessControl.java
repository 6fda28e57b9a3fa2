package dev.mfagate.gateway;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.Label;
import dev.mfagate.core.policy.Authorizer;
import dev.mfagate.core.policy.DenialReason;
import dev.mfagate.core.policy.PolicyDecision;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.ratelimit.LockoutStatus;
import dev.mfagate.core.ratelimit.LockoutTracker;
import dev.mfagate.core.ratelimit.RateLimitDecision;
import dev.mfagate.core.ratelimit.RateLimiter;
import dev.mfagate.gateway.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The production decision point: lockout, then rate limits, then policy (deny by default).
 *
 * <p>Order matters: a locked-out principal is refused before it can spend a rate-limit token or
 * probe the policy; rate limits apply to denied requests too, so probing is slowed; every policy
 * denial counts towards the lockout (a sliding window: an allowed request does not reset it), and
 * the request that starts a lockout writes its own audit entry ({@code LOCKED_OUT},
 * {@code lockout_started}) besides the request's entry.
 *
 * <p>A principal found with no recent denials is remembered for {@link #CLEAN_CACHE_TTL}, so the
 * common case costs no database read; a denial here forgets it at once, and a lockout started by
 * another instance sharing the database applies here within that bound. Thread-safe.
 */
public final class PolicyAccessControl implements AccessControl {

    private final Authorizer authorizer;
    private final RateLimiter limiter;
    private final LockoutTracker lockout;
    private final AuditRecorder audit;
    /** How long a principal seen without denials skips the lockout lookup. */
    public static final Duration CLEAN_CACHE_TTL = Duration.ofSeconds(1);
    private final java.util.concurrent.ConcurrentHashMap<String, Long> cleanUntilNanos = new java.util.concurrent.ConcurrentHashMap<>();

    private static final LockoutStatus CLEAN = new LockoutStatus.Open(0);

    /** Wires the parts; all are thread-safe. */
    public PolicyAccessControl(Authorizer authorizer, RateLimiter limiter, LockoutTracker lockout, AuditRecorder audit) {
        this.authorizer = authorizer;
        this.limiter = limiter;
        this.lockout = lockout;
        this.audit = audit;
    }

    @Override
    public void authorize(RequestRecord request, Subject subject, Label label, Instant now) {
        String key = subject.principalKey();
        long nowNanos = System.nanoTime();
        Long cleanUntil = cleanUntilNanos.get(key);
        LockoutStatus status = cleanUntil != null && nowNanos - cleanUntil < 0 ? CLEAN : lockout.check(key, now);
        if (status instanceof LockoutStatus.Open open && open.denialsInWindow() == 0 && cleanUntil == null) {
            if (cleanUntilNanos.size() > 100_000) {
                cleanUntilNanos.clear();
            }
            cleanUntilNanos.put(key, nowNanos + CLEAN_CACHE_TTL.toNanos());
        } else if (cleanUntil != null && nowNanos - cleanUntil >= 0) {
            cleanUntilNanos.remove(key);
        }
        if (status instanceof LockoutStatus.Locked locked) {
            request.reason = "locked_out";
            throw new ApiException(ErrorCode.LOCKED_OUT, "Too many refused requests; try again after "
                    + locked.until().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), locked.remainingAt(now));
        }
        RateLimitDecision rate = limiter.tryAcquire(subject.token().tokenId(), key, label);
        if (rate instanceof RateLimitDecision.Limited limited) {
            request.reason = "rate_limited_" + limited.scope().name().toLowerCase(java.util.Locale.ROOT);
            throw new ApiException(ErrorCode.RATE_LIMITED, "Rate limit reached (" + limited.scope().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + "); retry after " + limited.retryAfterSeconds() + " s",
                    Duration.ofSeconds(limited.retryAfterSeconds()));
        }
        PolicyDecision decision = authorizer.authorize(subject, label, now);
        if (decision instanceof PolicyDecision.Denied denied) {
            request.reason = denied.reason().name().toLowerCase(java.util.Locale.ROOT);
            cleanUntilNanos.remove(key);
            LockoutStatus after = lockout.recordDenial(key, now);
            if (after instanceof LockoutStatus.Locked locked && locked.startedNow()) {
                audit.recordLockout(request, key, locked.until());
            }
            throw refusal(denied.reason(), subject, label, now);
        }
        if (decision instanceof PolicyDecision.Allowed allowed) {
            request.grant = allowed.grant();
        }
        // An allowed request clears nothing: denials age out of the lockout window on their own, so
        // "four wrong, one right" over and over still locks out (LockoutTracker).
    }

    private ApiException refusal(DenialReason reason, Subject subject, Label label, Instant now) {
        return switch (reason) {
            case ON_BEHALF_NOT_PERMITTED -> new ApiException(ErrorCode.ON_BEHALF_NOT_PERMITTED,
                    "This token may not ask on behalf of users");
            case DAILY_CAP_REACHED -> {
                Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                Integer cap = authorizer.dailyAllowance(subject, label, now).stream().boxed().findFirst().orElse(null);
                yield new ApiException(ErrorCode.DAILY_CAP_REACHED, "Daily cap " + (cap == null ? "" : "of " + cap + " ")
                        + "for " + label.value() + " reached; it resets at 00:00 UTC", Duration.between(now, midnight), cap);
            }
            case OUTSIDE_TOKEN_SCOPE -> new ApiException(ErrorCode.FORBIDDEN, "This token may not get codes for " + label.value());
            case GRANT_EXPIRED -> new ApiException(ErrorCode.FORBIDDEN, "Your grant for " + label.value() + " has expired");
            case NO_MATCHING_RULE -> new ApiException(ErrorCode.FORBIDDEN, "No rule allows you codes for " + label.value());
        };
    }

    @Override
    public SortedSet<Label> allowed(Subject subject, Collection<Label> all, Instant now) {
        return new TreeSet<>(authorizer.listAllowed(subject, all, now));
    }
}
