package dev.mfagate.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import dev.mfagate.core.testing.RandomKeyChainMac;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

class AuditLogTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant T0 = Instant.parse("2025-11-02T10:00:00.123456789Z");

    final ChainMac mac = new RandomKeyChainMac();

    static AuditEvent event(int i) {
        return AuditEvent.builder(T0.plusSeconds(i), i % 3 == 0 ? Outcome.DENIED : Outcome.ALLOWED)
                .requestId("req-" + i).route("GET /code").tokenId("bot-1")
                .zulipUser(42L, "ann@example.com").label("acme-aws").reason(i % 3 == 0 ? "NO_MATCHING_RULE" : "rule:acme-team")
                .ruleId(i % 3 == 0 ? null : "acme-team").remoteAddress("10.0.0.5").instanceId("gw-1").build();
    }

    /** Counts batches and entries per batch. */
    static final class Recorder implements AuditLogListener {
        final ConcurrentLinkedQueue<Integer> committed = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Integer> failed = new ConcurrentLinkedQueue<>();

        @Override
        public void batchCommitted(int entries, Duration commitLatency) {
            committed.add(entries);
        }

        @Override
        public void batchFailed(int entries, Exception cause) {
            failed.add(entries);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void appendDurably_sequence_contiguousSeqsVerifiesAndExportsEveryField(Backend backend) {
        Database db = DBS.fresh(backend).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            for (int i = 1; i <= 5; i++) {
                assertThat(log.appendDurably(event(i))).isEqualTo(i);
            }
        }
        assertThat(new AuditVerifier(db, mac).verify()).isEqualTo(new VerificationResult.Intact(5));
        List<AuditEntry> exported = new ArrayList<>();
        new AuditExporter(db).forEach(Instant.EPOCH, T0.plusSeconds(100), exported::add);
        assertThat(exported).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(exported.get(2).event()).isEqualTo(event(3));
        assertThat(exported.get(2).event().time()).isEqualTo(Instant.parse("2025-11-02T10:00:03.123456Z"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_200ConcurrentVirtualThreads_fewBatchesAndChainVerifies(Backend backend) throws Exception {
        Database db = DBS.fresh(backend).db();
        Recorder recorder = new Recorder();
        Set<Long> seqs = new HashSet<>();
        try (AuditLog log = AuditLog.builder(db, mac).listener(recorder).build()) {
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<java.util.concurrent.Future<Long>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    results.add(threads.submit(() -> log.appendDurably(event(n))));
                }
                for (var f : results) {
                    seqs.add(f.get());
                }
            }
        }
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
        assertThat(recorder.committed.stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
        assertThat(recorder.committed.size()).as("commits for 200 entries").isLessThan(50);
        assertThat(recorder.failed).isEmpty();
        assertThat(new AuditVerifier(db, mac).verify()).isEqualTo(new VerificationResult.Intact(200));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_twoInstancesConcurrently_oneContiguousChain(Backend backend) throws Exception {
        var store = DBS.fresh(backend);
        Database a = store.db();
        Database b = store.openAnother();
        Set<Long> seqs = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (AuditLog first = AuditLog.builder(a, mac).maxBatch(7).build();
             AuditLog second = AuditLog.builder(b, mac).maxBatch(7).build();
             var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                AuditLog log = i % 2 == 0 ? first : second;
                int n = i;
                results.add(threads.submit(() -> seqs.add(log.appendDurably(event(n)))));
            }
            for (var f : results) {
                f.get();
            }
        }
        assertThat(seqs).hasSize(120).allMatch(s -> s >= 1 && s <= 120);
        assertThat(new AuditVerifier(b, mac).verify()).isEqualTo(new VerificationResult.Intact(120));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_threeInstancesContendingInSmallBatches_everyEntryOnceOneChain(Backend backend) throws Exception {
        var store = DBS.fresh(backend);
        List<Database> dbs = List.of(store.db(), store.openAnother(), store.openAnother());
        Set<Long> seqs = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int entries = 600;
        try (AuditLog first = AuditLog.builder(dbs.get(0), mac).maxBatch(3).build();
             AuditLog second = AuditLog.builder(dbs.get(1), mac).maxBatch(3).build();
             AuditLog third = AuditLog.builder(dbs.get(2), mac).maxBatch(3).build();
             var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<AuditLog> logs = List.of(first, second, third);
            List<java.util.concurrent.Future<?>> results = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                AuditLog log = logs.get(i % 3);
                int n = i;
                results.add(threads.submit(() -> assertThat(seqs.add(log.appendDurably(event(n)))).isTrue()));
            }
            for (var f : results) {
                f.get();
            }
        }
        assertThat(seqs).as("every entry at its own seq, none lost").hasSize(entries).allMatch(s -> s >= 1 && s <= entries);
        assertThat(countEntries(dbs.get(0))).isEqualTo(entries);
        assertThat(new AuditVerifier(dbs.get(2), mac).verify()).isEqualTo(new VerificationResult.Intact(entries));
    }

    @Test
    void append_databaseTurnsReadOnlyMidBatch_failsClosedNothingWrittenThenRecovers() {
        Database db = DBS.fresh(Backend.SQLITE).db();
        AtomicBoolean readOnly = new AtomicBoolean();
        Recorder recorder = new Recorder();
        try (AuditLog log = AuditLog.builder(db, mac).listener(recorder)
                .beforeHeadUpdate(h -> {
                    if (readOnly.get()) {
                        h.execute("PRAGMA query_only = ON");
                    }
                })
                .build()) {
            assertThat(log.appendDurably(event(1))).isEqualTo(1);

            readOnly.set(true);
            assertThatThrownBy(() -> log.appendDurably(event(2)))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("cannot be written");
            assertThat(recorder.failed).containsExactly(1);
            assertThat(countEntries(db)).as("the entry inserted before the failure was rolled back").isEqualTo(1);
            assertThat(new AuditVerifier(db, mac).verify()).isEqualTo(new VerificationResult.Intact(1));

            readOnly.set(false);
            // The database becomes writable again: fresh connections, without query_only.
            db.dataSource().getHikariPoolMXBean().softEvictConnections();
            assertThat(log.appendDurably(event(3))).as("recovers from the stored head").isEqualTo(2);
        }
        assertThat(new AuditVerifier(db, mac).verify()).isEqualTo(new VerificationResult.Intact(2));
    }

    /** The head row as stored: what someone who once read it could put back. */
    static Object[] headRow(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT seq, mac, head_mac FROM audit_head WHERE id = 1")
                .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getBytes(2), rs.getBytes(3)}).one());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_tailCutAndAnOldHeadPutBack_refusedNothingAppendedAndAnchorShowsIt(Backend backend) {
        var store = DBS.fresh(backend);
        Database db = store.db();
        Recorder recorder = new Recorder();
        try (AuditLog log = AuditLog.builder(db, mac).listener(recorder).build()) {
            for (int i = 1; i <= 3; i++) {
                log.appendDurably(event(i));
            }
            Object[] oldHead = headRow(db);
            for (int i = 4; i <= 6; i++) {
                log.appendDurably(event(i));
            }
            AuditAnchor sixth = new AuditVerifier(db, mac).headAnchor().orElseThrow();
            Database attacker = store.openAnother();
            attacker.jdbi().useHandle(h -> {
                h.execute("DELETE FROM audit_entry WHERE seq > 3");
                h.createUpdate("UPDATE audit_head SET seq = :s, mac = :m, head_mac = :hm WHERE id = 1")
                        .bind("s", (long) oldHead[0]).bind("m", (byte[]) oldHead[1]).bind("hm", (byte[]) oldHead[2]).execute();
            });
            assertThat(new AuditVerifier(db, mac).verify()).as("the database alone verifies").isEqualTo(new VerificationResult.Intact(3));

            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> log.appendDurably(event(7)))
                        .isInstanceOf(AuditUnavailableException.class)
                        .hasMessageContaining("rolled back")
                        .satisfies(e -> assertThat(((AuditUnavailableException) e).chainTampered()).isTrue());
            }
            assertThat(countEntries(db)).as("nothing appended after the rolled-back head").isEqualTo(3);
            assertThat(recorder.failed).hasSize(2);
            assertThat(new AuditVerifier(db, mac).verify(List.of(sixth))).isEqualTo(new VerificationResult.RolledBack(6, 3));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_anotherWriterAppendedSince_accepted(Backend backend) {
        var store = DBS.fresh(backend);
        try (AuditLog first = AuditLog.builder(store.db(), mac).build();
             AuditLog second = AuditLog.builder(store.openAnother(), mac).build()) {
            assertThat(first.appendDurably(event(1))).isEqualTo(1);
            assertThat(second.appendDurably(event(2))).isEqualTo(2);
            assertThat(second.appendDurably(event(3))).isEqualTo(3);
            assertThat(first.appendDurably(event(4))).as("the head moved past this writer's entry, which is still there").isEqualTo(4);
        }
        assertThat(new AuditVerifier(store.db(), mac).verify()).isEqualTo(new VerificationResult.Intact(4));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_ownEntryReplacedWhileOthersAppended_refused(Backend backend) {
        var store = DBS.fresh(backend);
        Database db = store.db();
        try (AuditLog first = AuditLog.builder(db, mac).build();
             AuditLog second = AuditLog.builder(store.openAnother(), mac).build()) {
            first.appendDurably(event(1));
            first.appendDurably(event(2));
            Object[] headAt1 = db.jdbi().withHandle(h -> h.createQuery("SELECT seq, mac FROM audit_entry WHERE seq = 1")
                    .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getBytes(2)}).one());
            // Cut entry 2, put back the head of entry 1 (made here with the key: someone read it then).
            db.jdbi().useHandle(h -> {
                h.execute("DELETE FROM audit_entry WHERE seq = 2");
                h.createUpdate("UPDATE audit_head SET seq = 1, mac = :m, head_mac = :hm WHERE id = 1")
                        .bind("m", (byte[]) headAt1[1]).bind("hm", mac.computeMac(ChainRow.headBytes(1, (byte[]) headAt1[1])))
                        .execute();
            });
            // Another writer that did not see entry 2 appends over the gap, past this writer's last entry.
            assertThat(second.appendDurably(event(3))).isEqualTo(2);
            assertThat(second.appendDurably(event(4))).isEqualTo(3);
            assertThatThrownBy(() -> first.appendDurably(event(5))).as("entry 2 is not the one this writer committed")
                    .isInstanceOf(AuditUnavailableException.class).hasMessageContaining("rolled back");
        }
    }

    @Test
    void append_databaseClosed_auditUnavailable() {
        Database db = DBS.fresh(Backend.SQLITE).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            db.close();
            assertThatThrownBy(() -> log.appendDurably(event(1))).isInstanceOf(AuditUnavailableException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_headRowDeleted_refusesAndVerifyReportsHeadMissing(Backend backend) {
        Database db = DBS.fresh(backend).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            log.appendDurably(event(1));
            db.jdbi().useHandle(h -> h.execute("DELETE FROM audit_head"));
            assertThatThrownBy(() -> log.appendDurably(event(2)))
                    .isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("head is missing")
                    // Readiness shows such a sentence as it is (StoreHealth), an outage's by its kind only.
                    .matches(e -> ((AuditUnavailableException) e).aboutChain(), "is about the chain");
        }
        assertThat(new AuditVerifier(db, mac).verify()).isEqualTo(new VerificationResult.HeadMissing(1));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void append_entryInsertedWithoutMovingHead_refusedNothingAppended(Backend backend) {
        Database db = DBS.fresh(backend).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            log.appendDurably(event(1));
            log.appendDurably(event(2));
            db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO audit_entry (seq, time_us, outcome, prev_mac, mac)"
                    + " VALUES (3, 0, 'ALLOWED', :empty, :empty)").bind("empty", new byte[0]).execute());
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> log.appendDurably(event(4))).as("the head this writer wrote is unchanged, the tail is not")
                        .isInstanceOf(AuditUnavailableException.class)
                        .hasMessageContaining("disagrees with the last entry (seq 3)")
                        .matches(e -> ((AuditUnavailableException) e).aboutChain(), "is about the chain");
            }
            assertThat(countEntries(db)).isEqualTo(3);
        }
    }

    @Test
    void append_sqliteWhileReadersHoldEveryPooledConnection_commitsOnTheWritersOwnConnection() throws Exception {
        Database db = DBS.fresh(Backend.SQLITE).db();
        List<java.sql.Connection> held = new ArrayList<>();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            assertThat(log.appendDurably(event(1))).isEqualTo(1);
            for (int i = 0; i < db.dataSource().getMaximumPoolSize(); i++) {
                held.add(db.dataSource().getConnection());
            }
            assertThat(log.appendDurably(event(2))).as("the writer needs no pooled connection").isEqualTo(2);
            assertThat(log.appendDurably(event(3))).isEqualTo(3);
        } finally {
            for (java.sql.Connection c : held) {
                c.close();
            }
        }
        assertThat(new AuditVerifier(db, mac).verify()).isEqualTo(new VerificationResult.Intact(3));
    }

    @Test
    void append_afterClose_auditUnavailable() {
        Database db = DBS.fresh(Backend.SQLITE).db();
        AuditLog log = AuditLog.builder(db, mac).build();
        log.close();
        assertThatThrownBy(() -> log.appendDurably(event(1)))
                .isInstanceOf(AuditUnavailableException.class).hasMessageContaining("closed");
    }

    @Test
    void close_withQueuedEntries_writesThemAll() {
        Database db = DBS.fresh(Backend.SQLITE).db();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        AuditLog log = AuditLog.builder(db, mac).maxBatch(3).build();
        for (int i = 0; i < 20; i++) {
            futures.add(log.append(event(i)));
        }
        log.close();
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(countEntries(db)).isEqualTo(20);
    }

    @Test
    void appendDurably_commitThatDoesNotReturn_failsClosedAtTheTimeoutInTheBatchAndInTheQueue() throws Exception {
        Database db = DBS.fresh(Backend.SQLITE).db();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (AuditLog log = AuditLog.builder(db, mac).maxBatch(1).appendTimeout(java.time.Duration.ofMillis(200))
                .beforeHeadUpdate(h -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build()) {
            // The first is in the batch held inside its transaction, the second still queued behind it.
            CompletableFuture<Long> writing = log.append(event(1));
            CompletableFuture<Long> queued = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    queued.complete(log.appendDurably(event(2)));
                } catch (RuntimeException e) {
                    queued.completeExceptionally(e);
                }
            });
            // Bounded waits only so that a missing deadline fails the test instead of hanging it.
            assertThatThrownBy(() -> writing.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(AuditUnavailableException.class).hasMessageContaining("not committed within");
            assertThatThrownBy(() -> queued.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("not committed within");
            release.countDown();
            assertThat(log.appendDurably(event(3))).as("the writer goes on once the commit returns").isEqualTo(3);
        }
    }

    @Test
    void append_queueFull_failsWithoutBlocking() {
        Database db = DBS.fresh(Backend.SQLITE).db();
        AtomicBoolean release = new AtomicBoolean();
        try (AuditLog log = AuditLog.builder(db, mac).queueCapacity(2).maxBatch(1)
                .beforeHeadUpdate(h -> {
                    while (!release.get()) {
                        Thread.onSpinWait();
                    }
                }).build()) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                futures.add(log.append(event(i)));
            }
            release.set(true);
            assertThat(futures).anySatisfy(f -> assertThatThrownBy(f::join)
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("queue is full"));
        }
    }

    @Test
    void append_severalInOneBatch_logsOneEventPerBatchWithOneLinePerEntryInOrder() {
        Logger auditLogger = (Logger) LoggerFactory.getLogger("dev.mfagate.audit");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        auditLogger.addAppender(appender);
        Recorder recorder = new Recorder();
        Database db = DBS.fresh(Backend.SQLITE).db();
        try (AuditLog log = AuditLog.builder(db, mac).listener(recorder).build()) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                futures.add(log.append(event(i)));
            }
            futures.forEach(CompletableFuture::join);
        } finally {
            auditLogger.detachAppender(appender);
        }
        assertThat(appender.list).as("one event per committed batch").hasSize(recorder.committed.size());
        assertThat(appender.list.stream().map(e -> (int) e.getFormattedMessage().lines().count()).toList())
                .as("each event holds its batch's entries, one line each").isEqualTo(List.copyOf(recorder.committed));
        List<String> lines = appender.list.stream().flatMap(e -> e.getFormattedMessage().lines()).toList();
        assertThat(lines).hasSize(50);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).startsWith("{\"seq\":" + (i + 1) + ",").contains("\"request_id\":\"req-" + (i + 1) + "\"")
                    .endsWith("\"}");
        }
    }

    @Test
    void append_committed_logsOneJsonLinePerEntryWithoutSecrets() {
        Logger auditLogger = (Logger) LoggerFactory.getLogger("dev.mfagate.audit");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        auditLogger.addAppender(appender);
        Database db = DBS.fresh(Backend.SQLITE).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            log.appendDurably(event(1));
        } finally {
            auditLogger.detachAppender(appender);
        }
        String line = appender.list.getFirst().getFormattedMessage();
        assertThat(appender.list).hasSize(1);
        assertThat(line).startsWith(
                "{\"seq\":1,\"time\":\"2025-11-02T10:00:01.123456Z\",\"outcome\":\"ALLOWED\",\"request_id\":\"req-1\","
                        + "\"route\":\"GET /code\",\"token_id\":\"bot-1\",\"zulip_user_id\":42,\"zulip_email\":\"ann@example.com\","
                        + "\"label\":\"acme-aws\",\"reason\":\"rule:acme-team\",\"rule_id\":\"acme-team\","
                        + "\"remote_address\":\"10.0.0.5\",\"instance_id\":\"gw-1\",\"mac\":\"").endsWith("\"}");
        String entryMac = line.substring(line.indexOf("\"mac\":\"") + 7, line.length() - 2);
        assertThat(new AuditVerifier(db, mac).verify(List.of(AuditAnchor.parse("1:" + entryMac))))
                .as("the line's seq and mac are an anchor the chain holds").isEqualTo(new VerificationResult.Intact(1));
    }

    @Test
    void export_timeRange_writesJsonLinesInRange() {
        Database db = DBS.fresh(Backend.SQLITE).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            for (int i = 1; i <= 6; i++) {
                log.appendDurably(event(i));
            }
        }
        StringWriter out = new StringWriter();
        long n = new AuditExporter(db).export(T0.plusSeconds(2), T0.plusSeconds(5), out);
        assertThat(n).isEqualTo(3);
        assertThat(out.toString().lines()).hasSize(3).allMatch(l -> l.startsWith("{\"seq\":"));
        assertThat(out.toString().lines().findFirst().orElseThrow()).contains("\"seq\":2,");
    }

    @Test
    void auditEvent_controlCharactersAndLongText_sanitised() {
        AuditEvent e = AuditEvent.builder(T0, Outcome.MALFORMED).label("acme\n-aws\u0000").detail("x".repeat(5000)).build();
        assertThat(e.label()).isEqualTo("acme?-aws?");
        assertThat(e.detail()).hasSize(AuditEvent.MAX_FIELD_LENGTH);
    }

    static long countEntries(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM audit_entry").mapTo(Long.class).one());
    }
}
