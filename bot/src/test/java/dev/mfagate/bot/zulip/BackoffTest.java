package dev.mfagate.bot.zulip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void ceiling_doublesUpToMax() {
        assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.ceiling(10)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.ceiling(1000)).isEqualTo(Duration.ofSeconds(5));
    }

    @RepeatedTest(20)
    void delay_isBetweenHalfAndAllOfCeiling() {
        assertThat(backoff.delay(2)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void new_baseAboveMax_isRefusedWithBothValues() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("PT2S").hasMessageContaining("PT1S");
    }
}
