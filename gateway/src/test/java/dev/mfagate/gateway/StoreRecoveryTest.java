package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the file system under a running gateway on SQLite: service and readiness come back by
 * themselves once the fault is gone, with nobody restarting it, and no code leaves meanwhile.
 *
 * <p>A short write failure under load: the immutable attribute on the database and its WAL (see
 * {@link FileFaults}), so that writes through the pool's open connections fail and every
 * connection the pool opens meanwhile is opened read-only by SQLite, as for a service user that
 * lost write permission. A full disk: a small {@code tmpfs} under the data directory, filled up.
 */
class StoreRecoveryTest {

    @TempDir
    Path dir;
    private GatewayFixture gw;
    private String token;
    private Path[] files = new Path[0];
    private Path mounted;

    /** A gateway with two seeds and a token for every label, its data directory under {@code base}. */
    private void start(Path base) {
        gw = new GatewayFixture(base, "StoreRecoveryTest");
        gw.seed("acme-aws").seed("beta-vpn");
        token = gw.token("plain", "*", false);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
        Path db = gw.dataDir.resolve(Store.DATABASE_FILE_NAME);
        files = new Path[] {db, Path.of(db + "-wal")};
    }

    @AfterEach
    void stop() {
        FileFaults.immutable(false, files);
        if (gw != null) {
            gw.close();
        }
        if (mounted != null) {
            FileFaults.unmount(mounted);
        }
    }

    @Test
    void code_databaseAndWalUnwritableForOneSecondUnderLoad_serviceAndReadinessReturnByThemselves() throws Exception {
        FileFaults.requireImmutableAttribute(dir);
        start(dir);
        assertThat(gw.get("/code?label=acme-aws", token).status()).isEqualTo(200);

        List<Integer> during = underLoad(() -> {
            FileFaults.immutable(true, files);
            assertThat(openedNowCanWrite()).as("a connection SQLite opens now is read-only for good").isFalse();
        }, 1_000, () -> FileFaults.immutable(false, files));
        assertThat(during).as("answers completed while the files could not be written").doesNotContain(200);
        assertThat(openedNowCanWrite()).as("the files are writable again").isTrue();

        assertThat(awaitStatus("/readyz", null)).as("/readyz after the files are writable again").isEqualTo(200);
        GatewayFixture.Response r = gw.get("/code?label=acme-aws", token);
        assertThat(r.status()).as("a code after the files are writable again, without a restart").isEqualTo(200);
        assertThat(gw.hasCodeOf(r, "acme-aws")).isTrue();
        assertThat(gw.get("/code?label=beta-vpn", token).status()).isEqualTo(200);
        VerificationResult verified = new AuditVerifier(gw.store.database(), gw.store.keyring().auditMac()).verify();
        assertThat(verified.isIntact()).as("%s", verified.describe()).isTrue();
    }

    @Test
    void code_diskNearlyFull_503AndUnreadySayingWhyThenBackOnceSpaceIsFreed() throws Exception {
        mounted = Files.createDirectory(dir.resolve("disk"));
        FileFaults.mountTmpfs(mounted, 24 * 1024);
        start(mounted);
        assertThat(gw.get("/code?label=acme-aws", token).status()).isEqualTo(200);

        Path filler = mounted.resolve("filler");
        fill(filler, mounted.toFile().getUsableSpace() - Database.MIN_FREE_BYTES / 2);
        GatewayFixture.Response refused = gw.get("/code?label=acme-aws", token);
        assertThat(refused.status()).as("a code while the disk is nearly full").isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("audit_unavailable");
        assertThat(gw.holdsCodeOf(refused.body(), "acme-aws")).isFalse();
        GatewayFixture.Response unready = gw.get("/readyz", null);
        assertThat(unready.status()).isEqualTo(503);
        assertThat(unready.json().at("/checks/audit").asText()).as("readiness says why").startsWith("disk nearly full");
        assertThat(gw.get("/healthz", null).status()).as("the process lives on").isEqualTo(200);

        Files.delete(filler);
        assertThat(awaitStatus("/readyz", null)).as("/readyz once space is freed").isEqualTo(200);
        GatewayFixture.Response r = gw.get("/code?label=acme-aws", token);
        assertThat(r.status()).as("a code once space is freed, without a restart").isEqualTo(200);
        assertThat(gw.hasCodeOf(r, "acme-aws")).isTrue();
        assertThat(gw.audit()).as("the requests before and after, nothing of the refused one").hasSize(2);
    }

    /** Writes {@code bytes} real bytes (a tmpfs does not count a sparse file). */
    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    /** Whether a connection opened now, outside the gateway's pool, can write (and stays able to). */
    private boolean openedNowCanWrite() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + files[0]);
             java.sql.Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("DELETE FROM audit_head WHERE 0");
            return true;
        } catch (java.sql.SQLException e) {
            assertThat(e.getMessage()).as("the write is refused as read-only").contains("SQLITE_READONLY");
            return false;
        }
    }

    /** Something that may throw. */
    interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code fault}, waits {@code holdMillis}, then runs {@code repair}, while eight clients ask
     * for codes and readiness; the statuses of the code requests that started once the fault was in
     * place and completed before the repair began.
     */
    private List<Integer> underLoad(Step fault, long holdMillis, Step repair) throws Exception {
        AtomicBoolean faulty = new AtomicBoolean();
        AtomicBoolean repairing = new AtomicBoolean();
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> clients = new ArrayList<>();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(8);
            for (int i = 0; i < 8; i++) {
                String label = i % 2 == 0 ? "acme-aws" : "beta-vpn";
                clients.add(pool.submit(() -> {
                    started.countDown();
                    while (!repairing.get()) {
                        boolean startedFaulty = faulty.get();
                        int status = gw.get("/code?label=" + label, token).status();
                        if (startedFaulty && !repairing.get()) {
                            statuses.add(status);
                        }
                        gw.get("/readyz", null);
                    }
                    return null;
                }));
            }
            started.await();
            try {
                fault.run();
                faulty.set(true);
                Thread.sleep(holdMillis);
            } finally {
                repairing.set(true);
                repair.run();
            }
            for (Future<?> f : clients) {
                f.get();
            }
        }
        return List.copyOf(statuses);
    }

    /** The status of {@code path} once it is 200, or the last one after 15 s. */
    private int awaitStatus(String path, String tokenOrNull) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        int status;
        do {
            status = gw.get(path, tokenOrNull).status();
            if (status == 200) {
                return status;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return status;
    }
}
