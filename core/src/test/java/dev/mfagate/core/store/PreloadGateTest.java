package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PreloadGateTest {

    @Test
    void run_beforeEnd_loads() {
        PreloadGate gate = new PreloadGate();
        AtomicInteger loads = new AtomicInteger();
        gate.run(loads::incrementAndGet);
        assertThat(loads).hasValue(1);
    }

    @Test
    void end_whileLoading_waitsForTheLoad_thenNoLoadStarts() throws Exception {
        PreloadGate gate = new PreloadGate();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        Thread loader = loadUntilReleased(gate, release, finished);

        CompletableFuture<Boolean> ended = CompletableFuture.supplyAsync(() -> gate.end(Duration.ofSeconds(30)));
        Thread.sleep(200);
        assertThat(ended).as("end() returned while the load was still running").isNotDone();

        release.countDown();
        assertThat(ended.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(finished).as("the load had finished when end() returned").hasValue(1);
        loader.join(10_000);

        AtomicInteger later = new AtomicInteger();
        gate.run(later::incrementAndGet);
        assertThat(later).as("a load after end()").hasValue(0);
    }

    @Test
    void end_loadLongerThanTheWait_returnsFalseAfterTheWait() throws Exception {
        PreloadGate gate = new PreloadGate();
        CountDownLatch release = new CountDownLatch(1);
        Thread loader = loadUntilReleased(gate, release, new AtomicInteger());
        long start = System.nanoTime();
        assertThat(gate.end(Duration.ofMillis(100))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        release.countDown();
        loader.join(10_000);
    }

    /**
     * Starts a load through {@code gate} that lasts until {@code release}, then counts in
     * {@code finished}; returns once the load runs.
     */
    private static Thread loadUntilReleased(PreloadGate gate, CountDownLatch release, AtomicInteger finished)
            throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        Thread loader = Thread.ofPlatform().start(() -> gate.run(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.incrementAndGet();
        }));
        assertThat(entered.await(10, TimeUnit.SECONDS)).as("the load started").isTrue();
        return loader;
    }
}
