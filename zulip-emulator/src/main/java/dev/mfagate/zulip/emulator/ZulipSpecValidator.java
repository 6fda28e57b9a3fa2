package dev.mfagate.zulip.emulator;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.interaction.ApiOperationResolver;
import com.atlassian.oai.validator.model.ApiOperation;
import com.atlassian.oai.validator.model.ApiOperationMatch;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Encoding;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks HTTP exchanges against Zulip's official OpenAPI description ({@code shared/zulip-api/zulip.yaml}),
 * using Atlassian's swagger-request-validator. Paths in the description are relative to {@code /api/v1}.
 *
 * <p>Loading the 1.3 MB description takes about a second, so {@link #shared()} loads it once per JVM and
 * hands out the same instance. Thread-safe: {@link #validate} is synchronised (the underlying validators
 * are not documented as thread-safe).
 *
 * <p>Zulip's description trips a strict reading of OpenAPI in a few known ways. Each adjustment is listed
 * in {@link #TOLERATED} with its reason; none exists to hide a fault of the emulator or of a client.
 *
 * <p>Finding the description: the system property {@value #SPEC_PROPERTY} (set by the build), else the
 * first {@code shared/zulip-api/zulip.yaml} found walking up from the working directory. If neither
 * exists, {@link #locateSpec()} fails with a message that says so: the description is part of the contract.
 */
public final class ZulipSpecValidator {

    /** System property naming the description's file. */
    public static final String SPEC_PROPERTY = "mfagate.zulip.spec";
    /** Where the description lives relative to the directory that holds the repository. */
    public static final String SPEC_RELATIVE_PATH = "shared/zulip-api/zulip.yaml";

    /**
     * Every way the validator departs from a strict reading of the description, with the reason. Keys are
     * the validator's rule keys, or a short name where the adjustment is not a single rule.
     */
    public static final Map<String, String> TOLERATED = Collections.unmodifiableMap(new LinkedHashMap<>(Map.of(
            "validation.schema.additionalProperties",
            "Set to IGNORE: this key switches the library's injection of additionalProperties:false into every object "
                    + "schema, which breaks Zulip's composition allOf[JsonSuccessBase, {additionalProperties:false, "
                    + "properties:{result:{}, msg:{}, ...}}] (the base alone then rejects every field of the extension). "
                    + "additionalProperties:false written in the description is still enforced "
                    + "(validation.response.body.schema.additionalProperties).",
            "oneOf-as-anyOf",
            "Zulip uses oneOf to list documented alternatives that overlap: e.g. POST /messages answers 400 with "
                    + "oneOf[NonExistingChannelNameError, CodedError, CodedError, CodedError], so any correct error body "
                    + "matches several and strict oneOf rejects it. Read as anyOf: a body must still match at least one.",
            "form-encoding",
            "The library validates application/x-www-form-urlencoded bodies as strings, so JSON-encoded parameters "
                    + "(event_types=[\"message\"], declared with encoding contentType application/json) fail "
                    + "validation.request.body.schema.type. Form bodies are decoded as the description's encoding says "
                    + "(and booleans/integers as Zulip's clients send them) and validated against the body schema here.",
            "common-errors",
            "Zulip documents errors every endpoint can return (400 missing argument or bad key, 401, 429) once, under "
                    + "the pseudo-operation POST /rest-error-handling, not on each operation. A 400/401/429 body is "
                    + "accepted if it matches the operation's own response or that common one; a status the operation "
                    + "does not list (validation.response.status.unknown) is checked against the common one alone.",
            "spec-parse-warning",
            "The description's GET /user_groups names an encoding for 'allow_deactivated', a parameter renamed to "
                    + "include_deactivated_groups; the library refuses to load a description with any parser message, "
                    + "so it is parsed here and exactly that message is tolerated.")));

    private static final Set<String> KNOWN_PARSE_MESSAGES = Set.of(
            "attribute paths.'/user_groups'(get).requestBody.content.'application/x-www-form-urlencoded'.encoding.allow_deactivated is unexpected");
    private static final Set<Integer> COMMON_ERROR_STATUSES = Set.of(400, 401, 429);
    private static final String BASE_PATH = "/api/v1";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final int MAX_DETAILS = 8;

    private static volatile ZulipSpecValidator shared;

    private final Path specPath;
    private final OpenApiInteractionValidator validator;
    private final SchemaValidator schemaValidator;
    private final ApiOperationResolver operations;
    private final List<String> loadWarnings;

    private ZulipSpecValidator(Path specPath, OpenAPI api, List<String> loadWarnings) {
        this.specPath = specPath;
        this.loadWarnings = List.copyOf(loadWarnings);
        LevelResolver levels = LevelResolver.create()
                .withLevel("validation.schema.additionalProperties", ValidationReport.Level.IGNORE)
                .build();
        this.validator = OpenApiInteractionValidator.createFor(api).withBasePathOverride(BASE_PATH).withLevelResolver(levels).build();
        this.schemaValidator = new SchemaValidator(api, new MessageResolver(levels));
        this.operations = new ApiOperationResolver(api, BASE_PATH, false);
    }

    /** The validator for the description found by {@link #locateSpec()}, loaded on first use and shared afterwards. */
    public static ZulipSpecValidator shared() {
        ZulipSpecValidator instance = shared;
        if (instance == null) {
            synchronized (ZulipSpecValidator.class) {
                instance = shared;
                if (instance == null) {
                    instance = load(locateSpec());
                    shared = instance;
                }
            }
        }
        return instance;
    }

    /**
     * Finds Zulip's OpenAPI description: the file named by {@value #SPEC_PROPERTY} if it exists, else
     * {@value #SPEC_RELATIVE_PATH} in the working directory or one of its ancestors.
     *
     * @throws IllegalStateException naming every place looked at, when none holds the file
     */
    public static Path locateSpec() {
        List<Path> tried = new ArrayList<>();
        String property = System.getProperty(SPEC_PROPERTY);
        if (property != null && !property.isBlank()) {
            Path candidate = Path.of(property).toAbsolutePath().normalize();
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            tried.add(candidate);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SPEC_RELATIVE_PATH);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            tried.add(candidate);
        }
        throw new IllegalStateException("Zulip's OpenAPI description (zulip.yaml) was not found; it is part of the contract "
                + "that the Zulip emulator and the bot are tested against. Expected " + SPEC_RELATIVE_PATH
                + " beside the repository, or its path in the system property " + SPEC_PROPERTY + ". Looked at: " + tried);
    }

    /** Loads a description from a file. Prefer {@link #shared()}: loading takes about a second. */
    public static ZulipSpecValidator load(Path spec) {
        if (!Files.isRegularFile(spec)) {
            throw new IllegalStateException("Zulip's OpenAPI description " + spec + " does not exist or is not a file");
        }
        ParseOptions options = new ParseOptions();
        // The same options the library uses when it loads a description itself.
        options.setResolve(true);
        options.setResolveFully(true);
        options.setResolveCombinators(false);
        SwaggerParseResult result = new OpenAPIParser().readLocation(spec.toAbsolutePath().toString(), null, options);
        OpenAPI api = result.getOpenAPI();
        if (api == null || api.getPaths() == null || api.getPaths().isEmpty()) {
            throw new IllegalStateException("Zulip's OpenAPI description " + spec + " could not be parsed: " + result.getMessages());
        }
        List<String> warnings = new ArrayList<>();
        if (result.getMessages() != null) {
            result.getMessages().stream().filter(m -> !KNOWN_PARSE_MESSAGES.contains(m)).forEach(warnings::add);
        }
        readOneOfAsAnyOf(api);
        return new ZulipSpecValidator(spec, api, warnings);
    }

    /** The file this validator was loaded from. */
    public Path specPath() {
        return specPath;
    }

    /** Parser messages other than the known one; empty for the description this project ships. */
    public List<String> loadWarnings() {
        return loadWarnings;
    }

    /** Checks the request and, when {@code exchange.status() > 0}, the response. Returns every violation found. */
    public synchronized List<SpecViolation> validate(ApiExchange exchange) {
        List<SpecViolation> violations = new ArrayList<>();
        Request.Method method = Request.Method.valueOf(exchange.method().toUpperCase(Locale.ROOT));
        String contentType = exchange.requestHeader("Content-Type");
        boolean formBody = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(FORM)
                && !exchange.requestBody().isEmpty();

        SimpleRequest.Builder request = new SimpleRequest.Builder(method, exchange.path());
        parseForm(exchange.query()).forEach(request::withQueryParam);
        exchange.requestHeaders().forEach(request::withHeader);
        if (!formBody && !exchange.requestBody().isEmpty()) {
            request.withBody(exchange.requestBody());
        }
        for (ValidationReport.Message m : validator.validateRequest(request.build()).getMessages()) {
            // A form body is validated below, decoded; the library saw none.
            if (!(formBody && m.getKey().equals("validation.request.body.missing"))) {
                add(violations, exchange, SpecViolation.Side.REQUEST, m);
            }
        }
        if (formBody) {
            ApiOperationMatch match = operations.findApiOperation(exchange.path(), method);
            if (match.isPathFound() && match.isOperationAllowed()) {
                validateForm(match.getApiOperation(), exchange, violations);
            }
        }

        if (exchange.status() > 0) {
            SimpleResponse.Builder response = SimpleResponse.Builder.status(exchange.status());
            if (exchange.responseContentType() != null) {
                response.withContentType(exchange.responseContentType());
            }
            if (exchange.responseBody() != null && !exchange.responseBody().isEmpty()) {
                response.withBody(exchange.responseBody());
            }
            SimpleResponse built = response.build();
            ValidationReport report = validator.validateResponse(exchange.path(), method, built);
            if (report.hasErrors() && COMMON_ERROR_STATUSES.contains(exchange.status())) {
                ValidationReport common = validator.validateResponse(BASE_PATH + "/rest-error-handling", Request.Method.POST, built);
                boolean undocumented = report.getMessages().stream().anyMatch(m -> m.getKey().equals("validation.response.status.unknown"));
                if (undocumented || !common.hasErrors()) {
                    report = common;
                }
            }
            report.getMessages().forEach(m -> add(violations, exchange, SpecViolation.Side.RESPONSE, m));
        }
        return violations;
    }

    private void validateForm(ApiOperation operation, ApiExchange exchange, List<SpecViolation> violations) {
        Operation op = operation.getOperation();
        MediaType media = op.getRequestBody() == null || op.getRequestBody().getContent() == null
                ? null : op.getRequestBody().getContent().get(FORM);
        if (media == null) {
            violations.add(new SpecViolation(exchange.method(), exchange.path(), 0, SpecViolation.Side.REQUEST,
                    "validation.request.body.unexpected",
                    "A form body was sent, but the operation declares no form body; send its parameters in the query string"));
            return;
        }
        Schema<?> schema = media.getSchema();
        Map<String, Encoding> encoding = media.getEncoding() == null ? Map.of() : media.getEncoding();
        ObjectNode decoded = Json.object();
        for (Map.Entry<String, List<String>> field : parseForm(exchange.requestBody()).entrySet()) {
            String name = field.getKey();
            String value = field.getValue().get(field.getValue().size() - 1);
            Schema<?> property = schema == null || schema.getProperties() == null ? null : schema.getProperties().get(name);
            Encoding enc = encoding.get(name);
            if (enc != null && "application/json".equals(enc.getContentType())) {
                JsonNode json = Json.parseOrNull(value);
                if (json == null && allowsString(property)) {
                    json = TextNode.valueOf(value);
                }
                if (json == null) {
                    violations.add(new SpecViolation(exchange.method(), exchange.path(), 0, SpecViolation.Side.REQUEST,
                            "validation.request.body.schema.json",
                            "[Path '/" + name + "'] is declared application/json but is not JSON: " + value));
                    continue;
                }
                decoded.set(name, json);
            } else {
                decoded.set(name, scalar(value, property));
            }
        }
        ValidationReport report = schemaValidator.validate(() -> decoded, schema, "request.body");
        report.getMessages().forEach(m -> add(violations, exchange, SpecViolation.Side.REQUEST, m));
    }

    /** Zulip's clients send booleans and integers in their JSON spelling even without a declared encoding. */
    private static JsonNode scalar(String value, Schema<?> property) {
        String type = property == null ? null : property.getType();
        if ("boolean".equals(type) && (value.equals("true") || value.equals("false"))) {
            return BooleanNode.valueOf(Boolean.parseBoolean(value));
        }
        if ("integer".equals(type) && value.matches("-?[0-9]{1,18}")) {
            return LongNode.valueOf(Long.parseLong(value));
        }
        return TextNode.valueOf(value);
    }

    private static boolean allowsString(Schema<?> schema) {
        if (schema == null) {
            return true;
        }
        if ("string".equals(schema.getType())) {
            return true;
        }
        List<Schema> alternatives = new ArrayList<>();
        if (schema.getAnyOf() != null) {
            alternatives.addAll(schema.getAnyOf());
        }
        if (schema.getOneOf() != null) {
            alternatives.addAll(schema.getOneOf());
        }
        return alternatives.stream().anyMatch(s -> "string".equals(s.getType()));
    }

    private static Map<String, List<String>> parseForm(String encoded) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return fields;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    private static void add(List<SpecViolation> into, ApiExchange exchange, SpecViolation.Side side, ValidationReport.Message m) {
        if (m.getLevel() != ValidationReport.Level.ERROR) {
            return;
        }
        int status = side == SpecViolation.Side.RESPONSE ? exchange.status() : 0;
        into.add(new SpecViolation(exchange.method(), exchange.path(), status, side, m.getKey(), describe(m)));
    }

    /**
     * The message with the innermost reasons the validator nested under it. Branches of a composition that
     * failed only because their {@code type} enum names another event type are noise and left out.
     */
    private static String describe(ValidationReport.Message m) {
        Set<String> details = new LinkedHashSet<>();
        collectLeaves(m.getNestedMessages(), details);
        String text = m.getMessage().replace('\n', ' ');
        if (details.isEmpty()) {
            return text;
        }
        List<String> shown = new ArrayList<>(details);
        String more = shown.size() > MAX_DETAILS ? " (+" + (shown.size() - MAX_DETAILS) + " more)" : "";
        return text + " — because: " + String.join("; ", shown.subList(0, Math.min(MAX_DETAILS, shown.size()))) + more;
    }

    private static void collectLeaves(List<ValidationReport.Message> nested, Set<String> into) {
        for (ValidationReport.Message n : nested) {
            if (!n.getNestedMessages().isEmpty()) {
                collectLeaves(n.getNestedMessages(), into);
                continue;
            }
            String text = n.getMessage().replace('\n', ' ');
            boolean otherEventType = n.getKey().endsWith(".enum") && text.contains("/type']");
            boolean otherBranchFields = n.getKey().endsWith(".additionalProperties") && text.matches("\\[Path '/events/[0-9]+'\\] .*");
            if (!otherEventType && !otherBranchFields) {
                into.add(text);
            }
        }
    }

    // ---------------------------------------------------------------- oneOf read as anyOf

    private static void readOneOfAsAnyOf(OpenAPI api) {
        Set<Schema<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (PathItem item : api.getPaths().values()) {
            for (Operation op : item.readOperations()) {
                if (op.getParameters() != null) {
                    for (Parameter parameter : op.getParameters()) {
                        visit(parameter.getSchema(), seen);
                        visit(parameter.getContent(), seen);
                    }
                }
                if (op.getRequestBody() != null) {
                    visit(op.getRequestBody().getContent(), seen);
                }
                if (op.getResponses() != null) {
                    for (ApiResponse response : op.getResponses().values()) {
                        visit(response.getContent(), seen);
                    }
                }
            }
        }
        if (api.getComponents() != null && api.getComponents().getSchemas() != null) {
            api.getComponents().getSchemas().values().forEach(s -> visit(s, seen));
        }
    }

    private static void visit(Content content, Set<Schema<?>> seen) {
        if (content != null) {
            content.values().forEach(media -> visit(media.getSchema(), seen));
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void visit(Schema<?> schema, Set<Schema<?>> seen) {
        if (schema == null || !seen.add(schema)) {
            return;
        }
        if (schema.getOneOf() != null) {
            List<Schema> anyOf = schema.getAnyOf() == null ? new ArrayList<>() : new ArrayList<>(schema.getAnyOf());
            anyOf.addAll(schema.getOneOf());
            ((Schema) schema).setAnyOf(anyOf);
            schema.setOneOf(null);
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(s -> visit(s, seen));
        }
        visit(schema.getItems(), seen);
        if (schema.getAdditionalProperties() instanceof Schema<?> additional) {
            visit(additional, seen);
        }
        for (List<Schema> list : java.util.Arrays.asList(schema.getAllOf(), schema.getAnyOf())) {
            if (list != null) {
                list.forEach(s -> visit(s, seen));
            }
        }
        visit(schema.getNot(), seen);
    }
}
