package dev.mfagate.api.logging;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Standard error as a stream of JSON lines, for the processes' log format {@code json} (the default
 * of {@value #FORMAT_VARIABLE}): a line that is a JSON object already (every log event of the
 * JSON encoder, every audit entry) passes unchanged; any other line (a command's one-line reason,
 * a library or JVM message written to {@code System.err}) becomes one object with the fields the
 * log encoder writes: {@code @timestamp}, {@code message}, {@code logger_name}, {@code thread_name},
 * {@code level}. Empty lines are dropped. So tools that read the stream as JSON lines never meet a
 * line they cannot parse.
 *
 * <p>{@link #install(String, Map)} replaces {@link System#err} once, at the start of {@code main},
 * before anything is logged. Writes are serialised by the {@link PrintStream} around it. The lines
 * of one write (a batch of audit entries is one) reach the file descriptor together, in writes of
 * whole lines of at most {@value #MAX_WRITE_BYTES} bytes (a line longer than that alone): one system
 * call for several lines, and a pipe still takes each write whole, so a line never interleaves
 * with what another writer puts on the same descriptor. A line without its newline at exit is lost.
 */
public final class JsonStandardError extends OutputStream {

    /** The variable (environment or system property) that selects {@code json} or {@code plain}. */
    public static final String FORMAT_VARIABLE = "MFAGATE_LOG_FORMAT";

    private final OutputStream out;
    private final String loggerName;
    /**
     * The most bytes one write to the descriptor carries, unless a single line is longer: what POSIX
     * guarantees a pipe writes whole ({@code PIPE_BUF}).
     */
    static final int MAX_WRITE_BYTES = 4096;

    private final LineBuffer line = new LineBuffer();
    /** Whole lines, as they will be written, not yet written. */
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(MAX_WRITE_BYTES);

    /** Lines written here go to {@code out} as JSON objects, with {@code loggerName} as their {@code logger_name}. */
    public JsonStandardError(OutputStream out, String loggerName) {
        this.out = Objects.requireNonNull(out, "out");
        this.loggerName = Objects.requireNonNull(loggerName, "loggerName");
    }

    /**
     * Whether the log format is JSON: {@value #FORMAT_VARIABLE} as a system property, else in
     * {@code environment}, else the default {@code json} (the same lookup as the logback configuration).
     */
    public static boolean isJson(Map<String, String> environment) {
        String format = System.getProperty(FORMAT_VARIABLE, environment.getOrDefault(FORMAT_VARIABLE, "json"));
        return !"plain".equals(format);
    }

    /** With the JSON format, makes {@link System#err} write JSON lines only; with {@code plain}, does nothing. */
    public static void install(String loggerName, Map<String, String> environment) {
        if (isJson(environment)) {
            System.setErr(new PrintStream(new JsonStandardError(new FileOutputStream(FileDescriptor.err), loggerName),
                    true, StandardCharsets.UTF_8));
        }
    }

    /**
     * Undoes {@link #install}: {@link System#err} writes to the file descriptor as it is. For a process that
     * learns the format only after installing (the bot reads {@value #FORMAT_VARIABLE} from its {@code .env}
     * file too), before anything is logged.
     */
    public static void uninstall() {
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }

    @Override
    public void write(int b) throws IOException {
        if (b == '\n') {
            endLine();
            writePending();
        } else {
            line.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                line.write(b, start, i - start);
                endLine();
                start = i + 1;
            }
        }
        line.write(b, start, off + len - start);
        writePending();
    }

    @Override
    public void flush() throws IOException {
        // A partial line waits for its newline: flushing it now would split one message in two objects.
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (line.size() > 0) {
            endLine();
        }
        writePending();
        out.close();
    }

    private void endLine() throws IOException {
        int length = line.size();
        if (length > 0 && line.at(length - 1) == '\r') {
            length--;
        }
        if (length > 0 && line.at(0) == '{' && line.at(length - 1) == '}') {
            // A JSON object already (every log event, every audit entry): its bytes as they came, without
            // decoding and encoding them again. Only what Java wrote reaches here, which is valid UTF-8,
            // so the bytes are those the round trip through a string would give.
            if (pending.size() > 0 && pending.size() + length + 1 > MAX_WRITE_BYTES) {
                writePending();
            }
            line.copyTo(pending, length);
            pending.write('\n');
            line.reset();
            return;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isBlank()) {
            return;
        }
        String json = text.startsWith("{") && text.endsWith("}") ? text : toJson(text);
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        if (pending.size() > 0 && pending.size() + bytes.length > MAX_WRITE_BYTES) {
            writePending();
        }
        pending.write(bytes);
    }

    /** Writes the whole lines waiting, in one write. */
    private void writePending() throws IOException {
        if (pending.size() > 0) {
            pending.writeTo(out);
            pending.reset();
            out.flush();
        }
    }

    /** A line's bytes, read in place. */
    private static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(256);
        }

        byte at(int index) {
            return buf[index];
        }

        void copyTo(ByteArrayOutputStream target, int length) {
            target.write(buf, 0, length);
        }
    }

    /** One line of text as a log object; the level is read from the line's usual prefixes. */
    String toJson(String text) {
        String level = text.startsWith("WARNING") ? "WARN" : text.startsWith("mfagate") && text.contains(": ") ? "ERROR" : "INFO";
        return "{\"@timestamp\":\"" + Instant.now() + "\",\"message\":" + quote(text) + ",\"logger_name\":" + quote(loggerName)
                + ",\"thread_name\":" + quote(Thread.currentThread().getName()) + ",\"level\":\"" + level + "\"}";
    }

    /** {@code text} as a JSON string (RFC 8259 section 7). */
    static String quote(String text) {
        StringBuilder s = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\t' -> s.append("\\t");
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
