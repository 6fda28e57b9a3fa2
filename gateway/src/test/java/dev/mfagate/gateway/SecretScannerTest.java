package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.testing.TestSeeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scanner behind {@link ZzSecretScanIT}: it must find planted leaks, or the final scan proves nothing. */
class SecretScannerTest {

    /** A fixed, made-up seed whose hex has letters and whose base64 has '+' and '/', so every form differs. */
    private static final byte[] SEED = HexFormat.of().parseHex("fbefbeface0102030405060708090a0b0c0d0e0f");
    private static final String B32 = TestSeeds.base32(SEED);
    private static final String CODE = "493027";
    private static final SecretScanner SCANNER = new SecretScanner(
            new SecretRegistry.Contents(Set.of(CODE, "00118822"), Set.of(HexFormat.of().formatHex(SEED))));

    static Stream<Arguments> lines() {
        return Stream.of(
                //            line                                                                     kinds found
                Arguments.of("issued " + CODE + " to bob",                                            List.of("code")),
                Arguments.of("{\"code\":\"" + CODE + "\",\"valid_for\":21}",                          List.of("code")),
                Arguments.of("next=" + CODE,                                                          List.of("code")),
                Arguments.of("eight digits 00118822 too",                                             List.of("code")),
                Arguments.of("part of a longer number 1" + CODE,                                      List.of()),
                Arguments.of("part of a longer number " + CODE + "0",                                 List.of()),
                Arguments.of("{\"time\":\"2025-09-02T22:29:39." + CODE + "Z\"}",                      List.of()),
                Arguments.of("\"@timestamp\":\"2025-09-02T22:29:39.123+00:00\" x " + CODE,            List.of("code")),
                Arguments.of("22:29:39.493 INFO something",                                           List.of()),
                Arguments.of("at 22:29:39." + CODE + " six fraction digits are no log time",          List.of("code")),
                Arguments.of("{\"instance_id\":\"host:" + CODE + "\"}",                               List.of()),
                Arguments.of("{\"seq\":7,\"mac\":\"01ab" + CODE + "cd\"}",                               List.of()),
                Arguments.of("anchor 12:01ab" + CODE + "cdef0123456789",                              List.of()),
                Arguments.of("pool connection org.sqlite.jdbc4.JDBC4Connection@" + CODE + "dd",       List.of()),
                Arguments.of("seed=" + B32,                                                           List.of("seed (base32)")),
                Arguments.of("seed=" + B32.substring(0, 16) + "...",                                  List.of("seed (base32)")),
                Arguments.of("seed=" + B32.toLowerCase(Locale.ROOT),                                  List.of("seed (base32, lower-case)")),
                Arguments.of("bytes " + HexFormat.of().formatHex(SEED),                               List.of("seed (hex)")),
                Arguments.of("bytes " + HexFormat.of().withUpperCase().formatHex(SEED),               List.of("seed (hex, upper-case)")),
                Arguments.of("b64 " + Base64.getEncoder().encodeToString(SEED),                       List.of("seed (base64)")),
                Arguments.of("seed " + B32 + " and code " + CODE,                                     List.of("code", "seed (base32)")),
                Arguments.of("a different seed " + TestSeeds.base32(TestSeeds.randomBytes(20)),       List.of()),
                Arguments.of("no secret here: 493028 and 12345",                                      List.of()));
    }

    @ParameterizedTest(name = "[{index}] finds {1}")
    @MethodSource("lines")
    void kindsIn_plantedOrInnocentLine_findsExactlyTheLeaks(String line, List<String> kinds) {
        assertThat(SCANNER.kindsIn(line)).as("secrets the scanner must report in a planted line").isEqualTo(kinds);
    }

    @Test
    void scan_fileWithPlantedLeak_namesFileAndLineButNotTheSecret(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Files.writeString(log, "first line\nsecond line, the code is " + CODE + "\nthird line\n");
        List<SecretScanner.Finding> findings = SCANNER.scan(log);
        assertThat(findings).containsExactly(new SecretScanner.Finding(log, 2, "code"));
        assertThat(findings.get(0).toString()).as("a finding must not repeat the secret it found").doesNotContain(CODE);
    }

    @Test
    void registry_writtenThenRead_holdsCodesAndSeeds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets.txt");
        Files.writeString(file, "code " + CODE + "\nseed " + HexFormat.of().formatHex(SEED) + "\n");
        SecretRegistry.Contents c = SecretRegistry.read(file);
        assertThat(c.codes()).containsExactly(CODE);
        assertThat(c.seedsHex()).containsExactly(HexFormat.of().formatHex(SEED));
    }
}
