package dev.mfagate.gateway.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * What a CLI command may read of the world: its streams, the environment, the clock, and how the
 * process is told to stop. {@link dev.mfagate.gateway.Main} builds it once from the process
 * ({@link #ofProcess(boolean)}); tests build one with captured streams, a chosen environment and a fixed
 * clock, and run commands inside the test's JVM. No command reads {@code System.out}, {@code System.in},
 * {@code System.getenv} or a clock of its own.
 *
 * <p>Immutable; the streams are shared with whoever built the context.
 *
 * @param out standard output: results, tables, the one-time token
 * @param err standard error: one-line reasons and notes around a result
 * @param in standard input: seeds and URI lists, never echoed
 * @param terminal the console when standard input is a terminal (a seed is then read without echo)
 * @param env the environment, read-only: option defaults, keysets, provider credentials, seeds
 * @param clock the one clock commands read (token expiry, audit entries, the gateway it starts)
 * @param stop how {@code serve} learns that it should stop
 */
public record CliContext(PrintStream out, PrintStream err, InputStream in, Optional<Console> terminal,
                         Map<String, String> env, Clock clock, StopSignal stop) {

    /** Copies {@code env} and checks every part is given. */
    public CliContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(terminal, "terminal");
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(stop, "stop");
    }

    /**
     * The running process's streams (as they are when called: build it after redirecting them),
     * environment and UTC clock; {@code serve} stops on SIGTERM or SIGINT. The terminal is the JDK's
     * console when {@code readsTerminal} and standard input is one; a command that never reads one
     * ({@code serve}) passes false, and the JDK is not asked: {@code System.console()} looks its
     * providers up among the JDK's modules (about 10 ms of a start, and classes the AOT cache does
     * not hold).
     */
    public static CliContext ofProcess(boolean readsTerminal) {
        Console console = readsTerminal ? System.console() : null;
        Optional<Console> terminal = console != null && isTerminal(console) ? Optional.of(console) : Optional.empty();
        return new CliContext(System.out, System.err, System.in, terminal, System.getenv(), Clock.systemUTC(),
                StopSignal.SHUTDOWN_HOOK);
    }

    /** This context with another clock. */
    public CliContext withClock(Clock other) {
        return new CliContext(out, err, in, terminal, env, other, stop);
    }

    /**
     * Whether {@code console} is a terminal. Since JDK 22 {@code System.console()} is non-null even
     * when streams are redirected and {@code Console.isTerminal()} tells; on JDK 21 a non-null
     * console already means a terminal. Reflection keeps the build at {@code --release 21}.
     */
    static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** How a long-running command ({@code serve}) waits to be stopped. */
    @FunctionalInterface
    public interface StopSignal {

        /** The process's: a shutdown hook (SIGTERM, SIGINT) runs {@code onStop}, then the waiting command returns. */
        StopSignal SHUTDOWN_HOOK = onStop -> {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                onStop.run();
                stopped.countDown();
            }, "mfagate-shutdown"));
            stopped.await();
        };

        /**
         * Blocks until the command is asked to stop, and has run {@code onStop} (which closes what
         * the command opened) by the time it returns.
         */
        void awaitThen(Runnable onStop) throws InterruptedException;
    }
}
