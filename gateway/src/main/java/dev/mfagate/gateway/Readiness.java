package dev.mfagate.gateway;

import java.util.LinkedHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    /** How long a report waits for its checks, all run at once: more than the pool's 2 s connection timeout. */
    static final java.time.Duration ANSWER_WITHIN = java.time.Duration.ofMillis(2_500);
    static final String NO_ANSWER = "no answer within 2.5 s";
    /** The checks' threads: virtual, one per check of a report, never closed (they end with their check). */
    private static final ExecutorService CHECKS = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("readiness-", 0).factory());

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
        // Every check at once, each given until the same deadline: run one after another, three checks
        // that each waited out the pool's 2 s timeout made /readyz answer in 6 s while the database was
        // down, longer than a load balancer's probe waits.
        long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
        Map<String, Future<String>> hardRuns = new LinkedHashMap<>();
        hard.forEach((name, check) -> hardRuns.put(name, CHECKS.submit(() -> run(check))));
        Map<String, Future<String>> softRuns = new LinkedHashMap<>();
        soft.forEach((name, check) -> softRuns.put(name, CHECKS.submit(() -> run(check))));
        Map<String, Future<Map<String, String>>> groupRuns = new LinkedHashMap<>();
        groups.forEach((prefix, g) -> groupRuns.put(prefix, CHECKS.submit(() -> states(g))));

        Map<String, String> results = new LinkedHashMap<>();
        boolean hardOk = true;
        boolean softOk = true;
        for (var e : hardRuns.entrySet()) {
            String r = answer(e.getValue(), deadline);
            results.put(e.getKey(), r);
            hardOk &= r.equals("ok");
        }
        for (var e : softRuns.entrySet()) {
            String r = answer(e.getValue(), deadline);
            results.put(e.getKey(), r);
            softOk &= r.equals("ok");
        }
        for (var e : groupRuns.entrySet()) {
            Group g = groups.get(e.getKey());
            Map<String, String> states;
            try {
                states = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException ex) {
                states = Map.of("", NO_ANSWER);
            } catch (ExecutionException | InterruptedException ex) {
                if (ex instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                states = Map.of("", "failed: " + ex.getClass().getSimpleName());
            }
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (var st : states.entrySet()) {
                if (named) {
                    // A group that could not be read at all has no names: its one entry goes under the prefix.
                    results.put(st.getKey().isEmpty() ? e.getKey() : e.getKey() + ":" + st.getKey(), st.getValue());
                } else {
                    // "unavailable: Key provider ..." counts as "unavailable".
                    int colon = st.getValue().indexOf(':');
                    counts.merge(colon < 0 ? st.getValue() : st.getValue().substring(0, colon), 1, Integer::sum);
                }
                softOk &= g.fine().test(st.getValue());
            }
            if (!counts.isEmpty()) {
                results.put(e.getKey(), counts.keySet().equals(java.util.Set.of("ok")) ? "ok" : String.join(", ",
                        counts.entrySet().stream().map(c -> c.getValue() + " " + c.getKey()).toList()));
            }
        }
        String status = !hardOk ? "unready" : softOk ? "ready" : "degraded";
        return new Report(hardOk, status, results);
    }

    private static Map<String, String> states(Group g) {
        try {
            return g.states().get();
        } catch (RuntimeException e) {
            return Map.of("", "failed: " + e.getClass().getSimpleName());
        }
    }

    /** The check's answer once it comes, or {@value #NO_ANSWER} at the deadline (the check is left to finish). */
    private static String answer(Future<String> run, long deadline) {
        try {
            return run.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return NO_ANSWER;
        } catch (ExecutionException e) {
            return "failed: " + e.getCause().getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
        }
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
