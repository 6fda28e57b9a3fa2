package dev.mfagate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryTest {

    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @Test
    void after_upToLatest_nowPlusLifetime() {
        assertThat(Expiry.after(NOW, Duration.ofDays(30), "--expires")).isEqualTo(Instant.parse("2026-05-31T12:00:00Z"));
        assertThat(Expiry.after(NOW, Duration.between(NOW, Expiry.LATEST), "--expires")).isEqualTo(Expiry.LATEST);
    }

    @Test
    void after_pastLatestOrBeyondInstant_refusedNamingTheBound() {
        assertThatThrownBy(() -> Expiry.after(NOW, Duration.between(NOW, Expiry.LATEST).plusSeconds(1), "--expires"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid --expires; must end by 9999-12-31T23:59:59Z, at most 2912322d from now");
        assertThatThrownBy(() -> Expiry.after(NOW, Duration.ofSeconds(Long.MAX_VALUE), "--expires"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end by 9999-12-31T23:59:59Z");
    }

    @Test
    void after_zeroOrNegativeLifetime_refused() {
        assertThatThrownBy(() -> Expiry.after(NOW, Duration.ZERO, "--expires"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Invalid --expires PT0S: must be longer than 0 (for example 30d)");
        assertThatThrownBy(() -> Expiry.after(NOW, Duration.ofSeconds(-1), "--expires"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be longer than 0");
    }

    @Test
    void requireRepresentable_pastLatest_refusedNamingValueAndBound() {
        assertThat(Expiry.requireRepresentable(Expiry.LATEST, "expires_at")).isEqualTo(Expiry.LATEST);
        assertThatThrownBy(() -> Expiry.requireRepresentable(Instant.MAX, "expires_at"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid expires_at +1000000000-12-31T23:59:59.999999999Z; must be at most 9999-12-31T23:59:59Z");
    }
}
