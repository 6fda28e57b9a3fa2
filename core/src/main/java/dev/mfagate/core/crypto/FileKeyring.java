package dev.mfagate.core.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * The keyring in {@code keyset.json}. The primitives are built once per change of the file and
 * published through a volatile field; changes (rotation, reload) are serialised on this object.
 */
final class FileKeyring implements Keyring {

    private final Path file;
    private volatile KeysetDocument.KeyringState state;
    private Stamp stamp; // guarded by this

    /** What identifies one version of the file: an atomic replace gives a new inode. */
    private record Stamp(Object fileKey, FileTime lastModified, long sizeBytes) {}

    private FileKeyring(Path file, KeysetDocument.KeyringState state, Stamp stamp) {
        this.file = file;
        this.state = state;
        this.stamp = stamp;
    }

    static FileKeyring create(Path file) {
        Objects.requireNonNull(file, "file");
        KeysetDocument document = KeysetDocument.generate();
        byte[] json = document.toJsonBytes();
        try {
            SecureFiles.writeNew(file, json);
        } finally {
            Arrays.fill(json, (byte) 0);
        }
        return new FileKeyring(file, document.toState(), stampOf(file));
    }

    static FileKeyring open(Path file) {
        Objects.requireNonNull(file, "file");
        Stamp stamp = stampOf(file);
        return new FileKeyring(file, read(file).toState(), stamp);
    }

    private static KeysetDocument read(Path file) {
        Set<PosixFilePermission> permissions;
        byte[] bytes;
        try {
            permissions = Files.getPosixFilePermissions(file);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("Keyset file " + file + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw unreadable(file, System.getProperty("user.name", "?"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read keyset file " + file + ": " + reason(e), e);
        }
        try {
            if (!SecureFiles.OWNER_READ_WRITE.containsAll(permissions)) {
                throw new IllegalStateException("Keyset file " + file + " has mode " + SecureFiles.mode(permissions)
                        + "; it must be readable by its owner only (chmod 600 " + file + ")");
            }
            return KeysetDocument.parse(new String(bytes, StandardCharsets.UTF_8), "file " + file);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Why {@code user} was refused reading {@code file}, and the fix: its mode and owner, or, when
     * even those cannot be read, that its directory is closed to this user.
     */
    static IllegalStateException unreadable(Path file, String user) {
        Path absolute = file.toAbsolutePath();
        java.nio.file.attribute.PosixFileAttributes a;
        try {
            a = Files.readAttributes(absolute, java.nio.file.attribute.PosixFileAttributes.class);
        } catch (IOException | UnsupportedOperationException e) {
            return new IllegalStateException("Keyset file " + absolute + " cannot be read by user " + user
                    + " (permission denied; its directory " + absolute.getParent() + " does not let this user in):"
                    + " give the directory to the user that runs mfagate (chmod 0700, owner " + user + ")");
        }
        String owner = a.owner().getName();
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) {
            mode |= 1 << (8 - p.ordinal());
        }
        String fix = owner.equals(user) ? "chmod 0600 " + absolute
                : "run mfagate as " + owner + ", or chown " + user + " " + absolute + " and chmod 0600 " + absolute;
        return new IllegalStateException("Keyset file " + absolute + " cannot be read by user " + user
                + " (permission denied: mode " + String.format("0%03o", mode) + ", owner " + owner + "); " + fix);
    }

    /** The operating system's reason in an {@link IOException}, without repeating the path. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static Stamp stampOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("Keyset file " + file + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw unreadable(file, System.getProperty("user.name", "?"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read keyset file " + file + ": " + reason(e), e);
        }
    }

    @Override
    public Kek kek() {
        return state.kek();
    }

    @Override
    public ChainMac auditMac() {
        return state.auditMac();
    }

    @Override
    public Keyset keyset() {
        return Keyset.of(state);
    }

    @Override
    public String description() {
        return "file " + file;
    }

    @Override
    public synchronized boolean refresh() {
        Stamp now = stampOf(file);
        if (now.equals(stamp)) {
            return false;
        }
        state = read(file).toState();
        stamp = now;
        return true;
    }

    @Override
    public boolean supportsRotation() {
        return true;
    }

    @Override
    public synchronized void addPrimaryKek() {
        refresh();
        save(state.document().withNewPrimaryKek());
    }

    @Override
    public synchronized void retireNonPrimaryKeks() {
        refresh();
        save(state.document().withOnlyPrimaryKek());
    }

    /** Writes first, publishes after: the file never lags behind what this process encrypts with. */
    private void save(KeysetDocument document) {
        KeysetDocument.KeyringState next = document.toState();
        byte[] json = document.toJsonBytes();
        try {
            SecureFiles.replace(file, json);
        } finally {
            Arrays.fill(json, (byte) 0);
        }
        stamp = stampOf(file);
        state = next;
    }

    @Override
    public String toString() {
        return "Keyring[" + description() + "]";
    }
}
