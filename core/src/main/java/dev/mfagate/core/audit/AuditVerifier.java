package dev.mfagate.core.audit;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.store.Database;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;

/**
 * Checks the audit chain and reports the first problem: what {@code mfagate audit verify} runs.
 *
 * <p>Streams the entries in seq order inside one read-only snapshot (so appends by running
 * gateways do not disturb it) and keeps only a small look-ahead window in memory, so it handles
 * millions of entries. For each entry it checks that the seq follows the previous one, that its
 * {@code prev_mac} is the previous entry's MAC, and that its MAC matches its content. At the first
 * entry that fails, it tells the cases apart:
 * <ul>
 *   <li>{@link VerificationResult.Edited}: linked in place, content does not match its MAC;</li>
 *   <li>{@link VerificationResult.Deleted}: a gap in seq (or later entries renumbered to close
 *       it — their MAC still verifies under the old number);</li>
 *   <li>{@link VerificationResult.Inserted}: the chain continues after it as if it were not there,
 *       or it lies beyond the head;</li>
 *   <li>{@link VerificationResult.Reordered}: a genuine entry from further on sits here, and the
 *       entry that belongs here comes later.</li>
 * </ul>
 * Then it checks the head: {@link VerificationResult.Truncated} when the head records more
 * entries than there are, {@link VerificationResult.HeadMissing} when the head row is gone or was
 * reset while entries exist, {@link VerificationResult.HeadInvalid} when it fails its MAC.
 *
 * <p>What the database alone cannot show: cutting entries from the end and putting back an older,
 * genuine head row (or restoring an older copy, or deleting every entry and the head together)
 * leaves a shorter chain that verifies. {@link #verify(List)} checks the chain against
 * {@link AuditAnchor}s kept elsewhere (the seq and MAC of entries shipped to a SIEM, or printed by
 * {@code audit anchor}) and reports {@link VerificationResult.RolledBack}. Thread-safe.
 */
public final class AuditVerifier {

    private static final int LOOK_AHEAD = 64;
    private static final int FETCH_SIZE = 2_000;

    private final Database db;
    private final ChainMac chainMac;

    /** A verifier for the chain in {@code db} keyed by {@code chainMac}. */
    public AuditVerifier(Database db, ChainMac chainMac) {
        this.db = Objects.requireNonNull(db, "db");
        this.chainMac = Objects.requireNonNull(chainMac, "chainMac");
    }

    /** Verifies the whole chain. */
    public VerificationResult verify() {
        return verify(List.of());
    }

    /**
     * Verifies the whole chain, and that it still holds each of {@code anchors} (entries whose
     * seq and MAC were kept elsewhere): {@link VerificationResult.RolledBack} if the chain ends
     * before one, {@link VerificationResult.AnchorMismatch} if the entry at its seq is another.
     * Problems of the chain itself come first, in chain order.
     */
    public VerificationResult verify(List<AuditAnchor> anchors) {
        Objects.requireNonNull(anchors, "anchors");
        java.util.NavigableMap<Long, AuditAnchor> bySeq = new java.util.TreeMap<>();
        for (AuditAnchor a : anchors) {
            AuditAnchor other = bySeq.putIfAbsent(a.seq(), a);
            if (other != null && !other.equals(a)) {
                return new VerificationResult.AnchorMismatch(a.seq());
            }
        }
        return db.readTransaction(h -> verify(h, bySeq));
    }

    /**
     * The current head as an anchor, once its own MAC verifies; empty for an empty chain. Reads
     * only the head row: a whole-chain check is {@link #verify()}.
     *
     * @throws IllegalStateException if the head row is missing or fails its MAC (run verify)
     */
    public Optional<AuditAnchor> headAnchor() {
        Optional<ChainHead> head = db.jdbi().withHandle(h -> ChainHead.read(h, false));
        if (head.isEmpty()) {
            throw new IllegalStateException("The audit chain head is missing; run audit verify");
        }
        if (head.get().isGenesis()) {
            return Optional.empty();
        }
        if (!head.get().isAuthentic(chainMac)) {
            throw new IllegalStateException("The audit chain head (seq " + head.get().seq() + ") fails its MAC; run audit verify");
        }
        return Optional.of(AuditAnchor.of(head.get().seq(), head.get().lastMac()));
    }

