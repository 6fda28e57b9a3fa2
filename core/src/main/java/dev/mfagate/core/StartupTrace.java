package dev.mfagate.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Start-up markers, for measuring where a start goes: with {@code -Dmfagate.startup.trace=true}, each
 * {@link #mark} prints one line on standard error with the milliseconds since the process started, its
 * CPU time so far and the calling thread's (user + system, from {@code /proc/self/stat} and
 * {@code /proc/thread-self/stat} where there are such files, else -1): the thread's is the start's
 * critical path, which the machine's other work does not lengthen. Off
 * by default, when a mark costs one read of a static field. Lines name only phases, never data.
 * Thread-safe.
 */
public final class StartupTrace {

    private static final boolean ON = Boolean.getBoolean("mfagate.startup.trace");

    private StartupTrace() {
    }

    /** Prints {@code phase} with the wall and CPU time so far, when tracing is on. */
    public static void mark(String phase) {
        if (!ON) {
            return;
        }
        long sinceStartMs = ProcessHandle.current().info().startInstant()
                .map(start -> java.time.Duration.between(start, java.time.Instant.now()).toMillis()).orElse(-1L);
        System.err.printf("mfagate start-up: %5d ms, cpu %5d ms, this thread's cpu %5d ms  %s%n", sinceStartMs,
                cpuMillis("/proc/self/stat"), cpuMillis("/proc/thread-self/stat"), phase);
    }

    private static long cpuMillis(String file) {
        try {
            String stat = Files.readString(Path.of(file));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime, fields 14 and 15 of the line (12 and 13 after the name), in clock ticks (1/100 s).
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
