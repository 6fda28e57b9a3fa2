package dev.mfagate.gateway.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

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
 * @param terminalLookup the console when standard input is a terminal (a seed is then read without
 *     echo), looked up when a command asks for it ({@link #terminal()})
 * @param env the environment, read-only: option defaults, keysets, provider credentials, seeds
 * @param clock the one clock commands read (token expiry, audit entries, the gateway it starts)
 * @param stop how {@code serve} learns that it should stop
 */
public record CliContext(PrintStream out, PrintStream err, InputStream in, Supplier<Optional<Console>> terminalLookup,
                         Map<String, String> env, Clock clock, StopSignal stop) {

    /** Copies {@code env} and checks every part is given. */
    public CliContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(terminalLookup, "terminalLookup");
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(stop, "stop");
    }

    /** A context whose terminal is known already ({@code Optional.empty()}: none, as in tests). */
    public CliContext(PrintStream out, PrintStream err, InputStream in, Optional<Console> terminal,
                      Map<String, String> env, Clock clock, StopSignal stop) {
        this(out, err, in, constant(Objects.requireNonNull(terminal, "terminal")), env, clock, stop);
    }

    private static Supplier<Optional<Console>> constant(Optional<Console> terminal) {
        return () -> terminal;
    }

    /** The console when standard input is a terminal: a seed is then read from it without echo. */
    public Optional<Console> terminal() {
        return terminalLookup.get();
    }

    /**
     * The running process's streams (as they are when called: build it after redirecting them),
     * environment and UTC clock; {@code serve} stops on SIGTERM or SIGINT. The terminal is the JDK's
     * console when {@code readsTerminal} and standard input is one; a command that never reads one
     * ({@code serve}) passes false, and the JDK is not asked. Asked only when a command reads a
     * seed: {@code System.console()} looks its providers up among the JDK's modules (about 7 ms of
     * CPU and classes the AOT cache does not hold, which {@code seed list} and the like never need).
     */
    public static CliContext ofProcess(boolean readsTerminal) {
        return new CliContext(System.out, System.err, System.in, readsTerminal ? ProcessTerminal.ASK : ProcessTerminal.NONE,
                System.getenv(), Clock.systemUTC(), StopSignal.SHUTDOWN_HOOK);
    }

    /**
     * The process's terminal, or none. A class rather than lambdas: a lambda that the AOT cache's
     * training run did not meet is spun at every start, while a class is kept in the cache (both
     * trainings build this context, as {@code Main} does).
     */
    private enum ProcessTerminal implements Supplier<Optional<Console>> {
        NONE, ASK;

        /** The JDK's console when standard input is a terminal (the JDK keeps the one it found). */
        @Override
        public Optional<Console> get() {
            Console console = this == ASK ? System.console() : null;
            return console != null && isTerminal(console) ? Optional.of(console) : Optional.empty();
        }
    }

    /** This context with another clock. */
    public CliContext withClock(Clock other) {
        return new CliContext(out, err, in, terminalLookup, env, other, stop);
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