    private VerificationResult verify(Handle h, java.util.NavigableMap<Long, AuditAnchor> anchors) {
        Optional<ChainHead> head = ChainHead.read(h, false);
        try (ResultIterator<ChainRow> rows = h.createQuery("SELECT " + ChainRow.COLUMNS + " FROM audit_entry ORDER BY seq")
                .setFetchSize(FETCH_SIZE)
                .map((rs, ctx) -> ChainRow.read(rs))
                .iterator()) {
            Peeking it = new Peeking(rows);
            long expected = 1;
            byte[] prev = ChainHead.GENESIS_MAC;
            while (it.hasNext()) {
                ChainRow r = it.next();
                if (r.seq() == expected && Arrays.equals(r.prevMac(), prev) && macOk(r, r.seq())) {
                    AuditAnchor anchor = anchors.get(r.seq());
                    if (anchor != null && !Arrays.equals(anchor.mac(), r.mac())) {
                        return new VerificationResult.AnchorMismatch(r.seq());
                    }
                    prev = r.mac();
                    expected++;
                    continue;
                }
                return classify(r, it, expected, prev, head);
            }
            long last = expected - 1;
            if (!anchors.isEmpty() && anchors.lastKey() > last) {
                // Checked before the head: a rolled-back head verifies, which is the point.
                return new VerificationResult.RolledBack(anchors.ceilingKey(last + 1), last);
            }
            if (head.isEmpty() || head.get().isGenesis()) {
                return last == 0 ? new VerificationResult.Intact(0) : new VerificationResult.HeadMissing(last);
            }
            ChainHead hd = head.get();
            if (!hd.isAuthentic(chainMac)) {
                return new VerificationResult.HeadInvalid(hd.seq());
            }
            if (hd.seq() > last) {
                return new VerificationResult.Truncated(hd.seq(), last);
            }
            if (!Arrays.equals(hd.lastMac(), prev)) {
                return new VerificationResult.HeadInvalid(hd.seq());
            }
            return new VerificationResult.Intact(last);
        }
    }

    /** {@code r} is the first row that does not continue the chain {@code prev} at {@code expected}. */
    private VerificationResult classify(ChainRow r, Peeking it, long expected, byte[] prev, Optional<ChainHead> head) {
        boolean headValid = head.isPresent() && !head.get().isGenesis() && head.get().isAuthentic(chainMac);
        if (headValid && r.seq() > head.get().seq() && expected > head.get().seq()) {
            // Everything up to the head verified: rows past it were never committed by the log.
            return new VerificationResult.Inserted(r.seq());
        }
        boolean linked = Arrays.equals(r.prevMac(), prev);
        boolean genuine = macOk(r, r.seq());
        if (r.seq() > expected && genuine) {
            return new VerificationResult.Deleted(expected - 1, expected, r.seq() - 1);
        }
        List<ChainRow> ahead = it.peek(LOOK_AHEAD);
        boolean successorLater = ahead.stream().anyMatch(a -> Arrays.equals(a.prevMac(), prev));
        if (linked) {
            // In place but not genuine: either edited, or a forgery whose successor also links to prev.
            return successorLater && !ahead.isEmpty() && Arrays.equals(ahead.getFirst().prevMac(), prev)
                    ? new VerificationResult.Inserted(r.seq())
                    : new VerificationResult.Edited(r.seq());
        }
        if (successorLater) {
            // The entry that belongs here comes later. If r links to a genuine entry in the
            // window, r is a genuine entry moved forward; otherwise it is foreign.
            boolean belongsLater = ahead.stream().anyMatch(a -> Arrays.equals(r.prevMac(), a.mac()));
            return belongsLater ? new VerificationResult.Reordered(r.seq()) : new VerificationResult.Inserted(r.seq());
        }
        for (int d = 1; d <= LOOK_AHEAD; d++) {
            if (macOk(r, r.seq() + d)) {
                // Genuine under a higher number: d entries were deleted and the rest renumbered.
                return new VerificationResult.Deleted(expected - 1, expected, expected + d - 1);
            }
        }
        return new VerificationResult.Edited(r.seq());
    }

    private boolean macOk(ChainRow r, long asSeq) {
        return chainMac.verifyMac(r.mac(), r.canonicalBytes(asSeq));
    }

    /** An iterator that can look ahead a few rows. */
    private static final class Peeking {
        private final Iterator<ChainRow> source;
        private final ArrayDeque<ChainRow> buffer = new ArrayDeque<>();

        Peeking(Iterator<ChainRow> source) {
            this.source = source;
        }

        boolean hasNext() {
            return !buffer.isEmpty() || source.hasNext();
        }

        ChainRow next() {
            return buffer.isEmpty() ? source.next() : buffer.removeFirst();
        }

        List<ChainRow> peek(int n) {
            while (buffer.size() < n && source.hasNext()) {
                buffer.addLast(source.next());
            }
            return new ArrayList<>(buffer);
        }
    }
}
