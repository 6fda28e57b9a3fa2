package dev.mfagate.core.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mfagate.api.LabelGrammar;
import dev.mfagate.core.LabelPattern;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A whole policy as a reviewable YAML document: export it, edit it in a pull request, apply it.
 *
 * <pre>{@code
 * # mfagate policy (format 2). Rules are sorted by id; apply with the CLI, which shows the diff first.
 * version: 2
 * rules:
 * - id: "acme-team"
 *   principal: "channel:12"              # Zulip stream id of #acme
 *   labels: "acme-*"
 *   expires_at: "2026-01-31T00:00:00Z"   # optional
 *   daily_cap: 20                        # optional
 *   created_by: "alice"                  # optional; informational
 *   created_at: "2025-11-02T09:14:00Z"   # optional; informational
 * }</pre>
 * The format is stable: rules sorted by id, fields in a fixed order, times in UTC ISO-8601, so an
 * export of an unchanged policy is byte-for-byte the same. Parsing is strict: unknown fields,
 * duplicate ids and bad values are rejected with a message naming the rule and the rule broken.
 * {@code created_by}/{@code created_at} are informational; when absent they read as
 * {@value #UNKNOWN_CREATOR} and the epoch, and {@link PolicyRepository#apply} restamps whatever
 * it adds or changes.
 *
 * <p>Format 1 (before channel rules took stream ids) is still read: its {@code channel:<name>}
 * principals mean channel names and are read as the inert {@code channel-name:<name>}
 * ({@link Principal.LegacyChannelName}), exactly what the database migration made of stored rules.
 * So a format-1 file never turns a channel named {@code 123} into stream 123.
 *
 * <p>Immutable and thread-safe.
 *
 * @param rules the rules, sorted by id
 */
public record PolicyFile(List<Rule> rules) {

    /** The format written: 2, where {@code channel:} takes a Zulip stream id. */
    public static final int FORMAT_VERSION = 2;

    /** The format before channel rules took stream ids: {@code channel:} named a channel. */
    static final int FORMAT_CHANNEL_NAMES = 1;

    /** {@code created_by} of a rule whose file entry has none. */
    public static final String UNKNOWN_CREATOR = "policy-file";

    private static final String HEADER = "# mfagate policy (format 2). Rules are sorted by id; apply with the CLI, which shows the diff first.\n";

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // A cap of 1.5 is a mistake to report, not a cap of 1.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    /** Sorts by id and rejects duplicate ids. */
    public PolicyFile {
        List<Rule> sorted = new ArrayList<>(Objects.requireNonNull(rules, "rules"));
        sorted.sort(Comparator.comparing(Rule::id));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("Duplicate rule id " + sorted.get(i).id() + ": rule ids must be unique");
            }
        }
        rules = List.copyOf(sorted);
    }

    /** A file holding {@code rules}. */
    public static PolicyFile of(Collection<Rule> rules) {
        return new PolicyFile(List.copyOf(rules));
    }

    /**
     * Parses a policy document.
     *
     * @throws IllegalArgumentException when the document is not valid; the message names the
     *     rule (by position and id) and the problem
     */
    public static PolicyFile parse(String yaml) {
        Objects.requireNonNull(yaml, "yaml");
        if (yaml.isBlank()) {
            throw new IllegalArgumentException("Invalid policy file: empty; must have version: 2 and rules:");
        }
        Doc doc;
        try {
            doc = YAML.readValue(yaml, Doc.class);
        } catch (JsonProcessingException e) {
            // Never Jackson's or SnakeYAML's message, nor the exception as the cause: they quote the
            // offending value or source line (which may be a seed) and name Java classes.
            throw new IllegalArgumentException("Invalid policy file: " + reasonFor(e));
        }
        if (doc == null) {
            throw new IllegalArgumentException("Invalid policy file: empty; must have version: 2 and rules:");
        }
        if (doc.version() == null || (doc.version() != FORMAT_VERSION && doc.version() != FORMAT_CHANNEL_NAMES)) {
            throw new IllegalArgumentException("Invalid policy file: version " + doc.version() + "; must be " + FORMAT_VERSION
                    + " (or " + FORMAT_CHANNEL_NAMES + ", read as written before channel rules took stream ids)");
        }
        boolean channelNames = doc.version() == FORMAT_CHANNEL_NAMES;
        List<Rule> rules = new ArrayList<>();
        List<Entry> entries = doc.rules() == null ? List.of() : doc.rules();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e == null) {
                throw new IllegalArgumentException("Invalid policy file: rule #" + (i + 1) + " is empty");
            }
            try {
                rules.add(e.toRule(channelNames));
            } catch (IllegalArgumentException | NullPointerException | DateTimeParseException ex) {
                throw new IllegalArgumentException("Invalid policy file: rule #" + (i + 1)
                        + (e.id() == null ? "" : " (" + Texts.describe(e.id()) + ")") + ": " + ex.getMessage(), ex);
            }
        }
        requireNoTwoAlike(rules);
        return new PolicyFile(rules);
    }

    /**
     * Refuses two rules of a file that grant exactly the same (principal, labels, expiry to the
     * millisecond as stored, daily cap), as {@code grant}, the admin API and the console refuse a rule
     * identical to one held: applied, such a file made two rules where the other doors allow one. Only
     * files read are checked; a policy exported from an older store may hold such a pair, and then
     * says so when applied again.
     */
    private static void requireNoTwoAlike(List<Rule> rules) {
        Map<List<Object>, Integer> first = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            List<Object> grants = List.of(r.principal().text(), r.pattern().value(),
                    r.expiresAt().map(Instant::toEpochMilli).orElse(-1L), r.dailyCap().orElse(-1));
            Integer earlier = first.putIfAbsent(grants, i);
            if (earlier != null) {
                throw new IllegalArgumentException("Invalid policy file: rule #" + (i + 1) + " (" + Texts.describe(r.id())
                        + ") grants exactly what rule #" + (earlier + 1) + " (" + Texts.describe(rules.get(earlier).id())
                        + ") grants; keep one of them");
            }
        }
    }

    /**
     * Where and why {@code e} rejected the document, in a sentence that quotes no value and names no
     * Java class: the line and column, the place in the document ({@code rules[0].daily_cap}) and
     * what belongs there. A key the document does not take is quoted only if
     * {@link LabelGrammar#describe} would quote it.
     */
    static String reasonFor(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException syntax) {
                Mark mark = syntax.getProblemMark() != null ? syntax.getProblemMark() : syntax.getContextMark();
                return (mark == null ? where(e) : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ")
                        + "not valid YAML";
            }
        }
        if (!(e instanceof JsonMappingException m)) {
            // A parse error: bad YAML, or a key written twice (STRICT_DUPLICATE_DETECTION).
            if (e instanceof StreamReadException r && e.getOriginalMessage() != null
                    && e.getOriginalMessage().startsWith("Duplicate field")) {
                String name = currentName(r);
                return where(e) + "duplicate key" + (name == null ? "" : " " + LabelGrammar.describe(name));
            }
            return where(e) + "not valid YAML";
        }
        List<JsonMappingException.Reference> path = m.getPath();
        if (m.getCause() instanceof JsonProcessingException inner && !(inner instanceof JsonMappingException)) {
            // A parse error met while reading a value, wrapped with where in the document it was.
            if (inner instanceof InputCoercionException) {
                return where(e) + path(path) + " must be a whole number no larger than " + Integer.MAX_VALUE;
            }
            return reasonFor(inner);
        }
        if (m instanceof UnrecognizedPropertyException u) {
            String in = path.size() <= 1 ? "at the top level" : "in " + path(path.subList(0, path.size() - 1));
            return where(e) + "unknown key " + LabelGrammar.describe(String.valueOf(u.getPropertyName())) + " " + in
                    + "; the keys are " + (path.size() <= 1 ? "version, rules" : ENTRY_KEYS);
        }
        if (m instanceof MismatchedInputException && path.isEmpty() && m.getOriginalMessage() != null
                && m.getOriginalMessage().startsWith("Trailing token")) {
            return where(e) + "more than one document; a policy file holds one";
        }
        if (m instanceof MismatchedInputException mi && !path.isEmpty()) {
            return where(e) + path(path) + " must be " + expected(mi.getTargetType());
        }
        if (path.isEmpty()) {
            return where(e) + "must be a mapping with version: " + FORMAT_VERSION + " and rules:";
        }
        return where(e) + path(path) + " is not valid here";
    }

    private static final String ENTRY_KEYS = "id, principal, labels, expires_at, daily_cap, created_by, created_at";

    private static String where(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        if (at == null || at.getLineNr() <= 0) {
            return "";
        }
        return "line " + at.getLineNr() + (at.getColumnNr() > 0 ? ", column " + at.getColumnNr() : "") + ": ";
    }

    private static String currentName(StreamReadException e) {
        try {
            return e.getProcessor() == null ? null : e.getProcessor().currentName();
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    /** {@code rules[0].daily_cap}; a key that {@link LabelGrammar#describe} would not quote shows as {@code <key>}. */
    private static String path(List<JsonMappingException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                String name = ref.getFieldName();
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(LabelGrammar.describe(name).startsWith("'") ? name : "<key>");
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "the document" : out.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "text (a single value)";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping";
    }

    /** The document text: header comment, {@code version}, rules sorted by id. */
    public String toYaml() {
        List<Entry> entries = rules.stream().map(Entry::of).toList();
        try {
            return HEADER + YAML.writeValueAsString(new Doc(FORMAT_VERSION, entries));
        } catch (JsonProcessingException e) {
            throw new AssertionError("Policy rules always serialise", e);
        }
    }

    /** What applying this file to {@code current} would change. */
    public PolicyDiff diffFrom(Collection<Rule> current) {
        return PolicyDiff.between(current, rules);
    }

    @JsonPropertyOrder({"version", "rules"})
    private record Doc(@JsonProperty("version") Integer version, @JsonProperty("rules") List<Entry> rules) {
        @JsonCreator
        Doc {
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"id", "principal", "labels", "expires_at", "daily_cap", "created_by", "created_at"})
    private record Entry(
            @JsonProperty("id") String id,
            @JsonProperty("principal") String principal,
            @JsonProperty("labels") String labels,
            @JsonProperty("expires_at") String expiresAt,
            @JsonProperty("daily_cap") Integer dailyCap,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("created_at") String createdAt) {

        @JsonCreator
        Entry {
        }

        static Entry of(Rule r) {
            return new Entry(r.id(), r.principal().text(), r.pattern().value(),
                    r.expiresAt().map(Instant::toString).orElse(null),
                    r.dailyCap().isPresent() ? r.dailyCap().getAsInt() : null,
                    r.createdBy(), r.createdAt().toString());
        }

        Rule toRule(boolean channelNames) {
            require(id, "id");
            require(principal, "principal");
            require(labels, "labels");
            Principal who = channelNames && principal.regionMatches(true, 0, "channel:", 0, 8)
                    ? new Principal.LegacyChannelName(principal.substring(8))
                    : Principal.parse(principal);
            return new Rule(id, who, LabelPattern.parse(labels),
                    Optional.ofNullable(expiresAt).map(t -> instant(t, "expires_at")),
                    dailyCap == null ? OptionalInt.empty() : OptionalInt.of(dailyCap),
                    createdBy == null ? UNKNOWN_CREATOR : createdBy,
                    createdAt == null ? Instant.EPOCH : instant(createdAt, "created_at"));
        }

        /** Instant.parse without its message, which quotes the text. */
        private static Instant instant(String text, String field) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(field + " must be a UTC ISO-8601 time such as 2026-01-31T00:00:00Z");
            }
        }

        private static void require(Object value, String field) {
            if (value == null) {
                throw new IllegalArgumentException("missing " + field);
            }
        }
    }
}
