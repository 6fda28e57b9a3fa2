package dev.mfagate.core.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The one JSON-lines form of an audit entry, shared by the {@code dev.mfagate.audit} log and
 * {@link AuditExporter}: {@code {"seq":1,"time":"2025-...Z","outcome":"ALLOWED",...,"mac":"01ab..."}},
 * null fields left out, names in snake_case, fixed order. The last field is the entry's chain MAC
 * in hex, so that each line shipped elsewhere is also an {@link AuditAnchor} ({@code seq:mac}).
 */
final class AuditJson {

    private static final JsonFactory JSON = new JsonFactory();

    private AuditJson() {
    }

    static String toJson(AuditEntry entry, byte[] mac) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            write(g, entry, mac);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot happen: writing to memory", ex);
        }
        return w.toString();
    }

    /**
     * Appends the line of each entry to {@code lines}, {@code \n} between them: the text of
     * {@link #toJson} for each, written by one generator into one buffer (a batch's log message).
     */
    static void appendLines(StringBuilder lines, List<AuditEntry> entries, List<byte[]> macs) {
        try (JsonGenerator g = JSON.createGenerator(new StringBuilderWriter(lines))) {
            // Entries are root values; the generator would put a space between them, the log a newline.
            g.setRootValueSeparator(null);
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    g.writeRaw('\n');
                }
                write(g, entries.get(i), macs.get(i));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot happen: writing to memory", ex);
        }
    }

    private static void write(JsonGenerator g, AuditEntry entry, byte[] mac) throws IOException {
        AuditEvent e = entry.event();
        g.writeStartObject();
        g.writeNumberField("seq", entry.seq());
        g.writeStringField("time", e.time().toString());
        g.writeStringField("outcome", e.outcome().name());
        field(g, "request_id", e.requestId());
        field(g, "route", e.route());
        field(g, "token_id", e.tokenId());
        if (e.zulipUserId() != null) {
            g.writeNumberField("zulip_user_id", e.zulipUserId());
        }
        field(g, "zulip_email", e.zulipEmail());
        field(g, "label", e.label());
        field(g, "reason", e.reason());
        field(g, "rule_id", e.ruleId());
        field(g, "remote_address", e.remoteAddress());
        field(g, "instance_id", e.instanceId());
        field(g, "detail", e.detail());
        g.writeStringField("mac", java.util.HexFormat.of().formatHex(mac));
        g.writeEndObject();
    }

    /** A writer into a {@link StringBuilder}: {@link StringWriter}'s buffer is a synchronised one, copied once more at the end. */
    private static final class StringBuilderWriter extends java.io.Writer {
        private final StringBuilder target;

        StringBuilderWriter(StringBuilder target) {
            this.target = target;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            target.append(chars, offset, length);
        }

        @Override
        public void write(String text, int offset, int length) {
            target.append(text, offset, offset + length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
