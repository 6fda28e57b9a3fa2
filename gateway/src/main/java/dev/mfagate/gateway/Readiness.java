package dev.mfagate.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code /readyz} reports: named checks, each {@code ok} or a short reason. Hard checks
 * (store, keys, audit) decide readiness: when one fails the answer is 503 and a load balancer
 * should send no traffic. Soft checks (clock) only mark the instance {@code degraded}: it still
 * answers 200, so a fleet-wide NTP outage does not take every instance out, but operators see it.
 * Thread-safe if the checks are.
 */
public final class Readiness {

    /** One check: returns {@code "ok"} or a short reason, never a secret; must not block for long. */
    @FunctionalInterface
    public interface Check extends Supplier<String> {
    }

    /**
     * The outcome of all checks.
     *
     * @param ready whether every hard check passed
     * @param status {@code ready}, {@code degraded} (only soft checks failed) or {@code unready}
     * @param checks each check's result, in registration order
     */
    public record Report(boolean ready, String status, Map<String, String> checks) {
    }

    private final Map<String, Check> hard = new LinkedHashMap<>();
    private final Map<String, Check> soft = new LinkedHashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();

    /** Checks whose names are known only when asked (one per tenant key), reported as {@code prefix:name}. */
    private record Group(Supplier<Map<String, String>> states, java.util.function.Predicate<String> fine) {
    }

    /** Adds a check whose failure makes the instance unready (store, keys, audit). */
    public Readiness require(String name, Check check) {
        hard.put(name, check);
        return this;
    }

    /** Adds a check whose failure makes the instance degraded (clock skew) but still ready. */
    public Readiness degradeOn(String name, Check check) {
        soft.put(name, check);
        return this;
    }

    /**
     * Adds soft checks named {@code prefix:<name>}, one per entry {@code states} returns when asked;
     * an entry marks the instance degraded unless {@code fine} accepts its value.
     */
    public Readiness degradeOnEach(String prefix, Supplier<Map<String, String>> states,
                                   java.util.function.Predicate<String> fine) {
        groups.put(prefix, new Group(states, fine));
        return this;
    }

    /** Runs every check, naming each entry of a group ({@code tenant_key:acme}): for operators. */
    public Report report() {
        return report(true);
    }

    /**
     * Runs every check; with {@code named} false, as {@code /readyz} answers anyone who can reach it,
     * each group is one entry under its prefix that counts its entries by state ({@code ok}, or such as
     * {@code 1 unavailable, 2 ok}), so that no tenant's name, nor a provider's address or error, is told.
     * The status is the same either way.
     */
    public Report report(boolean named) {
        Map<String, String> results = new LinkedHashMap<>();
        boolean hardOk = true;
        boolean softOk = true;
        for (var e : hard.entrySet()) {
            String r = run(e.getValue());
            results.put(e.getKey(), r);
            hardOk &= r.equals("ok");
        }
        for (var e : soft.entrySet()) {
            String r = run(e.getValue());
            results.put(e.getKey(), r);
            softOk &= r.equals("ok");
        }
        for (var g : groups.entrySet()) {
            Map<String, String> states;
            try {
                states = g.getValue().states().get();
            } catch (RuntimeException e) {
                states = Map.of("", "failed: " + e.getClass().getSimpleName());
            }
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (var s : states.entrySet()) {
                if (named) {
                    results.put(g.getKey() + ":" + s.getKey(), s.getValue());
                } else {
                    // "unavailable: Key provider ..." counts as "unavailable".
                    int colon = s.getValue().indexOf(':');
                    counts.merge(colon < 0 ? s.getValue() : s.getValue().substring(0, colon), 1, Integer::sum);
                }
                softOk &= g.getValue().fine().test(s.getValue());
            }
            if (!counts.isEmpty()) {
                results.put(g.getKey(), counts.keySet().equals(java.util.Set.of("ok")) ? "ok" : String.join(", ",
                        counts.entrySet().stream().map(c -> c.getValue() + " " + c.getKey()).toList()));
            }
        }
        String status = !hardOk ? "unready" : softOk ? "ready" : "degraded";
        return new Report(hardOk, status, results);
    }

    private static String run(Check check) {
        try {
            String r = check.get();
            return r == null ? "no answer" : r;
        } catch (RuntimeException e) {
            return "failed: " + e.getClass().getSimpleName();
        }
    }
}
