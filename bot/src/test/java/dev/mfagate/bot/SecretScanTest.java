package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretScanTest {

    private static final List<String> CODE = List.of("117624");

    @Test
    void findings_codeStandingAlone_found() {
        assertThat(SecretScan.findings("line", List.of("{\"message\":\"your code is 117624\"}"), CODE, List.of()))
                .containsExactly("line #0 holds a code");
        assertThat(SecretScan.findings("reply", List.of("`117624` (valid 20 s)"), CODE, List.of())).hasSize(1);
    }

    @Test
    void findings_sameDigitsInATimestampAMacOrAHashCode_notACode() {
        List<String> lines = List.of(
                "{\"time\":\"2026-12-07T01:29:42.117624Z\",\"outcome\":\"ALLOWED\"}",
                "{\"mac\":\"01a60833be98d88a3f7f9bea67cbcf117624d2b7fbe2826\"}",
                "{\"message\":\"connection org.sqlite.jdbc4.JDBC4Connection@117624dd closed\"}",
                "{\"@timestamp\":\"2026-12-07T01:31:06.117624149Z\"}");
        assertThat(SecretScan.findings("line", lines, CODE, List.of())).isEmpty();
    }

    @Test
    void findings_credential_foundAnywhere() {
        assertThat(SecretScan.findings("line", List.of("Authorization: Bearer abcSECRETxyz"), List.of(), List.of("SECRET")))
                .containsExactly("line #0 holds a credential");
    }
}
