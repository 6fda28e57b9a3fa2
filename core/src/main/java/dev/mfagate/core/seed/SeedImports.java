package dev.mfagate.core.seed;

import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads a batch of seeds from text and QR images, all or nothing.
 *
 * <p>Each text line or QR code is a base32 secret or an {@code otpauth://totp/} URI (see
 * {@link SeedParser}), or a Google Authenticator export {@code otpauth-migration://} (see
 * {@link MigrationPayload}), which contributes all its entries. Entries are numbered from 1 in
 * input order. When an export spans several QR codes, every part must be given, once: a missing
 * part would silently lose seeds, so it fails the batch with {@link Kind#BAD_MIGRATION}.
 *
 * <p>Any failure fails the whole batch, with a message that names the input and line or QR code;
 * the seeds read so far are destroyed. Stateless and thread-safe.
 *
 * <p>Out of scope: choosing labels (see {@link LabelMapping}) and storing seeds.
 */
public final class SeedImports {

    private SeedImports() {
    }

    /**
     * Reads every seed of every input.
     *
     * @throws SeedImportException for the first problem; {@link Kind#EMPTY_INPUT} when nothing holds a seed
     */
    public static List<ImportedEntry> read(List<ImportInput> inputs) throws SeedImportException {
        Objects.requireNonNull(inputs, "inputs");
        Batch batch = new Batch();
        try {
            for (ImportInput input : inputs) {
                Optional<Path> image = input.image();
                if (image.isPresent()) {
                    List<String> texts;
                    try {
                        texts = QrImages.decode(image.get());
                    } catch (SeedImportException e) {
                        throw e.in(input.source());
                    }
                    for (int i = 0; i < texts.size(); i++) {
                        String where = texts.size() == 1 ? input.source() : input.source() + " QR " + (i + 1);
                        batch.add(texts.get(i), where);
                    }
                } else {
                    List<String> lines = input.text().orElseThrow().lines().toList();
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (!line.isEmpty() && !line.startsWith("#")) {
                            batch.add(line, input.source() + " line " + (i + 1));
                        }
                    }
                }
            }
            batch.checkMigrationsComplete();
            if (batch.entries.isEmpty()) {
                throw new SeedImportException(Kind.EMPTY_INPUT, "no seed found in " + inputs.size() + " input(s)");
            }
            return List.copyOf(batch.entries);
        } catch (SeedImportException e) {
            batch.entries.forEach(entry -> entry.seed().destroy());
            throw e;
        }
    }

    /** Reads one text, such as a file of URIs; see {@link #read(List)}. */
    public static List<ImportedEntry> readText(String source, String text) throws SeedImportException {
        return read(List.of(ImportInput.text(source, text)));
    }

    private static final class Batch {
        final List<ImportedEntry> entries = new ArrayList<>();
        /** Parts seen per export batch id, for exports of more than one QR code. */
        final Map<Integer, MigrationParts> migrations = new HashMap<>();

        void add(String text, String where) throws SeedImportException {
            if (MigrationPayload.isMigrationUri(text)) {
                MigrationPayload payload;
                try {
                    payload = MigrationPayload.fromUri(text);
                } catch (SeedImportException e) {
                    throw e.in(where);
                }
                try {
                    if (payload.batchSize() > 1) {
                        migrations.computeIfAbsent(payload.batchId(), id -> new MigrationParts(payload.batchSize()))
                                .add(payload, where);
                    }
                } catch (SeedImportException e) {
                    payload.seeds().forEach(TotpSeed::destroy);
                    throw e;
                }
                List<TotpSeed> seeds = payload.seeds();
                for (int i = 0; i < seeds.size(); i++) {
                    add(seeds.get(i), where + ", migration entry " + (i + 1));
                }
            } else {
                try {
                    add(SeedParser.parse(text), where);
                } catch (SeedImportException e) {
                    throw e.in(where);
                }
            }
        }

        void add(TotpSeed seed, String source) {
            entries.add(new ImportedEntry(entries.size() + 1, source, seed.issuer(), seed.accountName(), seed));
        }

        void checkMigrationsComplete() throws SeedImportException {
            for (Map.Entry<Integer, MigrationParts> batch : migrations.entrySet()) {
                batch.getValue().checkComplete(batch.getKey());
            }
        }
    }

    private static final class MigrationParts {
        final int size;
        final Map<Integer, String> sources = new HashMap<>();

        MigrationParts(int size) {
            this.size = size;
        }

        void add(MigrationPayload payload, String where) throws SeedImportException {
            if (payload.batchSize() != size) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + ": export batch " + payload.batchId() + " says it has "
                        + payload.batchSize() + " parts, but an earlier part said " + size);
            }
            String earlier = sources.putIfAbsent(payload.batchIndex(), where);
            if (earlier != null) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + ": part " + (payload.batchIndex() + 1) + " of "
                        + size + " of export batch " + payload.batchId() + " was already given by " + earlier);
            }
        }

        void checkComplete(int batchId) throws SeedImportException {
            TreeSet<Integer> missing = new TreeSet<>();
            for (int i = 0; i < size; i++) {
                if (!sources.containsKey(i)) {
                    missing.add(i + 1);
                }
            }
            if (!missing.isEmpty()) {
                throw new SeedImportException(Kind.BAD_MIGRATION, "export batch " + batchId + " has " + size
                        + " QR codes but part(s) " + missing + " were not given; import all of them together");
            }
        }
    }
}
