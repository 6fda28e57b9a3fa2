package dev.mfagate.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The three limits every code request passes.
 *
 * <p>Defaults ({@link #defaults()}), sized for people asking for codes that change every 30 s:
 * <ul>
 *   <li>per principal and label: burst 5, 5 per minute — a person rarely needs more than one or
 *       two codes for one account a minute;</li>
 *   <li>per principal (a Zulip user, or a token asking for itself): burst 20, 20 per minute;</li>
 *   <li>per token: burst 300, 300 per minute — the bot's token carries every user's requests.</li>
 * </ul>
 *
 * @param perPrincipalAndLabel limit per (principal, label)
 * @param perPrincipal limit per principal across labels
 * @param perToken limit per API token across everything it asks for
 */
public record RateLimitConfig(RateLimit perPrincipalAndLabel, RateLimit perPrincipal, RateLimit perToken) {

    /** Validates. */
    public RateLimitConfig {
        Objects.requireNonNull(perPrincipalAndLabel, "perPrincipalAndLabel");
        Objects.requireNonNull(perPrincipal, "perPrincipal");
        Objects.requireNonNull(perToken, "perToken");
    }

    /** The documented defaults. */
    public static RateLimitConfig defaults() {
        return new RateLimitConfig(
                RateLimit.perPeriod(5, Duration.ofMinutes(1)),
                RateLimit.perPeriod(20, Duration.ofMinutes(1)),
                RateLimit.perPeriod(300, Duration.ofMinutes(1)));
    }
}
