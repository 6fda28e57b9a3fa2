package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The reference TOTP of the browser tests: {@code oathtool --totp -b} for a test's throw-away base32
 * seed at an instant, so a code the console shows is checked against a second implementation.
 */
final class Oathtool {

    private Oathtool() {
    }

    /** oathtool's code for {@code base32Seed} (SHA-1, 6 digits, 30 s) at {@code epochSecond}. */
    static String totp(String base32Seed, long epochSecond) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("oathtool", "--totp", "-b", "--now", "@" + epochSecond, base32Seed)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("oathtool runs").isZero();
        return out;
    }
}
