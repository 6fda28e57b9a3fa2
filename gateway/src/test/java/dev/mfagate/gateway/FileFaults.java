package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Faults of the file system under a store, that hold for root too (the tests run as root, who
 * ignores file modes): the immutable attribute ({@code chattr +i}), which makes writes through
 * already open descriptors fail and makes new opens for writing fail, so SQLite opens the file
 * read-only, exactly as a file whose mode was taken away from the service user; and a small
 * {@code tmpfs} mounted over a directory, a disk that fills up.
 *
 * <p>Each needs root (CAP_LINUX_IMMUTABLE, CAP_SYS_ADMIN) and a file system that supports it. When
 * missing, the test is skipped with the reason on a developer machine and fails under
 * {@code CI=true}.
 */
final class FileFaults {

    private FileFaults() {}

    /** Sets ({@code true}) or clears the immutable attribute of each existing file in {@code files}. */
    static void immutable(boolean on, Path... files) {
        List<String> cmd = new ArrayList<>(List.of("chattr", on ? "+i" : "-i"));
        for (Path f : files) {
            if (Files.exists(f)) {
                cmd.add(f.toString());
            }
        }
        run(cmd);
    }

    /** Skips (or under CI fails) unless {@code chattr +i} works in {@code dir}. */
    static void requireImmutableAttribute(Path dir) {
        String why;
        try {
            Path probe = Files.createTempFile(dir, "chattr", ".probe");
            try {
                why = tryRun(List.of("chattr", "+i", probe.toString()));
                if (why == null) {
                    boolean refused;
                    try {
                        Files.writeString(probe, "x", StandardCharsets.UTF_8);
                        refused = false;
                    } catch (IOException expected) {
                        refused = true;
                    }
                    tryRun(List.of("chattr", "-i", probe.toString()));
                    why = refused ? null : "an immutable file still took a write";
                }
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            why = e.toString();
        }
        requireOrSkip(why, "the immutable file attribute (chattr +i as root)");
    }

    /** Mounts a {@code tmpfs} of {@code sizeKib} KiB over {@code dir} (which must exist), or skips (fails under CI). */
    static void mountTmpfs(Path dir, int sizeKib) {
        requireOrSkip(tryRun(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeKib + "k,mode=0700", "tmpfs", dir.toString())),
                "mounting a small tmpfs (root)");
    }

    /** Unmounts what {@link #mountTmpfs} mounted; lazily, so open files do not stop it. */
    static void unmount(Path dir) {
        tryRun(List.of("umount", "-l", dir.toString()));
    }

    private static void requireOrSkip(String why, String what) {
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("This test needs " + what + ", which failed here (" + why + "); CI=true requires it");
        }
        Assumptions.abort("Needs " + what + ", unavailable here (" + why + "); skipped on this developer machine, fails under CI=true");
    }

    private static void run(List<String> cmd) {
        String why = tryRun(cmd);
        assertThat(why).as("%s", cmd).isNull();
    }

    /** Runs {@code cmd}; null on success, else what went wrong. */
    private static String tryRun(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", cmd) + " did not finish";
            }
            return p.exitValue() == 0 ? null : String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
