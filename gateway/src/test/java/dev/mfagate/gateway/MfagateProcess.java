package dev.mfagate.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the shipped {@code mfagate.jar} as a separate process, as an operator would. */
final class MfagateProcess {

    record Result(int exitCode, String out, String err) {
        /** Standard error as lines, without the JVM's own warnings. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING:")).toList();
        }
    }

    static Path jar() {
        String p = System.getProperty("mfagate.jar");
        if (p == null || !Files.isRegularFile(Path.of(p))) {
            throw new IllegalStateException("mfagate.jar not built; run the tests with 'mvnw verify' (property mfagate.jar=" + p + ")");
        }
        return Path.of(p);
    }

    /**
     * Where a spawned JVM's SQLite driver unpacks its native library: the build's directory (property
     * {@code mfagate.test.sqlite-tmpdir}) rather than {@code /tmp}. The driver deletes its copy when the
     * JVM exits normally, but not after a SIGKILL (the crash and fail-over tests), and it never removes a
     * copy whose {@code .lck} file is still there: in {@code /tmp} these would outlive the build.
     * Empty outside Maven: the driver's own default then.
     */
    static List<String> sqliteTmpdir() {
        String dir = System.getProperty("mfagate.test.sqlite-tmpdir");
        if (dir == null || dir.isBlank()) {
            return List.of();
        }
        try {
            Files.createDirectories(Path.of(dir));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot create " + dir, e);
        }
        return List.of("-Dorg.sqlite.tmpdir=" + dir);
    }

    static List<String> command(Path dataDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        cmd.addAll(sqliteTmpdir());
        cmd.addAll(List.of("-jar", jar().toString()));
        cmd.addAll(List.of(args));
        if (args.length > 0 && args[0].equals("serve") && !List.of(args).contains("--metrics-port")) {
            // Any free port: several servers (and other test runs on this machine) must not compete for 9464.
            cmd.add("--metrics-port");
            cmd.add("0");
        }
        if (dataDir != null && args.length > 0 && !List.of(args).contains("--demo")) {
            cmd.add("--data-dir");
            cmd.add(dataDir.toString());
        }
        return cmd;
    }

    /** Runs to completion with {@code stdin} as standard input. */
    static Result run(Path dataDir, String stdin, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(dataDir, args));
        pb.environment().remove("MFAGATE_DATA_DIR");
        pb.environment().keySet().removeIf(k -> k.startsWith("MFAGATE_SEED_"));
        // An operator at a terminal, as bin/mfagate sets it there: the one-line reasons as text
        // (LogStreamIT holds the default, JSON, format).
        pb.environment().put("MFAGATE_LOG_FORMAT", "plain");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mfagate " + String.join(" ", args) + " did not finish");
        }
        Result result = new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        tee(args, result);
        return result;
    }

    /** Keeps what the command wrote under {@link TestLogs#DIR}, for the final secret scan. */
    private static void tee(String[] args, Result result) throws IOException {
        String what = "cli-" + String.join("-", List.of(args).subList(0, Math.min(2, args.length)));
        Files.writeString(TestLogs.newFile(what, ".log"), "exit " + result.exitCode() + "\n--- stdout\n" + result.out()
                + "\n--- stderr\n" + result.err(), StandardCharsets.UTF_8);
    }

    /** A running {@code mfagate serve}. */
    static final class Server implements AutoCloseable {
        private static final Pattern LISTENING = Pattern.compile("mfagate listening on http://([^\\s]+)");
        final Process process;
        final String baseUrl;
        final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Everything the server writes, also kept under {@link TestLogs#DIR} for the final secret scan. */
        final Path log = TestLogs.newFile("serve", ".log");

        Server(Path dataDir, Map<String, String> env, String... args) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command(dataDir, args)).redirectErrorStream(true);
            pb.environment().remove("MFAGATE_DATA_DIR");
            pb.environment().putAll(env);
            process = pb.start();
            InputStream tee = new TeeInputStream(process.getInputStream(), Files.newOutputStream(log));
            BufferedReader r = new BufferedReader(new InputStreamReader(tee, StandardCharsets.UTF_8));
            String url = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line;
            while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    url = "http://" + m.group(1);
                    break;
                }
            }
            if (url == null) {
                process.destroyForcibly();
                throw new IllegalStateException("serve did not start: " + String.join("\n", output));
            }
            baseUrl = url;
            Thread drain = new Thread(() -> {
                try {
                    String l;
                    while ((l = r.readLine()) != null) {
                        output.add(l);
                    }
                } catch (IOException e) {
                    // process ended
                } finally {
                    try {
                        tee.close();
                    } catch (IOException e) {
                        // the copy is best effort; the scan reads what was written
                    }
                }
            }, "serve-output");
            drain.setDaemon(true);
            drain.start();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Copies every byte read to a file as it is read. */
    private static final class TeeInputStream extends java.io.FilterInputStream {
        private final OutputStream copy;

        TeeInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                copy.write(b);
                copy.flush();
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                copy.write(buf, off, n);
                copy.flush();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                copy.close();
            }
        }
    }
}
