package dev.mfagate.gateway;

import dev.mfagate.gateway.cli.CliContext;
import dev.mfagate.gateway.cli.MfagateCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Runs {@code mfagate} command lines inside the test's JVM, as {@link MfagateProcess} runs the
 * shipped jar: the same arguments ({@code --data-dir} appended, {@code serve} on any free metrics
 * port), an environment of the test's choosing (nothing of the test process's own leaks in), and
 * standard output and error captured apart. What each run printed is kept under {@link TestLogs#DIR}
 * for the final secret scan. Immutable; each run gets streams of its own, so runs may overlap.
 */
public final class InProcessCli {

    /** What one run printed, and its exit code. */
    public record Result(int exitCode, String out, String err) {
        /** Standard error as lines. */
        public List<String> errLines() {
            return err.lines().toList();
        }

        /** Both streams, for assertions that something appears in neither. */
        public String all() {
            return out + err;
        }
    }

    private final Path dataDir;
    private final Map<String, String> env;
    private final Clock clock;

    private InProcessCli(Path dataDir, Map<String, String> env, Clock clock) {
        this.dataDir = dataDir;
        this.env = Map.copyOf(env);
        this.clock = clock;
    }

    /**
     * Commands on the store in {@code dataDir} (null: none given), with the plain log format an
     * operator at a terminal gets, and the system clock.
     */
    public static InProcessCli in(Path dataDir) {
        return new InProcessCli(dataDir, Map.of("MFAGATE_LOG_FORMAT", "plain"), Clock.systemUTC());
    }

    /** The same, with {@code more} added to the environment. */
    public InProcessCli withEnv(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return new InProcessCli(dataDir, all, clock);
    }

    /** The same, reading {@code other} for the time. */
    public InProcessCli withClock(Clock other) {
        return new InProcessCli(dataDir, env, other);
    }

    /** Runs {@code mfagate ARGS} with nothing on standard input. */
    public Result run(String... args) {
        return runWithStdin(null, args);
    }

    /** Runs {@code mfagate ARGS} with {@code stdin} (null: empty) on standard input. */
    public Result runWithStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext cli = context(stdin, out, err, onStop -> {
            throw new IllegalStateException("serve runs with InProcessCli.serve, which can stop it");
        });
        int code = MfagateCommand.run(cli, arguments(args));
        Result result = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        tee(args, result);
        return result;
    }

    /**
     * The command line itself, for tests that walk its model or set its streams; what commands
     * print to the context's streams is dropped.
     */
    public CommandLine commandLine() {
        return MfagateCommand.commandLine(context(null, new ByteArrayOutputStream(), new ByteArrayOutputStream(), onStop -> {
            throw new IllegalStateException("serve runs with InProcessCli.serve, which can stop it");
        }));
    }

    /** Starts {@code mfagate serve ARGS} on a thread of its own and waits until it listens. */
    public Server serve(String... args) {
        List<String> all = new ArrayList<>(List.of("serve"));
        all.addAll(List.of(args));
        return new Server(all.toArray(String[]::new));
    }

    private CliContext context(String stdin, ByteArrayOutputStream out, ByteArrayOutputStream err, CliContext.StopSignal stop) {
        byte[] in = stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8);
        return new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(in), Optional.empty(), env, clock, stop);
    }

    /** As {@link MfagateProcess#command}: {@code --data-dir} last, {@code serve} on any free metrics port. */
    private String[] arguments(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (args.length > 0 && args[0].equals("serve") && !all.contains("--metrics-port")) {
            all.add("--metrics-port");
            all.add("0");
        }
        if (dataDir != null && args.length > 0 && !all.contains("--demo")) {
            all.add("--data-dir");
            all.add(dataDir.toString());
        }
        return all.toArray(String[]::new);
    }

    private static void tee(String[] args, Result result) {
        String what = "cli-" + String.join("-", List.of(args).subList(0, Math.min(2, args.length)));
        try {
            Files.writeString(TestLogs.newFile(what, ".log"), "exit " + result.exitCode() + "\n--- stdout\n" + result.out()
                    + "\n--- stderr\n" + result.err(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running in-process {@code mfagate serve}; {@link #close()} stops it as SIGTERM would. */
    public final class Server implements AutoCloseable {
        private static final Pattern LISTENING = Pattern.compile("mfagate listening on (https?://\\S+)");

        private final String[] args;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        private final FutureTask<Integer> running;
        /** Where the API listens, such as {@code http://127.0.0.1:41234}. */
        public final String baseUrl;

        private Server(String[] args) {
            this.args = args;
            CliContext cli = context(null, out, err, onStop -> {
                stopRequested.await();
                onStop.run();
            });
            running = new FutureTask<>(() -> MfagateCommand.run(cli, arguments(args)));
            Thread thread = new Thread(running, "in-process-serve");
            thread.setDaemon(true);
            thread.start();
            String url = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (url == null && !running.isDone() && System.nanoTime() < deadline) {
                Matcher m = LISTENING.matcher(out());
                if (m.find()) {
                    url = m.group(1);
                } else {
                    sleepBriefly();
                }
            }
            if (url == null) {
                stopRequested.countDown();
                throw new IllegalStateException("serve did not start (exit " + exitCodeIfDone() + "): " + out() + err());
            }
            baseUrl = url;
        }

        /** What serve printed on standard output so far. */
        public String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        /** What serve printed on standard error so far. */
        public String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** Stops the server (its shutdown work included) and returns its exit code. */
        public int stop() {
            stopRequested.countDown();
            try {
                return running.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping serve", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("serve did not stop cleanly", e);
            } finally {
                tee(args, new Result(running.isDone() ? exitCodeIfDone() : -1, out(), err()));
            }
        }

        @Override
        public void close() {
            if (!running.isDone()) {
                stop();
            }
        }

        private int exitCodeIfDone() {
            try {
                return running.isDone() ? running.get() : -1;
            } catch (InterruptedException | ExecutionException e) {
                return -1;
            }
        }

        private static void sleepBriefly() {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for serve", e);
            }
        }
    }
}
