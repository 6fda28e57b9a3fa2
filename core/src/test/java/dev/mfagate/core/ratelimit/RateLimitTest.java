package dev.mfagate.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    @Test
    void toString_writtenOut_matchesTheRecordForm() {
        assertThat(new RateLimit(5, 2, Duration.ofMinutes(1)))
                .hasToString("RateLimit[capacity=5, refillTokens=2, refillPeriod=PT1M]");
    }

}
