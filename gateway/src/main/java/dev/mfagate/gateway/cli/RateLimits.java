package dev.mfagate.gateway.cli;

import dev.mfagate.core.ratelimit.RateLimit;
import java.time.Duration;
import picocli.CommandLine;

/** Parses {@code N/DURATION}, such as {@code 5/1m} (five per minute, burst five) or {@code 20000/1s}. */
public final class RateLimits implements CommandLine.ITypeConverter<RateLimit> {

    @Override
    public RateLimit convert(String value) {
        int slash = value.indexOf('/');
        if (slash <= 0 || !value.substring(0, slash).matches("[0-9]{1,12}")) {
            throw new CommandLine.TypeConversionException("Invalid rate limit; use N/DURATION, for example 5/1m");
        }
        long n = Long.parseLong(value.substring(0, slash));
        Duration period = Durations.parse(value.substring(slash + 1));
        try {
            return RateLimit.perPeriod(n, period);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
