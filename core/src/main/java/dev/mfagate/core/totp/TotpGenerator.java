package dev.mfagate.core.totp;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes TOTP codes (RFC 6238) for a {@link TotpSeed} at a given instant, on java-otp's
 * {@link TimeBasedOneTimePasswordGenerator}.
 *
 * <p>Supports HMAC-SHA1, HMAC-SHA256 and HMAC-SHA512, 6 to 8 digits and any whole-second period
 * from 1 second to 1 day, with T0 = 0 (the Unix epoch), as every real authenticator does.
 * The caller passes the time in; this class never reads a clock. Instants before the epoch or
 * after {@link #MAX_INSTANT} are rejected, because java-otp counts steps with truncating division
 * (wrong before 1970) on epoch milliseconds (which overflow far in the future).
 *
 * <p>Thread-safe and static. java-otp 0.4.0 clones its prototype {@code Mac} on every call, so one
 * generator per parameter set is safe to share; a {@code ThreadLocal} would buy nothing on the
 * gateway's virtual threads, which are new for every request. Generators are cached per
 * {@link TotpParameters} (creating one looks up a JCA provider, which is the slow part); the cache
 * is bounded, past which generators are made per call.
 *
 * <p>Codes are formatted here, with ASCII digits: java-otp's {@code generateOneTimePasswordString}
 * formats with the default locale, which may use non-ASCII digits.
 *
 * <p>Out of scope: validating a code a user typed (the gateway only hands codes out), HOTP, and
 * T0 other than the epoch.
 */
public final class TotpGenerator {

    /** The latest instant a code is computed for (the end of year 9999 UTC). */
    public static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

    /** Real deployments use a handful of parameter sets; the bound only stops a hostile store from growing it. */
    private static final int MAX_CACHED_GENERATORS = 256;

    private static final ConcurrentHashMap<TotpParameters, TimeBasedOneTimePasswordGenerator> GENERATORS =
            new ConcurrentHashMap<>();

    private TotpGenerator() {
    }

    /**
     * The code for the step containing {@code instant}.
     *
     * @return {@code seed.parameters().digits()} ASCII digits, leading zeros kept
     * @throws IllegalArgumentException if the instant is before 1970 or after {@link #MAX_INSTANT}
     * @throws IllegalStateException if the seed's secret was destroyed
     */
    public static String codeAt(TotpSeed seed, Instant instant) {
        Objects.requireNonNull(seed, "seed");
        checkInstant(instant, "instant");
        return code(seed, instant);
    }

    /**
     * The code for {@code now}, the whole seconds left in its step, and the next step's code when
     * fewer than {@code nextCodeThreshold} seconds are left.
     *
     * @param nextCodeThreshold the next code is included when {@code validForSeconds} is below this;
     *     {@link Duration#ZERO} never includes it, anything longer than the period always does
     * @throws IllegalArgumentException if {@code now} is out of range or the threshold is negative
     */
    public static TotpWindow window(TotpSeed seed, Instant now, Duration nextCodeThreshold) {
        Objects.requireNonNull(seed, "seed");
        checkInstant(now, "now");
        Objects.requireNonNull(nextCodeThreshold, "nextCodeThreshold");
        if (nextCodeThreshold.isNegative()) {
            throw new IllegalArgumentException("Invalid nextCodeThreshold " + nextCodeThreshold + "; must not be negative");
        }
        long periodSeconds = seed.parameters().periodSeconds();
        long epochSecond = now.getEpochSecond();
        // Time left is (period - elapsed - nanos); rounding it up drops the nanos, so this is the
        // ceiling, and at the first instant of a step it is the full period.
        int validForSeconds = (int) (periodSeconds - Math.floorMod(epochSecond, periodSeconds));
        String code = code(seed, now);
        Optional<String> nextCode = Optional.empty();
        if (Duration.ofSeconds(validForSeconds).compareTo(nextCodeThreshold) < 0) {
            nextCode = Optional.of(code(seed, Instant.ofEpochSecond(epochSecond + validForSeconds)));
        }
        return new TotpWindow(code, validForSeconds, periodSeconds, now, nextCode);
    }

    private static String code(TotpSeed seed, Instant instant) {
        TotpParameters parameters = seed.parameters();
        byte[] key = seed.secret().toByteArray();
        try {
            int value = generator(parameters).generateOneTimePassword(
                    new SecretKeySpec(key, parameters.algorithm().jcaName()), instant);
            return format(value, parameters.digits());
        } catch (InvalidKeyException e) {
            // HMAC accepts keys of any length, and the seed's size was checked on construction.
            throw new AssertionError("HMAC rejected a " + key.length + "-byte key", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static TimeBasedOneTimePasswordGenerator generator(TotpParameters parameters) {
        TimeBasedOneTimePasswordGenerator cached = GENERATORS.get(parameters);
        if (cached != null) {
            return cached;
        }
        if (GENERATORS.size() >= MAX_CACHED_GENERATORS) {
            return newGenerator(parameters);
        }
        return GENERATORS.computeIfAbsent(parameters, TotpGenerator::newGenerator);
    }

    private static TimeBasedOneTimePasswordGenerator newGenerator(TotpParameters parameters) {
        return new TimeBasedOneTimePasswordGenerator(parameters.period(), parameters.digits(),
                parameters.algorithm().jcaName());
    }

    /** Zero-padded ASCII decimal; {@code value} is below 10^digits by construction (java-otp reduces it). */
    static String format(int value, int digits) {
        char[] text = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return new String(text);
    }

    private static void checkInstant(Instant instant, String name) {
        Objects.requireNonNull(instant, name);
        if (instant.isBefore(Instant.EPOCH) || instant.isAfter(MAX_INSTANT)) {
            throw new IllegalArgumentException("Invalid " + name + " " + instant
                    + "; must be from 1970-01-01T00:00:00Z to " + MAX_INSTANT);
        }
    }
}
