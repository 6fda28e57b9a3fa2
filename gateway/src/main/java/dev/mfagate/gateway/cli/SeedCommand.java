package dev.mfagate.gateway.cli;

import dev.mfagate.core.Plural;
import dev.mfagate.core.Label;
import dev.mfagate.core.seed.ImportInput;
import dev.mfagate.core.seed.ImportedEntry;
import dev.mfagate.core.seed.LabeledSeed;
import dev.mfagate.core.seed.LabelMapping;
import dev.mfagate.core.seed.SeedImportException;
import dev.mfagate.core.seed.SeedImports;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.DuplicateLabelException;
import dev.mfagate.core.store.SeedInfo;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.totp.TotpSeed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mfagate seed add|import|list|remove|sensitive}. Seeds go in; no command shows one. */
@Command(name = "seed", mixinStandardHelpOptions = true, description = "Add, import, list and remove seeds.")
final class SeedCommand {

    /**
     * The most seeds one {@code seed import} adds: as many as a tenant may hold
     * ({@link dev.mfagate.core.store.SeedRepository#MAX_SEEDS_PER_TENANT}); a larger move runs as
     * several imports.
     */
    static final int MAX_IMPORT_SEEDS = dev.mfagate.core.store.SeedRepository.MAX_SEEDS_PER_TENANT;

    /** The most a seed input may be; a seed or a batch of URIs is far smaller. */
    static final int MAX_STDIN_BYTES = 64 * 1024;

