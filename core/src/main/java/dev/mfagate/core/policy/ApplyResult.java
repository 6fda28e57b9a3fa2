package dev.mfagate.core.policy;

/**
 * The outcome of {@link PolicyRepository#apply}: applied, or refused because the policy changed
 * since the caller read it (so the diff it showed is no longer what would be applied).
 */
public sealed interface ApplyResult {

    /**
     * The diff was applied in one transaction.
     *
     * @param diff what changed
     * @param version the policy version after applying
     */
    record Applied(PolicyDiff diff, long version) implements ApplyResult {
    }

    /**
     * Nothing was applied: the policy is at {@code actualVersion}, not the {@code expectedVersion}
     * the caller's diff was computed against. Re-read, show the new diff, and try again.
     *
     * @param expectedVersion the version the caller expected
     * @param actualVersion the version in the database
     */
    record Conflict(long expectedVersion, long actualVersion) implements ApplyResult {
    }
}
