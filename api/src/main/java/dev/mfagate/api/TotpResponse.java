package dev.mfagate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer of {@code GET /totp/{client}/{service}}, the original design's shape:
 * {@code {"client":"client","service":"demo","code":"123456","valid_for":21,"timestamp":"2025-09-02T22:30:00Z"}}.
 * {@code next_code} and {@code next_valid_for} appear only when little time is left in the step.
 *
 * @param client the client part of the label
 * @param service the service part of the label
 * @param code the current code, digits as text (leading zeros kept)
 * @param validForSeconds whole seconds left in the current step, 1 to period
 * @param timestamp the instant the code was computed for, ISO-8601 UTC
 * @param nextCode the code of the next step, or null
 * @param nextValidForSeconds how long the next code stays valid once current (the period), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TotpResponse(@JsonProperty("client") String client,
                           @JsonProperty("service") String service,
                           @JsonProperty("code") String code,
                           @JsonProperty("valid_for") int validForSeconds,
                           @JsonProperty("timestamp") String timestamp,
                           @JsonProperty("next_code") String nextCode,
                           @JsonProperty("next_valid_for") Integer nextValidForSeconds) {
}
