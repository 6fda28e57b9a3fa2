package dev.mfagate.bot.zulip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateGuardTest {
    @Test
    void acquire_beyondBurst_waitsForRefill() throws Exception {
        RateGuard guard = new RateGuard(50, 5);
        long start = System.nanoTime();
        for (int i = 0; i < 15; i++) {
            guard.acquire();
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // 5 at once, then 10 more at 50/s: at least ~200 ms.
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(180);
    }

    @Test
    void acquire_withinBurst_doesNotWait() throws Exception {
        RateGuard guard = new RateGuard(1, 10);
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            guard.acquire();
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(100);
    }
}
