package dev.mfagate.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code /readyz} reports: named checks, each {@code ok} or a short reason. Ready only when
 * every check is {@code ok}; a load balancer should send no traffic to an instance that is not.
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
     * @param ready whether every check passed
     * @param status {@code ready}, {@code degraded} (only soft checks failed) or {@code unready}
     * @param checks each check's result, in registration order
     */
    public record Report(boolean ready, String status, Map<String, String> checks) {
    }

    private final Map<String, Check> hard = new LinkedHashMap<>();
    private final Map<String, Check> soft = new LinkedHashMap<>();

    /** Adds a check whose failure makes the instance unready (store, keys, audit). */
    public Readiness require(String name, Check check) {
        hard.put(name, check);
        return this;
    }

    /** Adds a check whose failure makes the instance degraded (clock skew); also reported as not ready. */
    public Readiness degradeOn(String name, Check check) {
        soft.put(name, check);
        return this;
    }

    /** Runs every check. */
    public Report report() {
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
        String status = !hardOk ? "unready" : softOk ? "ready" : "degraded";
        return new Report(hardOk && softOk, status, results);
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
