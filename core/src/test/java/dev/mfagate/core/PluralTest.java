package dev.mfagate.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.VerificationResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PluralTest {

    @ParameterizedTest
    @CsvSource({
            // n,  expected
            "0,    0 entries",
            "1,    1 entry",
            "2,    2 entries",
            "-1,   -1 entry",
            "1000, 1000 entries"})
    void of_count_nounInTheRightNumber(long n, String expected) {
        assertThat(Plural.of(n, "entry", "entries")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "1, OK: 1 entry verified",
            "2, OK: 2 entries verified"})
    void intactChain_describe_pluralRight(long n, String expected) {
        assertThat(new VerificationResult.Intact(n).describe()).isEqualTo(expected);
    }
}
