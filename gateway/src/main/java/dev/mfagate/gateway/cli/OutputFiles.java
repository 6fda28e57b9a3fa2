package dev.mfagate.gateway.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Files the CLI writes because the operator named them ({@code audit export --output},
 * {@code policy export FILE}). A file is always created new: a name that already exists is refused,
 * atomically (the operating system's create-exclusive), because a slip such as naming
 * {@code keyset.json} would otherwise destroy the store. A file the command created is removed
 * again if the command fails before it is complete. Every refusal is a {@link UserError#badInput}
 * with one plain line naming the file. Stateless.
 */
final class OutputFiles {

    /** What the command writes into the file once it exists. */
    @FunctionalInterface
    interface Content {
        /** Writes everything; the caller flushes and closes. */
        void writeTo(Writer w) throws IOException;
    }

    private OutputFiles() {
    }

    /**
     * The path {@code name} names, refused with one line if it cannot be a path at all.
     *
     * @param option the option or parameter that gave it, for the message
     */
    static Path path(String name, String option) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw UserError.badInput("Invalid " + option + ": not a file name this system accepts");
        }
    }

    /**
     * Creates {@code file} (which must not exist yet), lets {@code content} fill it as UTF-8, and
     * closes it; if anything fails after the file was created, the partial file is removed.
     *
     * @param option the option or parameter that named the file, for messages
     * @throws UserError (exit 2) if the file exists, is a directory or cannot be created
     */
    static void writeNew(Path file, String option, Content content) throws IOException {
        Writer w = create(file, option);
        boolean complete = false;
        try {
            try (w) {
                content.writeTo(w);
            }
            complete = true;
        } finally {
            if (!complete) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static Writer create(Path file, String option) {
        try {
            return new BufferedWriter(new OutputStreamWriter(
                    Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    StandardCharsets.UTF_8));
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(file)) {
                throw UserError.badInput(file + " is a directory; give " + option + " the name of a new file");
            }
            throw UserError.badInput(file + " already exists; " + option + " never overwrites a file, so give a new name");
        } catch (NoSuchFileException e) {
            Path parent = file.toAbsolutePath().getParent();
            throw UserError.badInput("Cannot create " + file + ": there is no directory " + parent + " (" + option + ")");
        } catch (AccessDeniedException e) {
            throw UserError.badInput("Cannot create " + file + ": permission denied (" + option + ")");
        } catch (FileSystemException e) {
            // The system's own reason, such as "Not a directory" or "Read-only file system", is plain enough.
            String reason = e.getReason() == null ? "the system refused" : e.getReason();
            throw UserError.badInput("Cannot create " + file + ": " + reason + " (" + option + ")");
        } catch (IOException e) {
            throw UserError.badInput("Cannot create " + file + " (" + option + ")");
        }
    }
}
