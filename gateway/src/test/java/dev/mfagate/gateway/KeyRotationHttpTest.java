package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.KeyRotation;
import dev.mfagate.core.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mfagate keys rotate} while the gateway serves: the rotation runs on its own store over
 * the same data directory, as the CLI does from another process, and every label asked for right
 * after it still gets its code, never a 500.
 *
 * <p>The gateway keeps sealed rows in memory for up to a second, so right after the rotation some
 * of its rows are still wrapped under the old KEK while others, read again, are wrapped under the
 * new one, which makes the gateway reload its keyset. The labels are first asked for spread over
 * one second, so their cached rows expire at different moments after the rotation.
 */
class KeyRotationHttpTest {

    private static final int LABELS = 24;

    @TempDir
    Path dir;
    private GatewayFixture gw;
    private String token;

    @BeforeEach
    void start() {
        gw = new GatewayFixture(dir, "KeyRotationHttpTest");
        for (int i = 0; i < LABELS; i++) {
            gw.seed(label(i));
        }
        token = gw.token("plain", "*", false);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private static String label(int i) {
        return "acme-svc" + i;
    }

    @Test
    void code_rightAfterKeysRotateElsewhere_everyLabelGetsItsCodeNever500() throws Exception {
        for (int i = 0; i < LABELS; i++) {
            assertThat(gw.get("/code?label=" + label(i), token).status()).isEqualTo(200);
            Thread.sleep(1_000 / LABELS);
        }

        KeyRotation rotation;
        try (Store cli = Store.open(gw.dataDir)) {
            rotation = cli.rotateKeys();
        }
        assertThat(rotation.rewrappedDataKeys()).isEqualTo(LABELS);

        ConcurrentHashMap<String, List<Integer>> statuses = new ConcurrentHashMap<>();
        List<String> wrongCodes = java.util.Collections.synchronizedList(new ArrayList<>());
        long until = System.nanoTime() + 1_500_000_000L;
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                running.add(clients.submit(() -> {
                    while (System.nanoTime() < until) {
                        for (int i = 0; i < LABELS; i++) {
                            GatewayFixture.Response r = gw.get("/code?label=" + label(i), token);
                            statuses.computeIfAbsent(label(i), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                    .add(r.status());
                            if (r.status() == 200 && !gw.hasCodeOf(r, label(i))) {
                                wrongCodes.add(label(i));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        assertThat(statuses).hasSize(LABELS);
        statuses.forEach((label, got) -> assertThat(got).as("statuses of %s right after the rotation", label)
                .isNotEmpty().containsOnly(200));
        assertThat(wrongCodes).as("labels whose code differed from the one computed from the seed").isEmpty();
    }
}
