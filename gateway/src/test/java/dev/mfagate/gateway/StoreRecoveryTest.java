package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short write failure of the SQLite files under a running gateway, under load: service and
 * readiness come back by themselves once the files are writable again, with nobody restarting it.
 *
 * <p>The fault is the immutable attribute on the database and its WAL (see {@link FileFaults}):
 * writes through the pool's open connections fail, and every connection the pool opens meanwhile
 * is opened read-only by SQLite, as for a service user that lost write permission.
 */
class StoreRecoveryTest {

    @TempDir
    Path dir;
    private GatewayFixture gw;
    private String token;
    private Path[] files;

    @BeforeEach
    void start() {
        FileFaults.requireImmutableAttribute(dir);
        gw = new GatewayFixture(dir, "StoreRecoveryTest");
        gw.seed("acme-aws").seed("beta-vpn");
        token = gw.token("plain", "*", false);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
        Path db = gw.dataDir.resolve(Store.DATABASE_FILE_NAME);
        files = new Path[] {db, Path.of(db + "-wal")};
    }

    @AfterEach
    void stop() {
        FileFaults.immutable(false, files);
        gw.close();
    }

    @Test
    void code_databaseAndWalUnwritableForOneSecondUnderLoad_serviceAndReadinessReturnByThemselves() throws Exception {
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
