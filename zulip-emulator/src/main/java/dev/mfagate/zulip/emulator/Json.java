package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Shared Jackson plumbing: one mapper, which writes the emulator's records ({@link Wire}, {@link Event},
 * {@link Responses}) with Zulip's snake_case names ({@code senderFullName} → {@code sender_full_name}); a name
 * that is not a plain translation is spelt out with {@code @JsonProperty}. Thread-safe (ObjectMapper is, once configured).
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private Json() {}

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** The record as a JSON object, for the last touches every response gets (ignored parameters, the test mutator). */
    static ObjectNode tree(Object record) {
        JsonNode node = MAPPER.valueToTree(record);
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException(record.getClass().getSimpleName() + " must serialise to a JSON object, not " + node.getNodeType());
        }
        return object;
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new AssertionError("a tree of Jackson nodes always serialises", e);
        }
    }

    /** Parses JSON text, or returns null when the text is not JSON. */
    static JsonNode parseOrNull(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
