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
 * {@code tmpfs} or a small ext4 image mounted over a directory, a disk that fills up.
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

    /**
     * Makes an ext4 file system of {@code sizeMib} MiB with 1 KiB blocks and no blocks reserved for
     * root in {@code image}, and mounts it over {@code dir} through a loop device; or skips (fails
     * under CI). Blocks smaller than a memory page are what turns a full disk into a SIGBUS in a
     * memory-mapped file: a write fault on a page whose blocks are not all allocated needs a block.
     */
    static void mountSmallExt4(Path image, Path dir, int sizeMib) {
        String why = tryRun(List.of("truncate", "-s", sizeMib + "M", image.toString()));
        if (why == null) {
            why = tryRun(List.of("mkfs.ext4", "-q", "-F", "-b", "1024", "-m", "0", image.toString()));
        }
        if (why == null) {
            why = tryRun(List.of("mount", "-o", "loop", image.toString(), dir.toString()));
        }
        requireOrSkip(why, "a loop-mounted ext4 image (mkfs.ext4, root)");
    }

    /** Fills the file system of {@code dir} with {@code file} until only about {@code leaveKib} KiB are free. */
    static void fillLeaving(Path dir, Path file, long leaveKib) throws IOException {
        long kib = dir.toFile().getUsableSpace() / 1024 - leaveKib;
        byte[] chunk = new byte[1024];
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            for (long i = 0; i < kib; i++) {
                out.write(chunk);
            }
        }
        run(List.of("sync", "-f", file.toString()));
    }

    /** Unmounts what {@link #mountTmpfs} or {@link #mountSmallExt4} mounted; lazily, so open files do not stop it. */
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
