package dev.mfagate.gateway.cli;

import dev.mfagate.core.Plural;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.store.Store;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mfagate audit verify|export}: check the tamper-evident chain, and ship entries to a SIEM. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify and export the audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
final class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the whole keyed hash chain; exit 0 when intact, 3 when tampered with.",
                    "Names the first entry edited, deleted, inserted or reordered, and says whether the tail was truncated."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            long start = System.nanoTime();
            VerificationResult result;
            try (Store s = store.open()) {
                result = new AuditVerifier(s.database(), s.keyring().auditMac()).verify();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (result.isIntact()) {
                System.out.println(result.describe() + " (" + ms + " ms)");
                return ExitCodes.OK;
            }
            System.out.println("TAMPERED: " + result.describe());
            return ExitCodes.TAMPERED;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write entries as JSON lines, one per entry, oldest first.")
    static final class Export implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Option(names = "--since", paramLabel = "INSTANT", description = "From this time on (ISO-8601, e.g. 2026-01-01T00:00:00Z).")
        String since;

        @Option(names = "--until", paramLabel = "INSTANT", description = "Before this time (ISO-8601).")
        String until;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl", description = "Only jsonl (JSON lines).")
        String format;

        @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
        Path output;

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
            try (Store s = store.open();
                 Writer w = output == null
                         ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                         : Files.newBufferedWriter(output)) {
                long n = new AuditExporter(s.database()).export(from, to, w);
                w.flush();
                System.err.println("Exported " + Plural.of(n, "entry", "entries") + ".");
            }
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
}
