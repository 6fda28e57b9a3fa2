package dev.mfagate.gateway.cli;

import dev.mfagate.core.Plural;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.audit.AuditAnchor;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mfagate audit verify|export|anchor}: check the tamper-evident chain (against anchors kept
 * elsewhere too), ship entries to a SIEM, and print the head as an anchor.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify and export the audit trail.")
final class AuditCommand {

    /** Longest anchors file read, in bytes (a SIEM export of a few million lines fits). */
    private static final long MAX_ANCHORS_FILE_BYTES = 4L << 30;

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the whole keyed hash chain; exit 0 when intact, 3 when tampered with.",
                    "Names the first entry edited, deleted, inserted or reordered, and says whether the tail was truncated.",
                    "With anchors (entries whose seq and MAC were kept elsewhere), also checks that the chain still holds each of them, which is what shows entries cut from the end with an older head put back."})
    static final class Verify implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Option(names = "--anchor", paramLabel = "SEQ:MAC", description = "An entry the chain must hold, as 'audit anchor' prints it or as the seq and mac of an audit log"
                + " line. Repeatable.")
        List<String> anchors = new ArrayList<>();

        @Option(names = "--anchors", paramLabel = "FILE", description = "Anchors from FILE: one per line, SEQ:MAC or an audit JSON line (audit export's, or the gateway's"
                + " JSON log line around it); blank lines and lines starting with # are skipped.")
        Path anchorsFile;

        Verify(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            List<AuditAnchor> all = new ArrayList<>();
            for (String a : anchors) {
                all.add(parseAnchor(a, "--anchor"));
            }
            if (anchorsFile != null) {
                List<AuditAnchor> read = readAnchors(anchorsFile);
                if (read.isEmpty()) {
                    // A job whose anchoring stopped would otherwise pass for one that checked them.
                    throw UserError.badInput("No anchor in " + anchorsFile + "; it must hold SEQ:MAC lines (from audit anchor)"
                            + " or audit entries");
                }
                all.addAll(read);
            }
            long start = System.nanoTime();
            VerificationResult result;
            try (AuditStore s = store.openForAudit()) {
                result = new AuditVerifier(s.database(), s.auditMac()).verify(all);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (result.isIntact()) {
                cli.out().println(result.describe() + (all.isEmpty() ? "" : ", holding " + Plural.of(all.size(), "anchor", "anchors"))
                        + " (" + ms + " ms)");
                return ExitCodes.OK;
            }
            cli.out().println("TAMPERED: " + result.describe());
            return ExitCodes.TAMPERED;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write entries as JSON lines, one per entry, oldest first.")
    static final class Export implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Option(names = "--since", paramLabel = "INSTANT", description = "From this time on (ISO-8601, e.g. 2026-01-01T00:00:00Z).")
        String since;

        @Option(names = "--until", paramLabel = "INSTANT", description = "Before this time (ISO-8601).")
        String until;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl", description = "Only jsonl (JSON lines).")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE, a new file (never overwritten), instead of standard output.")
        Path output;

        Export(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            if (!format.equals("jsonl")) {
                throw UserError.badInput("Unknown format '" + format + "'; the only format is jsonl");
            }
            Instant from = instant("--since", since, Instant.EPOCH);
            Instant to = instant("--until", until, Instant.parse("9999-12-31T23:59:59Z"));
            if (!from.isBefore(to)) {
                throw UserError.badInput("--since must be before --until");
            }
            long[] n = new long[1];
            try (AuditStore s = store.openForAudit()) {
                AuditExporter exporter = new AuditExporter(s.database());
                if (output == null) {
                    Writer w = new BufferedWriter(new OutputStreamWriter(cli.out(), StandardCharsets.UTF_8));
                    n[0] = exporter.export(from, to, w);
                    w.flush();
                } else {
                    OutputFiles.writeNew(output, "--output", w -> n[0] = exporter.export(from, to, w));
                }
            }
            cli.err().println("Exported " + Plural.of(n[0], "entry", "entries") + ".");
            return ExitCodes.OK;
        }

        private static Instant instant(String flag, String value, Instant fallback) {
            if (value == null) {
                return fallback;
            }
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw UserError.badInput("Invalid " + flag + " '" + (value.length() > 40 ? value.substring(0, 40) : value)
                        + "'; use ISO-8601 UTC such as 2026-01-01T00:00:00Z");
            }
        }
    }

    @Command(name = "anchor", mixinStandardHelpOptions = true,
            description = {"Print the chain head as SEQ:MAC, to keep somewhere the database's writers cannot reach (a SIEM, a log host, a ticket).",
                    "'audit verify --anchor' checks the chain still holds it later.",
                    "Prints nothing for an empty chain; exit 3 if the head fails its own MAC."})
    static final class Anchor implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        Anchor(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            java.util.Optional<AuditAnchor> head;
            try (AuditStore s = store.openForAudit()) {
                try {
                    head = new AuditVerifier(s.database(), s.auditMac()).headAnchor();
                } catch (IllegalStateException e) {
                    // Only the head's own failures: a store that does not open is not tampered with.
                    cli.out().println("TAMPERED: " + e.getMessage());
                    return ExitCodes.TAMPERED;
                }
            }
            if (head.isEmpty()) {
                cli.err().println("The audit chain is empty: no anchor yet.");
            } else {
                cli.out().println(head.get());
            }
            return ExitCodes.OK;
        }
    }

    private static AuditAnchor parseAnchor(String text, String where) {
        try {
            return AuditAnchor.parse(text);
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage() + " (" + where + ")");
        }
    }

    /** Reads an anchors file: {@code SEQ:MAC} lines or audit JSON lines. */
    static List<AuditAnchor> readAnchors(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw UserError.badInput("No anchors file " + file);
        }
        if (Files.size(file) > MAX_ANCHORS_FILE_BYTES) {
            throw UserError.badInput("The anchors file " + file + " is larger than 4 GiB");
        }
        ObjectMapper json = new ObjectMapper();
        List<AuditAnchor> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String where = "line " + n + " of " + file;
                if (!t.startsWith("{")) {
                    out.add(parseAnchor(t, where));
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(t);
                    if (!node.has("seq") && node.path("message").isTextual() && node.get("message").asText().startsWith("{")) {
                        // The gateway's own log line: the audit JSON is the logstash envelope's message.
                        node = json.readTree(node.get("message").asText());
                    }
                } catch (JsonProcessingException e) {
                    throw UserError.badInput("Invalid audit JSON on " + where);
                }
                if (!node.path("seq").canConvertToLong() || !node.path("mac").isTextual()) {
                    throw UserError.badInput("The audit JSON on " + where + " has no seq and mac (written before"
                            + " audit lines carried their MAC?); remove it or give anchors as SEQ:MAC");
                }
                out.add(parseAnchor(node.get("seq").asLong() + ":" + node.get("mac").asText(), where));
            }
        }
        return out;
    }
}
