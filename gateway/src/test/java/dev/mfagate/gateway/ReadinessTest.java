package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void report_checksRunAtOnce_eachGivenTheSameDeadline() throws Exception {
        // Each check answers only once all three are running: one after another (as before), the first
        // would wait out its latch, as checks waited out the pool's timeout while the database was down.
        CountDownLatch allRunning = new CountDownLatch(3);
        Readiness.Check together = () -> {
            allRunning.countDown();
            try {
                return allRunning.await(10, TimeUnit.SECONDS) ? "ok" : "alone";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        };
        CountDownLatch never = new CountDownLatch(1);
        Readiness readiness = new Readiness().require("store", together).require("audit", together).degradeOn("clock", together);
        Readiness.Report report = readiness.report();
        assertThat(report.checks()).containsExactly(Map.entry("store", "ok"), Map.entry("audit", "ok"), Map.entry("clock", "ok"));
        assertThat(report.status()).isEqualTo("ready");

        Readiness stuck = new Readiness().require("store", () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "ok";
        });
        Readiness.Report unanswered = stuck.report();
        assertThat(unanswered.checks()).containsEntry("store", Readiness.NO_ANSWER);
        assertThat(unanswered.ready()).isFalse();
        never.countDown();
    }

    @Test
    void report_groupThatCannotBeRead_namedUnderItsPrefix_countedForAnyone() {
        Readiness readiness = new Readiness().require("store", () -> "ok").degradeOnEach("tenant_key", () -> {
            throw new IllegalStateException("database away");
        }, "ok"::equals);
        assertThat(readiness.report().checks()).containsEntry("tenant_key", "failed: IllegalStateException")
                .doesNotContainKey("tenant_key:");
        assertThat(readiness.report(false).checks()).containsEntry("tenant_key", "1 failed");
        assertThat(readiness.report().status()).isEqualTo("degraded");

        Readiness tenants = new Readiness().degradeOnEach("tenant_key",
                () -> Map.of("acme", "ok", "beta", "unavailable: Key provider transit:https://vault.beta.example/x", "gamma", "ok"),
                s -> s.equals("ok") || s.equals("revoked"));
        assertThat(tenants.report(false).checks()).containsExactly(Map.entry("tenant_key", "2 ok, 1 unavailable"));
        assertThat(tenants.report(true).checks()).containsKeys("tenant_key:acme", "tenant_key:beta", "tenant_key:gamma");
    }
}
