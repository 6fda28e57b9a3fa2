package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every body the emulated endpoints answer with shares: Zulip's success envelope ({@link Success}), the
 * empty success and the error body, and the server version they report. The endpoints' own bodies are records
 * by area ({@link EventResponses}, {@link MessageResponses}, {@link DirectoryResponses}), written by
 * {@link Json#MAPPER} under Zulip's names; Zulip's objects inside them are {@link Wire} records. What every
 * endpoint may add ({@code ignored_parameters_unsupported}) is {@link Answered}. Immutable.
 */
final class Responses {
    static final String ZULIP_VERSION = "11.0-dev";
    static final int ZULIP_FEATURE_LEVEL = 378;

    private Responses() {}

    /** Zulip's {@code JsonSuccessBase}: {@code "result": "success", "msg": ""}, then the endpoint's own fields. */
    @JsonPropertyOrder({"result", "msg"})
    interface Success {
        @JsonProperty("result")
        default String result() {
            return "success";
        }

        @JsonProperty("msg")
        default String msg() {
            return "";
        }
    }

    /** A success with nothing more to say. */
    record Ok() implements Success {}

    /**
     * Zulip's error body, {@code {"result":"error","msg":...,"code":...}} plus the fields Zulip adds for that error.
     *
     * @param extra those further fields, by wire name (e.g. {@code queue_id}, {@code retry-after})
     */
    @JsonPropertyOrder({"result", "msg", "code"})
    record Failure(String msg, String code, @JsonIgnore Map<String, Object> extra) {
        Failure {
            extra = new LinkedHashMap<>(extra);
        }

        @JsonProperty("result")
        String result() {
            return "error";
        }

        @JsonAnyGetter
        Map<String, Object> extraFields() {
            return extra;
        }
    }

    /**
     * An endpoint's body as sent: its own fields, then {@code ignored_parameters_unsupported} when the request
     * carried parameters the endpoint does not know (absent otherwise), as Zulip does for every endpoint.
     */
    record Answered(@JsonUnwrapped Success body, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> ignoredParametersUnsupported) {
        Answered {
            ignoredParametersUnsupported = List.copyOf(ignoredParametersUnsupported);
        }
    }
}
