package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.Rejections.assertRejected;
import static dev.mfagate.core.seed.Rejections.randomBase32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SeedParserTest {

    /** The well-known documentation secret, "Hello!" followed by DEADBEEF. */
    private static final String FAKE = "JBSWY3DPEHPK3PXP";
    private static final SecretBytes FAKE_BYTES = SecretBytes.copyOf(HexFormat.of().parseHex("48656c6c6f21deadbeef"));

    private final Random random = new Random(20250901);
    private final String secret = randomBase32(random, 20);

    @ParameterizedTest
    @ValueSource(strings = {"JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp", "JBSW Y3DP EHPK 3PXP", "jbsw-y3dp-ehpk-3pxp",
            "JBSWY3DPEHPK3PXP\n", "  JBSWY3DPEHPK3PXP \r\n", "JBSWY3DPEHPK3PXP======"})
    void parse_base32InCommonShapes_decodesSameSecretWithDefaults(String text) throws Exception {
        TotpSeed seed = SeedParser.parse(text);

        assertThat(seed.secret().equalsSecretBytes(FAKE_BYTES)).isTrue();
        assertThat(seed.parameters()).isEqualTo(TotpParameters.DEFAULT);
        assertThat(seed.issuer()).isEmpty();
        assertThat(seed.accountName()).isEmpty();
    }

    @Test
    void parse_base32WithPaddingOfLongSecret_decodesAllBytes() throws Exception {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String padded = new Base32().encodeToString(bytes);

        assertThat(padded).endsWith("====");
        assertThat(SeedParser.parse(padded).secret().equalsSecretBytes(SecretBytes.copyOf(bytes))).isTrue();
    }

    @Test
    void parse_characterOutsideAlphabet_isRejectedByPositionNotText() {
        String text = secret.substring(0, 9) + "1" + secret.substring(10);

        assertRejected(() -> SeedParser.parse(text), Kind.BAD_BASE32,
                "secret is not base32: character 10 is not in A-Z or 2-7", secret);
    }

    @Test
    void parse_paddingInTheMiddle_isRejected() {
        String text = secret.substring(0, 8) + "=" + secret.substring(8);

        assertRejected(() -> SeedParser.parse(text), Kind.BAD_BASE32, "character 10 follows '=' padding", secret);
    }

    @Test
    void parse_impossibleBase32Length_isRejected() {
        String text = secret + "A";

        assertRejected(() -> SeedParser.parse(text), Kind.BAD_BASE32,
                "33 characters is not a length any secret encodes to", secret);
    }

    @Test
    void parse_secretOfFiveBytes_isTooShort() {
        String shortSecret = randomBase32(random, 5);

        assertRejected(() -> SeedParser.parse(shortSecret), Kind.SECRET_TOO_SHORT,
                "secret is 5 bytes; must be at least 10 bytes", shortSecret);
    }

    @Test
    void parse_secretOf129Bytes_isTooLong() {
        String longSecret = randomBase32(random, 129);

        assertRejected(() -> SeedParser.parse(longSecret), Kind.SECRET_TOO_LONG,
                "must be at most 128 bytes", longSecret);
    }

    @Test
    void parse_hugeInput_isRejectedBeforeDecoding() {
        String huge = randomBase32(random, 100_000);

        assertRejected(() -> SeedParser.parse(huge), Kind.SECRET_TOO_LONG, "has more than 205 base32 characters", huge.substring(0, 400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n", " \t\r\n"})
    void parse_blank_isEmptyInput(String text) {
        assertRejected(() -> SeedParser.parse(text), Kind.EMPTY_INPUT, "input is empty");
    }

    @Test
    void parse_fullUri_honoursEveryParameter() throws Exception {
        String uri = "otpauth://totp/ACME%20Co:alice%40example.com?secret=" + FAKE
                + "&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60";

        TotpSeed seed = SeedParser.parse(uri);

        assertThat(seed.secret().equalsSecretBytes(FAKE_BYTES)).isTrue();
        assertThat(seed.parameters()).isEqualTo(new TotpParameters(HmacAlgorithm.SHA256, 8, Duration.ofSeconds(60)));
        assertThat(seed.issuer()).contains("ACME Co");
        assertThat(seed.accountName()).contains("alice@example.com");
    }

    static Stream<Arguments> issuers() {
        return Stream.of(
                //           label                    query                      issuer        account
                Arguments.of("Label%20Inc:bob",       "&issuer=Param%20Inc",     "Param Inc",  "bob"),
                Arguments.of("Label%20Inc:bob",       "&issuer=Param+Inc",       "Param Inc",  "bob"),
                Arguments.of("Label%20Inc:%20bob",    "",                        "Label Inc",  "bob"),
                Arguments.of("Label Inc: bob",        "&issuer=",                "Label Inc",  "bob"),
                Arguments.of("bob",                   "&issuer=Param",           "Param",      "bob"),
                Arguments.of("a%2Bb",                 "",                        null,         "a+b"),
                Arguments.of("M%C3%BCller:m%C3%BC",   "",                        "Müller",     "mü"));
    }

    @ParameterizedTest(name = "{0}{1}")
    @MethodSource("issuers")
    void parse_uriIssuer_parameterWinsOverLabelPrefix(String label, String query, String issuer, String account) throws Exception {
        TotpSeed seed = SeedParser.parse("otpauth://totp/" + label + "?secret=" + FAKE + query);

        assertThat(seed.issuer().orElse(null)).isEqualTo(issuer);
        assertThat(seed.accountName().orElse(null)).isEqualTo(account);
    }

    @Test
    void parse_uriInOtherCaseWithUnknownParameters_isAccepted() throws Exception {
        TotpSeed seed = SeedParser.parse("OTPAUTH://TOTP/x?Secret=" + FAKE.toLowerCase() + "&image=https%3A%2F%2Fexample.com%2Fa.png&algorithm=sha512");

        assertThat(seed.parameters().algorithm()).isEqualTo(HmacAlgorithm.SHA512);
    }

    @Test
    void parse_uriPeriodEdges_areAccepted() throws Exception {
        assertThat(SeedParser.parse("otpauth://totp/x?secret=" + FAKE + "&period=1").parameters().periodSeconds()).isEqualTo(1);
        assertThat(SeedParser.parse("otpauth://totp/x?secret=" + FAKE + "&period=86400").parameters().periodSeconds()).isEqualTo(86_400);
        assertThat(SeedParser.parse("otpauth://totp/x?secret=" + FAKE + "&digits=7").parameters().digits()).isEqualTo(7);
    }

    @Test
    void parse_hotpUri_isNotTotp() {
        assertRejected(() -> SeedParser.parse("otpauth://hotp/x?secret=" + secret + "&counter=3"), Kind.NOT_TOTP,
                "only TOTP seeds are served", secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MD5", "SHA3", "SHA-1", ""})
    void parse_uriUnknownAlgorithm_isRejected(String algorithm) {
        assertRejected(() -> SeedParser.parse("otpauth://totp/x?secret=" + secret + "&algorithm=" + algorithm),
                Kind.UNKNOWN_ALGORITHM, "must be SHA1, SHA256 or SHA512", secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "9", "+6", "%D9%A6", "06x", "", "60000000000"})
    void parse_uriDigitsOutOfRangeOrNotPlainDigits_isRejected(String digits) {
        assertRejected(() -> SeedParser.parse("otpauth://totp/x?secret=" + secret + "&digits=" + digits),
                Kind.DIGITS_OUT_OF_RANGE, "must be 6, 7 or 8", secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "86401", "+30", "30s", "-1", "", "999999999999"})
    void parse_uriPeriodOutOfRangeOrNotPlainDigits_isRejected(String period) {
        assertRejected(() -> SeedParser.parse("otpauth://totp/x?secret=" + secret + "&period=" + period),
                Kind.PERIOD_OUT_OF_RANGE, "must be whole seconds from 1 to 86400", secret);
    }

    static Stream<Arguments> badUris() {
        return Stream.of(
                //           URI (SECRET is replaced)                                  rule in the message
                Arguments.of("otpauth://totp/x?issuer=y",                             "has no secret parameter"),
                Arguments.of("otpauth://totp/x?secret=",                              "has no secret parameter"),
                Arguments.of("otpauth://totp/x?secret=SECRET&secret=SECRET",          "parameter 'secret' appears more than once"),
                Arguments.of("otpauth://totp/x?secret=SECRET&issuer=%G1",             "must be followed by two hex digits"),
                Arguments.of("otpauth://totp/x?secret=SECRET&issuer=%\u0661\u0662",   "must be followed by two hex digits"),
                Arguments.of("otpauth://totp/x?secret=SECRET&issuer=%FF",             "not valid UTF-8"),
                Arguments.of("otpauth://totp/x%?secret=SECRET",                       "must be followed by two hex digits"),
                Arguments.of("otpauth://steam/x?secret=SECRET",                       "type 'steam' is not totp"),
                Arguments.of("otpauth://totp?secret=SECRET",                          "must look like otpauth://totp/ISSUER:ACCOUNT"),
                Arguments.of("otpauth://totp/x?secret=SECRET\u0007",                  "control character at position"),
                Arguments.of("otpauth://totp/x?secret=SECRET#frag",                   "raw '#'"),
                Arguments.of("otpauth-migration://offline?data=SECRET",               "holds several seeds"),
                Arguments.of("https://example.com/?secret=SECRET",                    "not otpauth://totp/"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badUris")
    void parse_malformedUri_isBadUri(String uri, String rule) {
        assertRejected(() -> SeedParser.parse(uri.replace("SECRET", secret)), Kind.BAD_URI, rule, secret);
    }

    @Test
    void parse_overlongUri_isBadUri() {
        String uri = "otpauth://totp/" + "x".repeat(5000) + "?secret=" + secret;

        assertRejected(() -> SeedParser.parse(uri), Kind.BAD_URI, "must be at most 4096", secret);
    }

    @Test
    void parse_uriSecretNotBase32_namesSecretParameterAndPosition() {
        String bad = secret.substring(0, 4) + "!" + secret.substring(5);

        assertRejected(() -> SeedParser.parse("otpauth://totp/x?secret=" + bad), Kind.BAD_BASE32,
                "secret parameter is not base32: character 5", secret);
    }

    @Test
    void parse_uriSecretTooShort_isRejected() {
        String shortSecret = randomBase32(random, 8);

        assertRejected(() -> SeedParser.parse("otpauth://totp/x?secret=" + shortSecret), Kind.SECRET_TOO_SHORT,
                "secret parameter is 8 bytes; must be at least 10 bytes", shortSecret);
    }

    @Test
    void toString_parsedSeed_hidesSecret() throws Exception {
        TotpSeed seed = SeedParser.parse(secret);

        Rejections.assertNoSecret(seed.toString(), secret);
    }
}