    static Label label(String text) {
        try {
            return Label.parse(text);
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage());
        }
    }

    /** Standard input as text: typed without echo at a terminal, else read to its end (at most {@link #MAX_STDIN_BYTES}). */
    static String readStdin(CliContext cli, String prompt) {
        if (cli.terminal().isPresent()) {
            char[] typed = cli.terminal().get().readPassword("%s", prompt);
            if (typed == null) {
                throw UserError.badInput("No seed given on standard input");
            }
            String s = new String(typed);
            Arrays.fill(typed, '\0');
            return s;
        }
        try {
            InputStream in = cli.in();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buf.write(chunk, 0, n);
                if (buf.size() > MAX_STDIN_BYTES) {
                    throw UserError.badInput("Standard input is larger than " + MAX_STDIN_BYTES + " bytes; give one seed or URI list");
                }
            }
            return utf8(buf.toByteArray(), "Standard input");
        } catch (IOException e) {
            throw UserError.failure("Cannot read standard input: " + e.getClass().getSimpleName());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Read one seed from standard input and store it encrypted under LABEL.",
                    "The seed is a base32 secret or an otpauth://totp/ URI. It is never taken from the command line, so it"
                            + " stays out of shell history. Example:",
                    "  mfagate seed add acme-aws < seed.txt"})
    static final class Add implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "LABEL", description = "The label, <client>-<service>, for example acme-aws.")
        String label;

        Add(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws SeedImportException {
            // Before the seed is read: a label that looks like a secret is refused without asking for one.
            Label l = TenantCommands.parse(() -> Label.requireNotSecretShaped(label(label)));
            TotpSeed seed = SeedParser.parse(readStdin(cli, "Seed (base32 or otpauth:// URI, not echoed): "));
            try (Store s = store.open()) {
                s.seeds().add(l, seed, cli.clock().instant());
                AdminAudit.record(cli, s, "seed-add", l.value(), null);
            } catch (DuplicateLabelException e) {
                throw UserError.badInput("Label " + l + " already has a seed; remove it first with 'mfagate seed remove " + l + "'");
            } catch (dev.mfagate.core.store.TenantSeedLimitException e) {
                throw UserError.badInput(e.getMessage() + "; nothing was added");
            } finally {
                seed.destroy();
            }
            cli.out().println("Added " + l + " (" + seed.parameters().algorithm() + ", " + seed.parameters().digits()
                    + " digits, " + seed.parameters().periodSeconds() + " s).");
            return ExitCodes.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import every seed in the given files, all or nothing.",
                    "A file is a QR image (PNG or JPEG), or text with one URI per line, each either",
                    "  otpauth://totp/... (one account) or",
                    "  otpauth-migration://offline?data=... (a Google Authenticator export);",
                    "'-' reads standard input. Labels come from --label, one per entry in order, or from --mapping FILE,"
                            + " whose lines read 'ISSUER:ACCOUNT = label' or '#N = label'."})
    static final class Import implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Option(names = "--label", paramLabel = "LABEL", description = "Label for the next entry, in order; repeat once per entry.")
        List<String> labels = new ArrayList<>();

        @Option(names = "--mapping", paramLabel = "FILE", description = "A file mapping entries to labels.")
        Path mapping;

        @Option(names = "--dry-run", description = "Check and show what would be imported; write nothing.")
        boolean dryRun;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "QR images or text files with URIs; '-' for standard input.")
        List<String> inputs;

        Import(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws SeedImportException, IOException {
            if (mapping != null && !labels.isEmpty()) {
                throw UserError.badInput("Give labels either with --label or with --mapping, not both");
            }
            if (labels.size() > MAX_IMPORT_SEEDS) {
                throw tooMany(labels.size());
            }
            List<ImportInput> sources = new ArrayList<>();
            for (String in : inputs) {
                sources.add(input(in));
            }
            List<ImportedEntry> entries = SeedImports.read(sources);
            if (entries.size() > MAX_IMPORT_SEEDS) {
                int n = entries.size();
                entries.forEach(e -> e.seed().destroy());
                throw tooMany(n);
            }
            LabelMapping map = mapping != null ? mapping(mapping) : LabelMapping.ofLabels(labels);
            List<LabeledSeed> batch = map.assign(entries);
            try {
                if (!dryRun) {
                    List<Map.Entry<Label, TotpSeed>> rows = batch.stream()
                            .map(b -> Map.entry(b.label(), b.seed())).toList();
                    try (Store s = store.open()) {
                        s.seeds().addAll(rows, cli.clock().instant());
                        // One entry per seed, each with its label: one entry for the batch would cut its detail short.
                        AdminAudit.recordEach(cli, s, "seed-import", rows.stream().map(r -> r.getKey().value()).toList(),
                                rows.size() == 1 ? null : "one of " + Plural.of(rows.size(), "seed", "seeds") + " imported at once");
                    } catch (DuplicateLabelException e) {
                        throw UserError.badInput(e.getMessage() + "; nothing was imported");
                    } catch (dev.mfagate.core.store.TenantSeedLimitException e) {
                        throw UserError.badInput(e.getMessage() + "; nothing was imported");
                    }
                }
                for (LabeledSeed b : batch) {
                    TotpSeed seed = b.seed();
                    cli.out().println((dryRun ? "Would import " : "Imported ") + b.label() + " ("
                            + seed.issuer().orElse("-") + ", " + seed.parameters().algorithm() + ", "
                            + seed.parameters().digits() + " digits, " + seed.parameters().periodSeconds() + " s)");
                }
                cli.out().println((dryRun ? "Checked " : "Imported ") + Plural.of(batch.size(), "seed", "seeds")
                        + "; nothing else was written.");
            } finally {
                batch.forEach(b -> b.seed().destroy());
            }
            return ExitCodes.OK;
        }

        private static UserError tooMany(int n) {
            return UserError.badInput("One import adds at most " + MAX_IMPORT_SEEDS + " seeds, and this one has " + n
                    + "; import them in several parts; nothing was imported");
        }

        /** The mapping file, checked as the inputs are: a regular file of UTF-8 text. */
        private static LabelMapping mapping(Path file) throws IOException, SeedImportException {
            utf8(Files.readAllBytes(regularFile(file.toString())), file.toString());
            return LabelMapping.read(file);
        }

        /** A QR image by its magic bytes (PNG, JPEG), else text with one URI per line; '-' is standard input. */
        private ImportInput input(String name) throws IOException {
            if (name.equals("-")) {
                return ImportInput.text("standard input", readStdin(cli, ""));
            }
            Path p = regularFile(name);
            byte[] head = new byte[4];
            int n;
            try (InputStream in = Files.newInputStream(p)) {
                n = in.readNBytes(head, 0, 4);
            }
            boolean png = n == 4 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
            boolean jpeg = n >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff;
            if (png || jpeg) {
                return ImportInput.image(p);
            }
            if (Files.size(p) > MAX_STDIN_BYTES) {
                throw UserError.badInput("File " + p + " is larger than " + MAX_STDIN_BYTES + " bytes; not a seed export");
            }
            return ImportInput.text(p.toString(), utf8(Files.readAllBytes(p), p.toString()));
        }
    }

    /**
     * {@code bytes} as UTF-8, or bad input naming {@code what}: a seed export in another encoding
     * would otherwise keep U+FFFD in its issuers' and accounts' names.
     */
    static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw UserError.badInput(what + " is not UTF-8 text, nor a PNG or JPEG image; give one otpauth:// URI or"
                    + " base32 secret per line in UTF-8, or a QR image");
        }
    }

    /** {@code name} as a path to an existing regular file, or bad input saying what it is instead. */
    static Path regularFile(String name) {
        Path p = Path.of(name);
        if (Files.isRegularFile(p)) {
            return p;
        }
        throw UserError.badInput(Files.isDirectory(p) ? p + " is a directory; give a file"
                : Files.exists(p) ? p + " is not a regular file; give a file" : "No such file: " + p);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List labels and parameters (never secrets).")
    static final class ListSeeds implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        ListSeeds(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                List<SeedInfo> seeds = s.seeds().list();
                Table table = new Table("LABEL", "ALG", "DIGITS", "PERIOD", "ISSUER", "ADDED");
                for (SeedInfo i : seeds) {
                    table.row(i.label(), i.algorithm(), i.digits(), i.periodSeconds() + "s",
                            i.issuer() == null ? "-" : i.issuer(), i.createdAt());
                }
                table.print(cli.out());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove the seed with LABEL.")
    static final class Remove implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "LABEL", description = "The label of the seed to remove, for example acme-aws.")
        String label;

        Remove(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Label l = label(label);
            boolean sensitive;
            try (Store s = store.open()) {
                if (!s.seeds().remove(l)) {
                    throw UserError.badInput("No seed has the label " + l);
                }
                AdminAudit.record(cli, s, "seed-remove", l.value(), null);
                sensitive = new dev.mfagate.core.console.Passkeys(s.database()).isSensitive(l);
            }
            // The mark stays on purpose, so that a seed enrolled again under the label keeps its step-up; said, not silent.
            cli.out().println("Removed " + l + "." + (sensitive ? " Its sensitive mark stays for a seed enrolled under it again;"
                    + " 'mfagate seed sensitive " + l + " off' clears it." : ""));
            return ExitCodes.OK;
        }
    }

    @Command(name = "sensitive", mixinStandardHelpOptions = true,
            description = {"Mark LABEL sensitive (on) or not (off): the web console then reveals its codes only after"
                    + " a passkey step-up. Example:", "  mfagate seed sensitive acme-aws on"})
    static final class Sensitive implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "LABEL", description = "The label, for example acme-aws.")
        String label;

        @Parameters(index = "1", paramLabel = "on|off", description = "on to mark it sensitive, off to clear the mark.")
        String state;

        Sensitive(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Label l = label(label);
            boolean on = switch (state) {
                case "on" -> true;
                case "off" -> false;
                default -> throw UserError.badInput("Give on or off after the label");
            };
            try (Store s = store.open()) {
                if (on && s.seeds().info(l).isEmpty()) {
                    // A typo would leave the real label unmarked while saying it is marked. Clearing is
                    // always allowed: a mark can outlive its seed.
                    throw UserError.badInput("No seed has the label " + l + "; see mfagate seed list");
                }
                if (new dev.mfagate.core.console.Passkeys(s.database()).markSensitive(l, on, cli.clock().instant())) {
                    AdminAudit.record(cli, s, "seed-sensitive", l.value(), "sensitive " + state);
                    cli.out().println(l + (on ? " is sensitive now: the console asks for a passkey before its codes."
                            : " is not sensitive any more."));
                } else {
                    cli.out().println(l + (on ? " was sensitive already." : " was not sensitive."));
                }
            }
            return ExitCodes.OK;
        }
    }
}
