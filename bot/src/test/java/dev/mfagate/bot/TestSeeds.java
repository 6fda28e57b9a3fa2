package dev.mfagate.bot;

import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpSeed;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Seeds the tests import into the gateway, and the codes they must produce, computed independently with
 * the core TOTP generator (on the test classpath only, through the gateway test dependency).
 */
final class TestSeeds {
    /** Base32 seed for {@code client-demo} (30-second period). */
    static final String DEMO = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    /** An {@code otpauth://} URI with a 1-second period, for expiry tests: a reply expires within two seconds. */
    static final String FAST = "otpauth://totp/fast?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=1";

    private TestSeeds() {
    }

    /** Every code {@code seedText} shows between {@code from} and {@code to}, step by step. */
    static Set<String> codesBetween(String seedText, Instant from, Instant to) throws Exception {
        TotpSeed seed = SeedParser.parse(seedText);
        Duration step = Duration.ofSeconds(seedText.contains("period=1") ? 1 : 30);
        Set<String> codes = new LinkedHashSet<>();
        for (Instant t = from; !t.isAfter(to.plus(step)); t = t.plus(step)) {
            if (!t.isAfter(to)) {
                codes.add(TotpGenerator.codeAt(seed, t));
            }
        }
        codes.add(TotpGenerator.codeAt(seed, to));
        return codes;
    }
}
