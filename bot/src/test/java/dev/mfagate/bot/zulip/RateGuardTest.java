package dev.mfagate.bot.zulip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.bot.zulip.RateGuard.Lane;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RateGuardTest {
    @Test
    void acquire_beyondBurst_waitsForRefill() throws Exception {
        RateGuard guard = new RateGuard(50, 5);
        long start = System.nanoTime();
        for (int i = 0; i < 15; i++) {
            guard.acquire(Lane.REPLY);
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
            guard.acquire(Lane.HOUSEKEEPING);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(100);
    }

    @Test
    void acquire_replyArrivingBehindQueuedHousekeeping_isServedFirst() throws Exception {
        RateGuard guard = new RateGuard(10, 1);
        guard.acquire(Lane.HOUSEKEEPING); // the bucket is empty from here on
        List<String> served = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "housekeeping " + i;
            threads.add(Thread.ofVirtual().start(() -> take(guard, Lane.HOUSEKEEPING, name, served)));
        }
        while (guard.waiting(Lane.HOUSEKEEPING) + served.size() < 8) {
            Thread.onSpinWait();
        }
        int servedBefore = served.size();
        threads.add(Thread.ofVirtual().start(() -> take(guard, Lane.REPLY, "reply", served)));
        for (Thread t : threads) {
            t.join();
        }
        assertThat(served).hasSize(9);
        assertThat(served.indexOf("reply")).as("the reply waits for the next permit only, not behind the queue: %s", served)
                .isLessThanOrEqualTo(servedBefore + 1);
    }

    private static void take(RateGuard guard, Lane lane, String name, List<String> served) {
        try {
            guard.acquire(lane);
            served.add(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
