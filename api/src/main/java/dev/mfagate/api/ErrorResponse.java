package dev.mfagate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of every error: {@code {"error":{"code":"unknown_label","message":"...","request_id":"..."}}}.
 *
 * @param error the error detail
 */
public record ErrorResponse(@JsonProperty("error") Detail error) {

    /**
     * @param code the stable wire code (see {@link ErrorCode})
     * @param message a one-line human explanation; never contains a code, seed or token
     * @param requestId the request id, to find the matching audit entry and log line
     * @param dailyCap with {@code daily_cap_reached} only: how many codes a day the person's rules allow for the label
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(@JsonProperty("code") String code,
                         @JsonProperty("message") String message,
                         @JsonProperty("request_id") String requestId,
                         @JsonProperty("daily_cap") Integer dailyCap) {
    }

    /** Builds the body for {@code code}. */
    public static ErrorResponse of(ErrorCode code, String message, String requestId) {
        return of(code, message, requestId, null);
    }

    /** Builds the body for {@code code}, with {@code daily_cap} when not null. */
    public static ErrorResponse of(ErrorCode code, String message, String requestId, Integer dailyCap) {
        return new ErrorResponse(new Detail(code.wireCode(), message, requestId, dailyCap));
    }
}
