package dev.mfagate.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.ErrorCode;
import dev.mfagate.api.ErrorResponse;
import java.nio.charset.StandardCharsets;

/** Renders the JSON error body. Shared by the Javalin exception mapper and the Jetty-level error handler. */
public final class ErrorResponses {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ErrorResponses() {
    }

    /** The body for {@code code} as UTF-8 JSON bytes. */
    public static byte[] body(ErrorCode code, String message, String requestId) {
        return body(code, message, requestId, null);
    }

    /** The body for {@code code} with {@code error.daily_cap} when not null, as UTF-8 JSON bytes. */
    public static byte[] body(ErrorCode code, String message, String requestId, Integer dailyCap) {
        try {
            return MAPPER.writeValueAsBytes(ErrorResponse.of(code, message, requestId, dailyCap));
        } catch (JsonProcessingException e) {
            throw new AssertionError("error body must serialise", e);
        }
    }

    /** The body as a string. */
    public static String bodyText(ErrorCode code, String message, String requestId) {
        return new String(body(code, message, requestId), StandardCharsets.UTF_8);
    }

    /** A generic, safe message for a bare status. */
    public static String messageFor(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> "No such route; see /openapi.json";
            case METHOD_NOT_ALLOWED -> "Method not allowed on this route";
            case REQUEST_TOO_LARGE -> "Request body too large";
            case URI_TOO_LONG -> "Request target too long";
            case HEADERS_TOO_LARGE -> "Request headers too large";
            case REQUEST_TIMEOUT -> "Request not received in time";
            case INTERNAL_ERROR -> "Internal error; the log has details under the request id";
            default -> "Malformed request";
        };
    }
}
