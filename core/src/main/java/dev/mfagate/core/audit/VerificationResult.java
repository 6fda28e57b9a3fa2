package dev.mfagate.core.audit;

import dev.mfagate.core.Plural;
/**
 * The outcome of {@link AuditVerifier#verify()}: {@link Intact}, or the first problem found.
 *
 * <p>Problems are reported in chain order (the first broken row), then problems of the head.
 * Each names where it is, in sequence numbers as stored.
 */
public sealed interface VerificationResult {

    /** Whether the chain verified. */
    boolean isIntact();

    /** One line for the CLI. */
    String describe();

    /** The kind of result, for machine-readable output. */
    Kind kind();

    /** Every kind of result. */
    enum Kind { INTACT, EDITED, DELETED, INSERTED, REORDERED, TRUNCATED, HEAD_MISSING, HEAD_INVALID, ROLLED_BACK, ANCHOR_MISMATCH }

    /**
     * Every entry verified, contiguous from 1, and the head matches the last one.
     *
     * @param entries how many entries
     */
    record Intact(long entries) implements VerificationResult {
        @Override
        public boolean isIntact() {
            return true;
        }

        @Override
        public String describe() {
            return "OK: " + Plural.of(entries, "entry", "entries") + " verified";
        }

        @Override
        public Kind kind() {
            return Kind.INTACT;
        }
    }

    /** A problem: the trail was tampered with (or damaged). */
    sealed interface Problem extends VerificationResult {
        @Override
        default boolean isIntact() {
            return false;
        }
    }

    /**
     * The entry at {@code seq} is in its place but its content does not match its MAC.
     *
     * @param seq the entry
     */
    record Edited(long seq) implements Problem {
        @Override
        public String describe() {
            return "EDITED: entry " + seq + " was modified";
        }

        @Override
        public Kind kind() {
            return Kind.EDITED;
        }
    }

    /**
     * Entries are missing after {@code afterSeq} (0: at the start).
     *
     * @param afterSeq the last good entry before the gap
     * @param firstMissingSeq the first missing sequence number
     * @param lastMissingSeq the last missing sequence number
     */
    record Deleted(long afterSeq, long firstMissingSeq, long lastMissingSeq) implements Problem {
        @Override
        public String describe() {
            return "DELETED: " + (firstMissingSeq == lastMissingSeq ? "entry " + firstMissingSeq
                    : "entries " + firstMissingSeq + ".." + lastMissingSeq) + " missing after entry " + afterSeq;
        }

        @Override
        public Kind kind() {
            return Kind.DELETED;
        }
    }

    /**
     * The entry at {@code seq} does not belong to the chain: the chain continues without it.
     *
     * @param seq the foreign entry
     */
    record Inserted(long seq) implements Problem {
        @Override
        public String describe() {
            return "INSERTED: entry " + seq + " was not written by the audit log";
        }

        @Override
        public Kind kind() {
            return Kind.INSERTED;
        }
    }

    /**
     * The entry at {@code seq} is genuine but out of place: it belongs later in the chain.
     *
     * @param seq where the out-of-place entry is
     */
    record Reordered(long seq) implements Problem {
        @Override
        public String describe() {
            return "REORDERED: entry " + seq + " is out of order";
        }

        @Override
        public Kind kind() {
            return Kind.REORDERED;
        }
    }

    /**
     * The head says the chain is longer than it is: entries were removed from the end.
     *
     * @param expectedHeadSeq the last seq according to the head
     * @param foundLastSeq the last seq found
     */
    record Truncated(long expectedHeadSeq, long foundLastSeq) implements Problem {
        @Override
        public String describe() {
            return "TRUNCATED: the head records entry " + expectedHeadSeq + " but the last entry is " + foundLastSeq;
        }

        @Override
        public Kind kind() {
            return Kind.TRUNCATED;
        }
    }

    /**
     * The head row is gone (or reset to empty) while entries exist: the tail may have been truncated.
     *
     * @param lastSeq the last entry found
     */
    record HeadMissing(long lastSeq) implements Problem {
        @Override
        public String describe() {
            return "HEAD_MISSING: the chain head is missing (last entry " + lastSeq + "): the tail may have been truncated";
        }

        @Override
        public Kind kind() {
            return Kind.HEAD_MISSING;
        }
    }

    /**
     * The head row fails its own MAC, or does not match the last entry.
     *
     * @param headSeq the seq the head claims
     */
    record HeadInvalid(long headSeq) implements Problem {
        @Override
        public String describe() {
            return "HEAD_INVALID: the chain head (seq " + headSeq + ") was modified";
        }

        @Override
        public Kind kind() {
            return Kind.HEAD_INVALID;
        }
    }

    /**
     * The chain ends before an anchored entry: entries were cut from the end and an older, genuine
     * head put back (or an older copy of the database restored). Only an anchor kept elsewhere
     * shows it.
     *
     * @param anchoredSeq the anchored entry that is missing
     * @param lastSeq the last entry of the chain as it is
     */
    record RolledBack(long anchoredSeq, long lastSeq) implements Problem {
        @Override
        public String describe() {
            return "ROLLED_BACK: anchored entry " + anchoredSeq + " is missing; the chain ends at entry " + lastSeq
                    + ": entries were cut from the end and an older head put back";
        }

        @Override
        public Kind kind() {
            return Kind.ROLLED_BACK;
        }
    }

    /**
     * The entry at {@code seq} verifies in the chain but is not the anchored one: the chain from
     * there on was replaced (another store, or an older copy restored and appended to).
     *
     * @param seq the anchored entry
     */
    record AnchorMismatch(long seq) implements Problem {
        @Override
        public String describe() {
            return "ANCHOR_MISMATCH: entry " + seq + " is not the anchored one: the chain was replaced from there on or earlier";
        }

        @Override
        public Kind kind() {
            return Kind.ANCHOR_MISMATCH;
        }
    }
}
