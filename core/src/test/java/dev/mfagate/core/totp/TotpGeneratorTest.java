package dev.mfagate.core.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TotpGeneratorTest {

    private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

    // RFC 6238 Appendix B says the seed is "12345678901234567890" for every mode, but its reference
    // code (and Errata ID 2866) uses a seed as long as the hash output: 20 bytes for SHA1, 32 for
    // SHA256 and 64 for SHA512, each the ASCII digits "1234567890" repeated. The published values
    // only match with those lengths.
    private static final String SEED_SHA1 = "12345678901234567890";
    private static final String SEED_SHA256 = "12345678901234567890123456789012";
    private static final String SEED_SHA512 = "1234567890123456789012345678901234567890123456789012345678901234";

    static Stream<Arguments> rfc6238AppendixB() {
        return Stream.of(
                //           epoch seconds  algorithm              seed         TOTP
                Arguments.of(59L,           HmacAlgorithm.SHA1,    SEED_SHA1,   "94287082"),
                Arguments.of(59L,           HmacAlgorithm.SHA256,  SEED_SHA256, "46119246"),
                Arguments.of(59L,           HmacAlgorithm.SHA512,  SEED_SHA512, "90693936"),
                Arguments.of(1111111109L,   HmacAlgorithm.SHA1,    SEED_SHA1,   "07081804"),
                Arguments.of(1111111109L,   HmacAlgorithm.SHA256,  SEED_SHA256, "68084774"),
                Arguments.of(1111111109L,   HmacAlgorithm.SHA512,  SEED_SHA512, "25091201"),
                Arguments.of(1111111111L,   HmacAlgorithm.SHA1,    SEED_SHA1,   "14050471"),
                Arguments.of(1111111111L,   HmacAlgorithm.SHA256,  SEED_SHA256, "67062674"),
                Arguments.of(1111111111L,   HmacAlgorithm.SHA512,  SEED_SHA512, "99943326"),
                Arguments.of(1234567890L,   HmacAlgorithm.SHA1,    SEED_SHA1,   "89005924"),
                Arguments.of(1234567890L,   HmacAlgorithm.SHA256,  SEED_SHA256, "91819424"),
                Arguments.of(1234567890L,   HmacAlgorithm.SHA512,  SEED_SHA512, "93441116"),
                Arguments.of(2000000000L,   HmacAlgorithm.SHA1,    SEED_SHA1,   "69279037"),
                Arguments.of(2000000000L,   HmacAlgorithm.SHA256,  SEED_SHA256, "90698825"),
                Arguments.of(2000000000L,   HmacAlgorithm.SHA512,  SEED_SHA512, "38618901"),
                Arguments.of(20000000000L,  HmacAlgorithm.SHA1,    SEED_SHA1,   "65353130"),
                Arguments.of(20000000000L,  HmacAlgorithm.SHA256,  SEED_SHA256, "77737706"),
                Arguments.of(20000000000L,  HmacAlgorithm.SHA512,  SEED_SHA512, "47863826"));
    }

    // RFC 4226 Appendix D: HOTP(SHA1, "12345678901234567890", counter), 6 digits. With a 1 s or a
    // 1 day period, the TOTP step counter is the HOTP counter, so these check both extremes.
    private static final List<String> RFC4226_CODES = List.of(
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489");

    @ParameterizedTest(name = "{1} at {0}")
    @MethodSource("rfc6238AppendixB")
    void codeAt_rfc6238AppendixB_matchesPublishedValue(long epochSeconds, HmacAlgorithm algorithm, String seed, String expected) {
        TotpSeed totpSeed = seed(seed, new TotpParameters(algorithm, 8, THIRTY_SECONDS));

        assertThat(TotpGenerator.codeAt(totpSeed, Instant.ofEpochSecond(epochSeconds))).isEqualTo(expected);
    }

    @Test
    void codeAt_codeStartsWithZero_keepsLeadingZeros() {
        TotpSeed sixDigits = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 6, THIRTY_SECONDS));

        // 07081804 truncated to six digits.
        assertThat(TotpGenerator.codeAt(sixDigits, Instant.ofEpochSecond(1111111109L))).isEqualTo("081804");
    }

    @Test
    void codeAt_sevenDigits_returnsLastSevenDigitsOfTruncatedValue() {
        TotpSeed sevenDigits = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 7, THIRTY_SECONDS));

        assertThat(TotpGenerator.codeAt(sevenDigits, Instant.ofEpochSecond(59))).isEqualTo("4287082");
        assertThat(TotpGenerator.codeAt(sevenDigits, Instant.ofEpochSecond(1111111109L))).isEqualTo("7081804");
    }

    @Test
    void codeAt_oneSecondPeriod_stepsEverySecond() {
        TotpSeed seed = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 6, Duration.ofSeconds(1)));

        for (int counter = 0; counter < RFC4226_CODES.size(); counter++) {
            assertThat(TotpGenerator.codeAt(seed, Instant.ofEpochSecond(counter, 999_999_999)))
                    .as("counter %d", counter).isEqualTo(RFC4226_CODES.get(counter));
        }
    }

    @Test
    void codeAt_oneDayPeriod_stepsEveryDay() {
        TotpSeed seed = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 6, Duration.ofDays(1)));

        for (int counter = 0; counter < RFC4226_CODES.size(); counter++) {
            assertThat(TotpGenerator.codeAt(seed, Instant.ofEpochSecond(counter * 86_400L + 86_399)))
                    .as("day %d", counter).isEqualTo(RFC4226_CODES.get(counter));
        }
    }

    @Test
    void window_oneDayPeriod_countsSecondsLeftInDay() {
        TotpSeed seed = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 6, Duration.ofDays(1)));

        TotpWindow window = TotpGenerator.window(seed, Instant.ofEpochSecond(5 * 86_400L + 43_210), Duration.ofSeconds(10));

        assertThat(window.code()).isEqualTo(RFC4226_CODES.get(5));
        assertThat(window.validForSeconds()).isEqualTo(86_400 - 43_210);
        assertThat(window.periodSeconds()).isEqualTo(86_400);
        assertThat(window.nextCode()).isEmpty();
    }

    @Test
    void window_oneSecondPeriod_isAlwaysValidForOneSecond() {
        TotpSeed seed = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 6, Duration.ofSeconds(1)));

        TotpWindow window = TotpGenerator.window(seed, Instant.ofEpochSecond(3, 500_000_000), Duration.ofSeconds(2));

        assertThat(window.validForSeconds()).isEqualTo(1);
        assertThat(window.code()).isEqualTo(RFC4226_CODES.get(3));
        assertThat(window.nextCode()).contains(RFC4226_CODES.get(4));
    }

    static Stream<Arguments> validForEdges() {
        return Stream.of(
                //           epoch seconds  nanos         validForSeconds
                Arguments.of(0L,            0,            30),
                Arguments.of(0L,            1,            30),
                Arguments.of(1L,            0,            29),
                Arguments.of(29L,           0,            1),
                Arguments.of(29L,           999_999_999,  1),
                Arguments.of(30L,           0,            30),
                Arguments.of(59L,           0,            1),
                Arguments.of(1111111109L,   0,            1),
                Arguments.of(1111111111L,   0,            29));
    }

    @ParameterizedTest(name = "{0}.{1} s")
    @MethodSource("validForEdges")
    void window_instantInStep_validForIsCeilingOfSecondsLeft(long epochSeconds, int nanos, int expected) {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        TotpWindow window = TotpGenerator.window(seed, Instant.ofEpochSecond(epochSeconds, nanos), Duration.ZERO);

        assertThat(window.validForSeconds()).isEqualTo(expected);
        assertThat(window.periodSeconds()).isEqualTo(30);
        assertThat(window.timestamp()).isEqualTo(Instant.ofEpochSecond(epochSeconds, nanos));
    }

    @Test
    void window_lessLeftThanThreshold_includesNextStepCode() {
        TotpSeed seed = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 8, THIRTY_SECONDS));

        TotpWindow window = TotpGenerator.window(seed, Instant.ofEpochSecond(1111111109L), Duration.ofSeconds(5));

        assertThat(window.code()).isEqualTo("07081804");
        assertThat(window.validForSeconds()).isEqualTo(1);
        // 1111111111 is in the next step (RFC 6238 Appendix B).
        assertThat(window.nextCode()).contains("14050471");
    }

    @Test
    void window_exactlyThresholdLeft_omitsNextCode() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        assertThat(TotpGenerator.window(seed, Instant.ofEpochSecond(25), Duration.ofSeconds(5)).nextCode()).isEmpty();
        assertThat(TotpGenerator.window(seed, Instant.ofEpochSecond(26), Duration.ofSeconds(5)).nextCode())
                .contains(TotpGenerator.codeAt(seed, Instant.ofEpochSecond(30)));
    }

    @Test
    void window_zeroThreshold_neverIncludesNextCode() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        assertThat(TotpGenerator.window(seed, Instant.ofEpochSecond(29, 999_999_999), Duration.ZERO).nextCode()).isEmpty();
    }

    @Test
    void window_thresholdLongerThanPeriod_alwaysIncludesNextCode() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        TotpWindow window = TotpGenerator.window(seed, Instant.ofEpochSecond(30), Duration.ofSeconds(31));

        assertThat(window.validForSeconds()).isEqualTo(30);
        assertThat(window.nextCode()).contains(TotpGenerator.codeAt(seed, Instant.ofEpochSecond(60)));
    }

    @Test
    void window_negativeThreshold_isRejected() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        assertThatThrownBy(() -> TotpGenerator.window(seed, Instant.EPOCH, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    @Test
    void codeAt_instantBeforeEpoch_isRejected() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        assertThatThrownBy(() -> TotpGenerator.codeAt(seed, Instant.ofEpochSecond(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be from 1970-01-01T00:00:00Z");
    }

    @Test
    void codeAt_instantAfterYear9999_isRejected() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);

        assertThat(TotpGenerator.codeAt(seed, TotpGenerator.MAX_INSTANT)).hasSize(6);
        assertThatThrownBy(() -> TotpGenerator.codeAt(seed, TotpGenerator.MAX_INSTANT.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9999-12-31T23:59:59Z");
    }

    @Test
    void codeAt_destroyedSeed_isRejected() {
        TotpSeed seed = seed(SEED_SHA1, TotpParameters.DEFAULT);
        seed.destroy();

        assertThatThrownBy(() -> TotpGenerator.codeAt(seed, Instant.EPOCH))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("destroyed");
    }

    @Test
    void codeAt_defaultLocaleWithArabicDigits_returnsAsciiDigits() {
        TotpSeed seed = seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 8, THIRTY_SECONDS));
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("ar-EG-u-nu-arab"));

            assertThat(TotpGenerator.codeAt(seed, Instant.ofEpochSecond(59))).isEqualTo("94287082");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void codeAt_manyThreadsSharingParameters_allAgreeWithSequentialResult() throws Exception {
        List<TotpSeed> seeds = List.of(
                seed(SEED_SHA1, new TotpParameters(HmacAlgorithm.SHA1, 8, THIRTY_SECONDS)),
                seed(SEED_SHA256, new TotpParameters(HmacAlgorithm.SHA256, 8, THIRTY_SECONDS)),
                seed(SEED_SHA512, new TotpParameters(HmacAlgorithm.SHA512, 8, THIRTY_SECONDS)));
        int steps = 2_000;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            expected.add(TotpGenerator.codeAt(seeds.get(i % 3), Instant.ofEpochSecond(i * 30L)));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    List<String> codes = new ArrayList<>();
                    for (int i = 0; i < steps; i++) {
                        codes.add(TotpGenerator.codeAt(seeds.get(i % 3), Instant.ofEpochSecond(i * 30L)));
                    }
                    return codes;
                }));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        }
    }

    @Test
    void format_smallValue_isZeroPadded() {
        assertThat(TotpGenerator.format(0, 6)).isEqualTo("000000");
        assertThat(TotpGenerator.format(42, 7)).isEqualTo("0000042");
        assertThat(TotpGenerator.format(99_999_999, 8)).isEqualTo("99999999");
    }

    private static TotpSeed seed(String ascii, TotpParameters parameters) {
        return TotpSeed.of(SecretBytes.copyOf(ascii.getBytes(StandardCharsets.US_ASCII)), parameters);
    }
}
