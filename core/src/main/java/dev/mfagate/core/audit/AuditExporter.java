package dev.mfagate.core.audit;

import dev.mfagate.core.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.jdbi.v3.core.result.ResultIterator;

/**
 * Streams audit entries out, for SIEM shipping and reports.
 *
 * <p>{@link #export} writes one JSON object per line, the same form the {@code dev.mfagate.audit}
 * log uses: {@code {"seq":12,"time":"2025-11-02T09:14:03.123456Z","outcome":"DENIED",
 * "request_id":"...","route":"GET /code","token_id":"bot-1","zulip_user_id":42,...,"mac":"01ab..."}},
 * fields that are null left out; the {@code seq} and {@code mac} of any line make an
 * {@link AuditAnchor}. Entries come in seq order from one consistent snapshot and are
 * streamed, never all held in memory. The time range is {@code [since, until)}.
 *
 * <p>Exporting does not verify; run {@link AuditVerifier} for that. Thread-safe.
 */
public final class AuditExporter {

    private final Database db;

    /** An exporter for the trail in {@code db}. */
    public AuditExporter(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Calls {@code sink} for each entry with {@code since <= time < until}, in seq order.
     *
     * @return how many entries
     */
    public long forEach(Instant since, Instant until, Consumer<AuditEntry> sink) {
        Objects.requireNonNull(sink, "sink");
        return forEachRow(since, until, row -> sink.accept(row.toEntry()));
    }

    private long forEachRow(Instant since, Instant until, Consumer<ChainRow> sink) {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        return db.readTransaction(h -> {
            long n = 0;
            try (ResultIterator<ChainRow> rows = h.createQuery("SELECT " + ChainRow.COLUMNS
                            + " FROM audit_entry WHERE time_us >= :since AND time_us < :until ORDER BY seq")
                    .bind("since", ChainRow.toMicros(since))
                    .bind("until", ChainRow.toMicros(until))
                    .setFetchSize(2_000)
                    .map((rs, ctx) -> ChainRow.read(rs))
                    .iterator()) {
                while (rows.hasNext()) {
                    sink.accept(rows.next());
                    n++;
                }
            }
            return n;
        });
    }

    /**
     * Writes entries with {@code since <= time < until} to {@code out} as JSON lines.
     *
     * @return how many entries
     * @throws UncheckedIOException when writing fails
     */
    public long export(Instant since, Instant until, Writer out) {
        Objects.requireNonNull(out, "out");
        return forEachRow(since, until, row -> {
            try {
                out.write(AuditJson.toJson(row.toEntry(), row.mac()));
                out.write('\n');
            } catch (IOException ex) {
                throw new UncheckedIOException("Writing the audit export failed", ex);
            }
        });
    }
}
