package dev.mfagate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the OpenAPI document's label schemas to {@link LabelGrammar}: the pattern strings are the grammar's
 * constants, the routes use those schemas, and every label of {@link LabelTable} gets the same verdict from the
 * document's schema (validated as JSON Schema 2020-12, as OpenAPI 3.1 reads it) as from the grammar.
 */
class OpenApiLabelPatternTest {

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static JsonNode doc;

    @BeforeAll
    static void readDocument() throws IOException {
        try (InputStream in = LabelGrammar.class.getResourceAsStream("/dev/mfagate/api/openapi.json")) {
            assertThat(in).as("openapi.json on the classpath").isNotNull();
            doc = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void schemas_patterns_areTheGrammarsConstants() {
        assertThat(schema("ClientPart").path("pattern").asText()).isEqualTo(LabelGrammar.CLIENT_PART_REGEX);
        assertThat(schema("ServicePart").path("pattern").asText()).isEqualTo(LabelGrammar.SERVICE_PART_REGEX);
        assertThat(schema("Label").path("pattern").asText()).isEqualTo(LabelGrammar.LABEL_REGEX);
        assertThat(schema("ClientPart").path("maxLength").asInt()).isEqualTo(LabelGrammar.MAX_PART_LENGTH);
        assertThat(schema("ServicePart").path("maxLength").asInt()).isEqualTo(LabelGrammar.MAX_PART_LENGTH);
        assertThat(schema("Label").path("maxLength").asInt()).isEqualTo(LabelGrammar.MAX_LABEL_LENGTH);
    }

    @Test
    void routes_labelParameters_useTheLabelSchemas() {
        JsonNode totp = doc.at("/paths/~1totp~1{client}~1{service}/get/parameters");
        assertThat(parameterSchemaRef(totp, "client")).isEqualTo("#/components/schemas/ClientPart");
        assertThat(parameterSchemaRef(totp, "service")).isEqualTo("#/components/schemas/ServicePart");
        assertThat(parameterSchemaRef(doc.at("/paths/~1code/get/parameters"), "label")).isEqualTo("#/components/schemas/Label");
    }

    static Stream<LabelTable.Good> good() {
        return LabelTable.GOOD.stream();
    }

    static Stream<LabelTable.Bad> bad() {
        return LabelTable.BAD.stream();
    }

    @ParameterizedTest
    @MethodSource("good")
    void document_goodLabel_acceptedLikeTheGrammar(LabelTable.Good g) {
        assertThat(LabelGrammar.isValid(g.text())).isTrue();
        assertThat(documentAccepts("Label", g.text())).as("Label schema").isTrue();
        int dash = g.text().indexOf('-');
        assertThat(documentAccepts("ClientPart", g.text().substring(0, dash))).as("ClientPart schema").isTrue();
        assertThat(documentAccepts("ServicePart", g.text().substring(dash + 1))).as("ServicePart schema").isTrue();
    }

    @ParameterizedTest
    @MethodSource("bad")
    void document_badLabel_refusedLikeTheGrammar(LabelTable.Bad b) {
        assertThat(LabelGrammar.isValid(b.text())).as(b.why()).isFalse();
        assertThat(documentAccepts("Label", b.text())).as("Label schema: " + b.why()).isFalse();
        int dash = b.text().indexOf('-');
        if (dash >= 0) {
            // The route /totp/{client}/{service} takes the parts apart: at least one of them must be refused.
            boolean both = documentAccepts("ClientPart", b.text().substring(0, dash))
                    && documentAccepts("ServicePart", b.text().substring(dash + 1));
            assertThat(both).as("ClientPart and ServicePart schemas: " + b.why()).isFalse();
        }
    }

    /** Both readings of the document's schema: the JSON Schema validator's and the bare pattern's. */
    private static boolean documentAccepts(String name, String value) {
        JsonNode node = schema(name);
        JsonSchema schema = SCHEMAS.getSchema(node);
        boolean bySchema = schema.validate(TextNode.valueOf(value)).isEmpty();
        boolean byPattern = Pattern.compile(node.path("pattern").asText()).matcher(value).find()
                && value.length() <= node.path("maxLength").asInt();
        assertThat(byPattern).as("pattern and schema validator agree on %s for %s", name, LabelGrammar.describe(value)).isEqualTo(bySchema);
        return bySchema;
    }

    private static JsonNode schema(String name) {
        JsonNode node = doc.path("components").path("schemas").path(name);
        assertThat(node.isMissingNode()).as("schema %s in the document", name).isFalse();
        return node;
    }

    private static String parameterSchemaRef(JsonNode parameters, String name) {
        for (JsonNode p : parameters) {
            if (name.equals(p.path("name").asText())) {
                return p.path("schema").path("$ref").asText();
            }
        }
        throw new AssertionError("no parameter " + name);
    }
}
