package dev.mfagate.core.seed;

import dev.mfagate.core.Plural;
import dev.mfagate.core.Label;
import dev.mfagate.core.seed.SeedImportException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives each entry of an import batch its label, from {@code --label} flags or a mapping file,
 * all or nothing.
 *
 * <p>Flags ({@link #ofLabels}) give one label per entry, in entry order. A mapping file
 * ({@link #parse}, {@link #read}) has one line per entry:
 * <pre>{@code
 * # comments start with '#'
 * GitHub:alice@example.com = acme-github
 * #3 = acme-aws-prod          <- by 1-based entry index
 * }</pre>
 * {@code ISSUER:ACCOUNT} (or just {@code ACCOUNT} when the entry has no issuer) is compared with
 * the entry's {@link ImportedEntry#mappingKey()}, ignoring case; a line starting with {@code #N}
 * and {@code =} names an entry by index, any other line starting with {@code #} is a comment.
 *
 * <p>{@link #assign} checks the whole batch before returning anything: every entry must get
 * exactly one valid label and every label must be used ({@link Kind#BAD_MAPPING}), and no two
 * entries may share a label ({@link Kind#DUPLICATE_LABEL}). Whether a label already exists in the
 * store is the store's concern, not this class's.
 *
 * <p>Immutable and thread-safe.
 */
public final class LabelMapping {

    private static final Pattern INDEX_LINE = Pattern.compile("#([0-9]+)\\s*=(.*)");
    private static final int MAX_INDEX = 100_000;

    /** One label with what selects its entry: an index (from a flag or {@code #N}) or a mapping key. */
    private record Rule(String origin, int index, String key, Label label) {
        boolean matches(ImportedEntry entry) {
            return key == null ? entry.index() == index : entry.mappingKey().toLowerCase(Locale.ROOT).equals(key);
        }
    }

    private final List<Rule> rules;
    private final boolean fromFlags;

    private LabelMapping(List<Rule> rules, boolean fromFlags) {
        this.rules = List.copyOf(rules);
        this.fromFlags = fromFlags;
    }

    /**
     * Labels given in entry order, as repeated {@code --label} flags.
     *
     * @throws SeedImportException {@link Kind#BAD_MAPPING} naming the first invalid label
     */
    public static LabelMapping ofLabels(List<String> labels) throws SeedImportException {
        Objects.requireNonNull(labels, "labels");
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            String origin = "--label " + (i + 1);
            rules.add(new Rule(origin, i + 1, null, label(labels.get(i), origin)));
        }
        return new LabelMapping(rules, true);
    }

    /**
     * Parses mapping file text.
     *
     * @param text the file's content
     * @throws SeedImportException {@link Kind#BAD_MAPPING} naming the first bad line
     */
    public static LabelMapping parse(String text) throws SeedImportException {
        Objects.requireNonNull(text, "text");
        List<Rule> rules = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            String origin = "mapping line " + (i + 1);
            Matcher index = INDEX_LINE.matcher(line);
            if (index.matches()) {
                int n = Shown.smallDecimal(index.group(1));
                if (n < 1 || n > MAX_INDEX) {
                    throw new SeedImportException(Kind.BAD_MAPPING, origin + ": entry index must be from 1 to " + MAX_INDEX);
                }
                rules.add(new Rule(origin, n, null, label(stripComment(index.group(2)), origin)));
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.lastIndexOf('=');
            if (equals < 0) {
                throw new SeedImportException(Kind.BAD_MAPPING, origin + ": expected 'ISSUER:ACCOUNT = label' or '#N = label'");
            }
            String key = line.substring(0, equals).strip();
            if (key.isEmpty()) {
                throw new SeedImportException(Kind.BAD_MAPPING, origin + ": nothing before '='; expected 'ISSUER:ACCOUNT = label'");
            }
            rules.add(new Rule(origin, 0, key.toLowerCase(Locale.ROOT), label(stripComment(line.substring(equals + 1)), origin)));
        }
        return new LabelMapping(rules, false);
    }

    /** Reads and parses a UTF-8 mapping file; see {@link #parse}. */
    public static LabelMapping read(Path file) throws IOException, SeedImportException {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            // A byte-order mark, as some Windows editors write one, is not part of the first line.
            return parse(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (SeedImportException e) {
            throw e.in(file.toString());
        }
    }

    /**
     * Labels every entry, or fails without labelling any.
     *
     * @return one labelled seed per entry, in entry order
     * @throws SeedImportException {@link Kind#BAD_MAPPING} when an entry has no label or two, or a
     *     label is unused; {@link Kind#DUPLICATE_LABEL} when two entries get the same label
     */
    public List<LabeledSeed> assign(List<ImportedEntry> entries) throws SeedImportException {
        Objects.requireNonNull(entries, "entries");
        if (fromFlags && rules.size() != entries.size()) {
            if (rules.size() < entries.size()) {
                throw new SeedImportException(Kind.BAD_MAPPING, entries.get(rules.size()).describe() + " has no label: "
                        + Plural.of(rules.size(), "--label value", "--label values") + " for "
                        + Plural.of(entries.size(), "entry", "entries"));
            }
            throw new SeedImportException(Kind.BAD_MAPPING, rules.get(entries.size()).origin() + " is unused: "
                    + Plural.of(rules.size(), "--label value", "--label values") + " for "
                    + Plural.of(entries.size(), "entry", "entries"));
        }
        Map<Rule, List<ImportedEntry>> uses = new HashMap<>();
        List<LabeledSeed> labelled = new ArrayList<>(entries.size());
        for (ImportedEntry entry : entries) {
            List<Rule> matching = rules.stream().filter(rule -> rule.matches(entry)).toList();
            if (matching.isEmpty()) {
                throw new SeedImportException(Kind.BAD_MAPPING, entry.describe() + " has no label; add '"
                        + (entry.mappingKey().isEmpty() ? "#" + entry.index() : "ISSUER:ACCOUNT") + " = label' to the mapping");
            }
            if (matching.size() > 1) {
                throw new SeedImportException(Kind.BAD_MAPPING, entry.describe() + " is labelled by both "
                        + matching.get(0).origin() + " and " + matching.get(1).origin());
            }
            uses.computeIfAbsent(matching.get(0), rule -> new ArrayList<>()).add(entry);
            labelled.add(new LabeledSeed(matching.get(0).label(), entry));
        }
        for (Rule rule : rules) {
            List<ImportedEntry> used = uses.getOrDefault(rule, List.of());
            if (used.isEmpty()) {
                throw new SeedImportException(Kind.BAD_MAPPING, rule.origin() + " (" + rule.label()
                        + ") matches no entry of the batch");
            }
            if (used.size() > 1) {
                throw new SeedImportException(Kind.BAD_MAPPING, rule.origin() + " matches entries " + used.get(0).index()
                        + " and " + used.get(1).index() + ", which would share one label; use '#N = label' lines for them");
            }
        }
        Map<Label, LabeledSeed> byLabel = new HashMap<>();
        for (LabeledSeed seed : labelled) {
            LabeledSeed earlier = byLabel.putIfAbsent(seed.label(), seed);
            if (earlier != null) {
                throw new SeedImportException(Kind.DUPLICATE_LABEL, "entries " + earlier.entry().index() + " and "
                        + seed.entry().index() + " would both get label " + seed.label());
            }
        }
        return List.copyOf(labelled);
    }

    private static Label label(String text, String origin) throws SeedImportException {
        try {
            return Label.requireNotSecretShaped(Label.parse(text.strip()));
        } catch (IllegalArgumentException e) {
            throw new SeedImportException(Kind.BAD_MAPPING, origin + ": " + e.getMessage());
        }
    }

    /** A label cannot contain '#', so anything after one is a comment. */
    private static String stripComment(String text) {
        int hash = text.indexOf('#');
        return hash < 0 ? text : text.substring(0, hash);
    }
}
