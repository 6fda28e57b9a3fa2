package dev.mfagate.core.seed;

import dev.mfagate.core.seed.SeedImportException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file into a map, without touching the process environment.
 *
 * <p>Format: {@code KEY=VALUE} lines, with an optional {@code export } prefix, spaces around
 * {@code =}, blank lines and {@code #} comments. A value may be in double quotes (with {@code \"}
 * and {@code \\} escapes) or single quotes (literal); a comment may follow a quoted value, or an
 * unquoted one after whitespace. Keys are {@code [A-Za-z_][A-Za-z0-9_]*}. A key given twice is
 * rejected. Out of scope: variable expansion ({@code ${X}} is kept as text) and values spanning
 * several lines.
 *
 * <p>Why not dotenv-java 3.2.0: it rejects the {@code export } prefix, keeps single quotes as part
 * of the value, falls back to the classpath when the file is missing, and its "Malformed entry"
 * error repeats the whole line, which here would put a seed in a log. Errors here name the file and
 * line number only.
 *
 * <p>Stateless and thread-safe.
 */
public final class DotEnvFile {

    /** A {@code .env} file of seeds and settings is small; this bounds memory. */
    static final long MAX_FILE_SIZE_BYTES = 1024 * 1024;

    private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s#");
    private static final Pattern ENTRY = Pattern.compile("(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)");

    private DotEnvFile() {
    }

    /**
     * The variables the file defines, in file order.
     *
     * @throws IOException if the file cannot be read
     * @throws SeedImportException {@link Kind#BAD_ENV_FILE} naming the file and line of the first bad line
     */
    public static Map<String, String> read(Path file) throws IOException, SeedImportException {
        Objects.requireNonNull(file, "file");
        long size = Files.size(file);
        if (size > MAX_FILE_SIZE_BYTES) {
            throw new SeedImportException(Kind.BAD_ENV_FILE, file + " is " + size + " bytes; must be at most " + MAX_FILE_SIZE_BYTES);
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (SeedImportException e) {
            throw e.in(file.toString());
        }
    }

    /** Parses {@code .env} text; see the class documentation for the format. */
    public static Map<String, String> parse(String text) throws SeedImportException {
        Objects.requireNonNull(text, "text");
        Map<String, String> variables = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher entry = ENTRY.matcher(line);
            if (!entry.matches()) {
                throw new SeedImportException(Kind.BAD_ENV_FILE, "line " + lineNumber
                        + ": expected KEY=VALUE with KEY made of letters, digits and '_'");
            }
            String key = entry.group(1);
            String value = value(entry.group(2), lineNumber);
            Integer earlier = lineOf.putIfAbsent(key, lineNumber);
            if (earlier != null) {
                throw new SeedImportException(Kind.BAD_ENV_FILE, "line " + lineNumber + ": " + key
                        + " is already set on line " + earlier);
            }
            variables.put(key, value);
        }
        return Collections.unmodifiableMap(variables);
    }

    private static String value(String raw, int lineNumber) throws SeedImportException {
        if (raw.startsWith("\"") || raw.startsWith("'")) {
            char quote = raw.charAt(0);
            StringBuilder value = new StringBuilder();
            int i = 1;
            for (; i < raw.length() && raw.charAt(i) != quote; i++) {
                char c = raw.charAt(i);
                if (quote == '"' && c == '\\' && i + 1 < raw.length()
                        && (raw.charAt(i + 1) == '"' || raw.charAt(i + 1) == '\\')) {
                    c = raw.charAt(++i);
                }
                value.append(c);
            }
            if (i >= raw.length()) {
                throw new SeedImportException(Kind.BAD_ENV_FILE, "line " + lineNumber + ": quote " + quote
                        + " is not closed (values spanning several lines are not supported)");
            }
            String after = raw.substring(i + 1).strip();
            if (!after.isEmpty() && !after.startsWith("#")) {
                throw new SeedImportException(Kind.BAD_ENV_FILE, "line " + lineNumber
                        + ": only a '#' comment may follow a quoted value");
            }
            return value.toString();
        }
        // '#' starts a comment only after whitespace, so values such as URL fragments keep theirs.
        Matcher comment = TRAILING_COMMENT.matcher(raw);
        return (comment.find() ? raw.substring(0, comment.start()) : raw).strip();
    }
}
