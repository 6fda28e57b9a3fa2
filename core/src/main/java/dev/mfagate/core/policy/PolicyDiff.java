package dev.mfagate.core.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What applying a desired policy would change: rules added, removed and changed, matched by id.
 *
 * <p>Only the grant counts ({@link Rule#sameGrantAs}): a rule whose principal, pattern, expiry and
 * cap are unchanged is unchanged, whoever made it and whenever. The CLI prints {@link #toText()}
 * before it applies. Immutable; lists are sorted by rule id.
 *
 * @param added rules in the desired policy only
 * @param removed rules in the current policy only
 * @param changed rules in both whose grant differs
 */
public record PolicyDiff(List<Rule> added, List<Rule> removed, List<Change> changed) {

    /** Copies and sorts the lists. */
    public PolicyDiff {
        added = sorted(added, Rule::id);
        removed = sorted(removed, Rule::id);
        changed = sorted(changed, c -> c.after().id());
    }

    /**
     * One rule whose grant changes.
     *
     * @param before the current rule
     * @param after the desired rule, same id
     */
    public record Change(Rule before, Rule after) {
        /** Validates that both have the same id. */
        public Change {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
            if (!before.id().equals(after.id())) {
                throw new IllegalArgumentException("A change must keep the rule id; got " + before.id() + " and " + after.id());
            }
        }
    }

    /** The difference from {@code current} to {@code desired}. */
    public static PolicyDiff between(Collection<Rule> current, Collection<Rule> desired) {
        Map<String, Rule> now = byId(current, "current");
        Map<String, Rule> want = byId(desired, "desired");
        List<Rule> added = new ArrayList<>();
        List<Rule> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        want.forEach((id, rule) -> {
            Rule before = now.get(id);
            if (before == null) {
                added.add(rule);
            } else if (!before.sameGrantAs(rule)) {
                changed.add(new Change(before, rule));
            }
        });
        now.forEach((id, rule) -> {
            if (!want.containsKey(id)) {
                removed.add(rule);
            }
        });
        return new PolicyDiff(added, removed, changed);
    }

    /** Whether nothing would change. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /**
     * Human-readable, one rule a line: {@code + } added, {@code - } removed, {@code ~ } changed
     * (with the new grant on the following {@code   -> } line); {@code no changes} when empty.
     */
    public String toText() {
        if (isEmpty()) {
            return "no changes\n";
        }
        StringBuilder sb = new StringBuilder();
        removed.forEach(r -> sb.append("- ").append(r.describe()).append('\n'));
        changed.forEach(c -> sb.append("~ ").append(c.before().describe()).append('\n')
                .append("  -> ").append(c.after().describe()).append('\n'));
        added.forEach(r -> sb.append("+ ").append(r.describe()).append('\n'));
        sb.append(added.size()).append(" added, ").append(removed.size()).append(" removed, ")
                .append(changed.size()).append(" changed\n");
        return sb.toString();
    }

    private static Map<String, Rule> byId(Collection<Rule> rules, String which) {
        Map<String, Rule> out = new TreeMap<>();
        for (Rule r : rules) {
            if (out.put(r.id(), r) != null) {
                throw new IllegalArgumentException("Duplicate rule id " + r.id() + " in the " + which + " policy: rule ids must be unique");
            }
        }
        return out;
    }

    private static <T> List<T> sorted(List<T> in, Function<T, String> key) {
        return in.stream().sorted(Comparator.comparing(key)).collect(Collectors.toUnmodifiableList());
    }
}
