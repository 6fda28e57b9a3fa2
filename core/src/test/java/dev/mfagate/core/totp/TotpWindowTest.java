package dev.mfagate.core.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TotpWindowTest {

    @Test
    void toString_anyWindow_hidesCodes() {
        TotpWindow window = new TotpWindow("123456", 3, 30, Instant.EPOCH, Optional.of("654321"));

        assertThat(window.toString()).doesNotContain("123456").doesNotContain("654321").contains("validForSeconds=3");
    }

    @Test
    void new_validForBeyondPeriod_isRejected() {
        assertThatThrownBy(() -> new TotpWindow("123456", 31, 30, Instant.EPOCH, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid validForSeconds 31; must be from 1 to the period 30");
    }

    @Test
    void new_codeWithNonAsciiDigit_isRejected() {
        assertThatThrownBy(() -> new TotpWindow("12345\u0661", 1, 30, Instant.EPOCH, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("character 6 is not an ASCII digit");
    }

    @Test
    void new_nextCodeOfOtherLength_isRejected() {
        assertThatThrownBy(() -> new TotpWindow("123456", 1, 30, Instant.EPOCH, Optional.of("1234567")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must equal the code length 6");
    }
}
