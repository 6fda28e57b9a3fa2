package dev.mfagate.core.store;

import java.nio.file.Path;

/**
 * The file system holding a SQLite store has less free space than {@link Database#MIN_FREE_BYTES}:
 * the store refuses to open, and the audit log refuses to write, until space is freed.
 *
 * <p>Why a floor rather than letting writes fail with {@code SQLITE_FULL}: SQLite keeps its WAL
 * index in a memory-mapped file ({@code -shm}); on a full file system, a write into a page of that
 * mapping that has no disk block yet (a file system whose blocks are smaller than a memory page, a
 * copy-on-write file system, a fresh {@code -shm} at start-up) is a SIGBUS, which kills the JVM
 * instead of returning an error. Staying clear of a full disk keeps the process alive, answering
 * 503, and lets it resume by itself once space is freed.
 *
 * <p>The message names the directory and both amounts; it holds no secret.
 */
public final class DiskFullException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final long usableBytes;
    private final long requiredBytes;

    DiskFullException(Path directory, long usableBytes, long requiredBytes) {
        super("Only " + size(usableBytes) + " free on the file system of " + directory + "; the SQLite store needs at least "
                + size(requiredBytes) + " free (on a full disk SQLite's memory-mapped WAL index can crash the process);"
                + " free some space there");
        this.usableBytes = usableBytes;
        this.requiredBytes = requiredBytes;
    }

    /** Free space found, in bytes. */
    public long usableBytes() {
        return usableBytes;
    }

    /** The floor, in bytes. */
    public long requiredBytes() {
        return requiredBytes;
    }

    /** A few words for readiness: {@code disk nearly full: 9 KiB free, needs 16 MiB}. */
    public String shortReason() {
        return "disk nearly full: " + size(usableBytes) + " free, needs " + size(requiredBytes);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 20) {
            return (bytes >> 20) + " MiB";
        }
        return (bytes >> 10) + " KiB";
    }
}
