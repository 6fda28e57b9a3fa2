package dev.mfagate.zulip.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Fault injection for one {@link ZulipEmulator}: one-shot faults ({@link #failNext}) and seeded random
 * faults ({@link #setRate}), each aimed at a {@link FaultTarget}. One-shot faults are used first, in the
 * order they were armed; random faults draw from a {@link Random} seeded with {@link #seed(long)} (default
 * 0), so a run is reproducible as long as the sequence of requests is.
 *
 * <p>Thread-safe: every method synchronises on this object. Out of scope: faults on the driving API
 * (a message a person sends is always stored and evented exactly once) and faults in the middle of a
 * response (a response is sent whole or not at all).
 */
public final class Faults {

    /** A fault that was applied to a request, for assertions. */
    public record InjectedFault(FaultKind kind, String method, String path, Instant at) {}

    private record Armed(FaultKind kind, FaultTarget target, int[] remaining) {}

    private record RandomFault(FaultKind kind, FaultTarget target, double probability) {}

    private final List<Armed> armed = new ArrayList<>();
    private final Map<FaultKind, RandomFault> rates = new EnumMap<>(FaultKind.class);
    private final List<InjectedFault> injected = new ArrayList<>();
    private Random random = new Random(0);
    private int serverErrorStatus = 500;
    private int retryAfterSeconds = 1;
    private Duration slowDelay = Duration.ofSeconds(2);
    private Duration slowAnswerDelay = Duration.ofSeconds(2);

    Faults() {}

    /** Fails the next {@code count} requests (any endpoint) with {@code kind}. */
    public synchronized Faults failNext(int count, FaultKind kind) {
        return failNext(count, kind, FaultTarget.ANY);
    }

    /** Fails the next {@code count} requests that match {@code target} with {@code kind}. */
    public synchronized Faults failNext(int count, FaultKind kind, FaultTarget target) {
        if (count < 1) {
            throw new IllegalArgumentException("count " + count + " must be at least 1");
        }
        armed.add(new Armed(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(target, "target"), new int[] {count}));
        return this;
    }

    /** Fails each request (any endpoint) with {@code kind} with the given probability; 0 turns it off. */
    public synchronized Faults setRate(FaultKind kind, double probability) {
        return setRate(kind, probability, FaultTarget.ANY);
    }

    /** Fails each request matching {@code target} with {@code kind} with the given probability; 0 turns it off. */
    public synchronized Faults setRate(FaultKind kind, double probability, FaultTarget target) {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability " + probability + " must be between 0 and 1");
        }
        if (probability == 0.0) {
            rates.remove(kind);
        } else {
            rates.put(kind, new RandomFault(kind, Objects.requireNonNull(target, "target"), probability));
        }
        return this;
    }

    /** Reseeds the random faults. */
    public synchronized Faults seed(long seed) {
        random = new Random(seed);
        return this;
    }

    /** The status of {@link FaultKind#SERVER_ERROR}: 500, 502 or 503. */
    public synchronized Faults setServerErrorStatus(int status) {
        if (status != 500 && status != 502 && status != 503) {
            throw new IllegalArgumentException("server error status " + status + " must be 500, 502 or 503");
        }
        serverErrorStatus = status;
        return this;
    }

    /** The wait that {@link FaultKind#RATE_LIMIT} asks for, in whole seconds (Zulip's spec types {@code retry-after} as an integer). */
    public synchronized Faults setRetryAfterSeconds(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("retry-after " + seconds + " must not be negative");
        }
        retryAfterSeconds = seconds;
        return this;
    }

    /** How long {@link FaultKind#SLOW} holds a request before handling it. */
    public synchronized Faults setSlowDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("slow delay " + delay + " must not be negative");
        }
        slowDelay = delay;
        return this;
    }

    /** How long {@link FaultKind#SLOW_ANSWER} holds an answer back after handling the request. */
    public synchronized Faults setSlowAnswerDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("slow answer delay " + delay + " must not be negative");
        }
        slowAnswerDelay = delay;
        return this;
    }

    /** Disarms every fault (one-shot and random); keeps the log of injected faults. */
    public synchronized Faults clear() {
        armed.clear();
        rates.clear();
        return this;
    }

    /** The faults applied so far, oldest first. */
    public synchronized List<InjectedFault> injected() {
        return List.copyOf(injected);
    }

    synchronized int serverErrorStatus() {
        return serverErrorStatus;
    }

    synchronized int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    synchronized Duration slowDelay() {
        return slowDelay;
    }

    synchronized Duration slowAnswerDelay() {
        return slowAnswerDelay;
    }

    /** Picks the fault for one request, if any, and logs it. */
    synchronized FaultKind draw(String method, String apiPath, Instant now) {
        FaultKind chosen = null;
        for (Iterator<Armed> it = armed.iterator(); it.hasNext(); ) {
            Armed a = it.next();
            if (a.target().matches(method, apiPath)) {
                chosen = a.kind();
                if (--a.remaining()[0] == 0) {
                    it.remove();
                }
                break;
            }
        }
        if (chosen == null) {
            for (RandomFault r : rates.values()) {
                if (r.target().matches(method, apiPath) && random.nextDouble() < r.probability()) {
                    chosen = r.kind();
                    break;
                }
            }
        }
        if (chosen != null) {
            injected.add(new InjectedFault(chosen, method, apiPath, now));
        }
        return chosen;
    }
}
