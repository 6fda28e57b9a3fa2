package dev.mfagate.core.audit;

import dev.mfagate.core.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.Query;

/**
 * Reads the audit trail by tenant, label, Zulip user, outcome and time, a page at a time (keyset
 * paging on {@code seq}), or streams it as JSON lines in the {@link AuditExporter} form. An entry
 * belongs to tenant {@code t} when its label is one of {@code t}'s ({@code t-...}) or its detail
 * starts with {@code tenant t;} (the form admin entries take). Reading does not verify the chain:
 * {@link AuditVerifier} does. Thread-safe.
 */
public final class AuditQuery {

    /** The largest page. */
    public static final int MAX_PAGE = 1_000;

    /**
     * What to select; every present part must match.
     *
     * @param tenant only this tenant's entries
     * @param label only this label's
     * @param zulipUserIds only entries for these Zulip users (empty set: none match); empty: any user
     * @param outcome only this outcome
     * @param since from this time, inclusive
     * @param until to this time, exclusive
     * @param afterSeq only entries after this sequence number (0: from the start)
     */
    public record Filter(Optional<String> tenant, Optional<String> label, Optional<Set<Long>> zulipUserIds,
                         Optional<Outcome> outcome, Instant since, Instant until, long afterSeq) {
        /** Validates. */
        public Filter {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(zulipUserIds, "zulipUserIds");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(until, "until");
            zulipUserIds = zulipUserIds.map(Set::copyOf);
        }
    }

    private final Database db;

    /** A query over the trail in {@code db}. */
    public AuditQuery(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** At most {@code limit} (1 to {@value #MAX_PAGE}) entries matching {@code f}, in seq order. */
    public List<AuditEntry> page(Filter f, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("Invalid limit " + limit + "; must be from 1 to " + MAX_PAGE);
        }
        List<AuditEntry> out = new ArrayList<>();
        each(f, limit, row -> out.add(row.toEntry()));
        return out;
    }

    /**
     * Writes every entry matching {@code f} to {@code out} as JSON lines, streamed.
     *
     * @return how many entries
     */
    public long export(Filter f, Writer out) {
        long[] n = {0};
        each(f, 0, row -> {
            try {
                out.write(AuditJson.toJson(row.toEntry(), row.mac()));
                out.write('\n');
                n[0]++;
            } catch (IOException e) {
                throw new UncheckedIOException("Writing the audit export failed", e);
            }
        });
        return n[0];
    }

    /** The time of the newest entry naming each of {@code tokenIds}, for those that have one. */
    public Map<String, Instant> lastUse(Collection<String> tokenIds) {
        Map<String, Instant> out = new HashMap<>();
        if (tokenIds.isEmpty()) {
            return out;
        }
        db.jdbi().useHandle(h -> h.createQuery("SELECT token_id, max(time_us) FROM audit_entry WHERE token_id IN (<ids>)"
                        + " GROUP BY token_id")
                .bindList("ids", List.copyOf(tokenIds))
                .map((rs, ctx) -> out.put(rs.getString(1), ChainRow.fromMicros(rs.getLong(2))))
                .list());
        return out;
    }

    private void each(Filter f, int limit, Consumer<ChainRow> sink) {
        StringBuilder sql = new StringBuilder("SELECT " + ChainRow.COLUMNS
                + " FROM audit_entry WHERE seq > :after AND time_us >= :since AND time_us < :until");
        f.tenant().ifPresent(t -> sql.append(" AND (label LIKE :tenantLabel ESCAPE '!' OR detail LIKE :tenantDetail ESCAPE '!')"));
        f.label().ifPresent(l -> sql.append(" AND label = :label"));
        f.outcome().ifPresent(o -> sql.append(" AND outcome = :outcome"));
        f.zulipUserIds().ifPresent(ids -> sql.append(ids.isEmpty() ? " AND 1 = 0" : " AND zulip_user_id IN (<users>)"));
        sql.append(" ORDER BY seq");
        if (limit > 0) {
            sql.append(" LIMIT ").append(limit);
        }
        db.jdbi().useHandle(h -> {
            Query q = h.createQuery(sql.toString())
                    .bind("after", f.afterSeq())
                    .bind("since", ChainRow.toMicros(f.since()))
                    .bind("until", ChainRow.toMicros(f.until()));
            f.tenant().ifPresent(t -> q.bind("tenantLabel", like(t) + "-%").bind("tenantDetail", "tenant " + like(t) + ";%"));
            f.label().ifPresent(l -> q.bind("label", l));
            f.outcome().ifPresent(o -> q.bind("outcome", o.name()));
            f.zulipUserIds().filter(ids -> !ids.isEmpty()).ifPresent(ids -> q.bindList("users", List.copyOf(ids)));
            try (ResultIterator<ChainRow> rows = q.setFetchSize(1_000).map((rs, ctx) -> ChainRow.read(rs)).iterator()) {
                rows.forEachRemaining(sink);
            }
        });
    }

    /** {@code value} with LIKE's wildcards escaped by {@code !}. */
    private static String like(String value) {
        return value.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
