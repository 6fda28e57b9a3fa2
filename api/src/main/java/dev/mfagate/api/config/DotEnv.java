package dev.mfagate.api.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one strict reader of {@code .env} files, used by the gateway ({@code serve --env-file}) and the bot
 * ({@code --env-file}); it never touches the process environment.
 *
 * <p>Format: {@code KEY=VALUE} lines, with an optional {@code export } prefix, spaces around {@code =}, blank
 * lines and {@code #} comments. A line whose first non-blank character is {@code #} is a comment. A value may
 * be in double quotes (with {@code \"} and {@code \\} escapes) or single quotes (literal); only a {@code #}
 * comment may follow a quoted value. In an unquoted value, {@code #} starts a comment only after whitespace
 * ({@code A=b # note} is {@code b}; {@code URL=https://x/#frag} keeps its fragment). Keys are
 * {@code [A-Za-z_][A-Za-z0-9_]*}. Out of scope: variable expansion ({@code ${X}} is kept as text) and values
 * spanning several lines.
 *
 * <p>Strict: a line that is not {@code KEY=VALUE}, a quote that is not closed, text after a closing quote and a
 * key given twice are errors ({@link DotEnvException}) naming the file and line number, never the content,
 * which may hold a seed or a token. A lax reader that skipped bad lines or let the last duplicate win would turn
 * a typo into a silently different configuration.
 *
 * <p>Why not dotenv-java 3.2.0: it rejects the {@code export } prefix, keeps single quotes as part of the value,
 * falls back to the classpath when the file is missing, and its "Malformed entry" error repeats the whole line,
 * which would put a secret in a log.
 *
 * <p>Stateless and thread-safe.
 */
public final class DotEnv {

    /** A {@code .env} file of seeds and settings is small; this bounds memory. */
    public static final int MAX_FILE_SIZE_BYTES = 1024 * 1024;

    private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s#");
    private static final Pattern ENTRY = Pattern.compile("(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)");

    private DotEnv() {
    }

    /**
     * The variables the file defines, in file order.
     *
     * @throws IOException if the file cannot be read
     * @throws DotEnvException naming the file and line of the first bad line
     */
    public static Map<String, String> read(Path file) throws IOException, DotEnvException {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = BoundedFiles.readUtf8(file, MAX_FILE_SIZE_BYTES);
        } catch (BoundedFiles.TooLargeException e) {
            throw new DotEnvException(file + " holds more than " + MAX_FILE_SIZE_BYTES + " bytes; a .env file must be at most " + MAX_FILE_SIZE_BYTES);
        }
        try {
            return parse(text);
        } catch (DotEnvException e) {
            throw e.in(file.toString());
        }
    }

    /** Parses {@code .env} text; see the class documentation for the format. Errors name the line number. */
    public static Map<String, String> parse(String text) throws DotEnvException {
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
                throw new DotEnvException("line " + lineNumber
                        + ": expected KEY=VALUE with KEY made of letters, digits and '_'");
            }
            String key = entry.group(1);
            String value = value(entry.group(2), lineNumber);
            Integer earlier = lineOf.putIfAbsent(key, lineNumber);
            if (earlier != null) {
                throw new DotEnvException("line " + lineNumber + ": " + key + " is already set on line " + earlier);
            }
            variables.put(key, value);
        }
        return Collections.unmodifiableMap(variables);
    }

    private static String value(String raw, int lineNumber) throws DotEnvException {
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
                throw new DotEnvException("line " + lineNumber + ": quote " + quote
                        + " is not closed (values spanning several lines are not supported)");
            }
            String after = raw.substring(i + 1).strip();
            if (!after.isEmpty() && !after.startsWith("#")) {
                throw new DotEnvException("line " + lineNumber + ": only a '#' comment may follow a quoted value");
            }
            return value.toString();
        }
        // '#' starts a comment only after whitespace, so values such as URL fragments keep theirs.
        Matcher comment = TRAILING_COMMENT.matcher(raw);
        return (comment.find() ? raw.substring(0, comment.start()) : raw).strip();
    }
}
