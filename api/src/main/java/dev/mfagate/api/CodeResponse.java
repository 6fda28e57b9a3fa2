package dev.mfagate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer of {@code GET /code?label=client-demo}: {@code {"code":"123456","period":30,"valid_for":21}},
 * plus {@code next_code} and {@code next_valid_for} when little time is left in the step.
 *
 * @param code the current code, digits as text (leading zeros kept)
 * @param periodSeconds the step length in seconds
 * @param validForSeconds whole seconds left in the current step, 1 to period
 * @param nextCode the code of the next step, or null
 * @param nextValidForSeconds how long the next code stays valid once current (the period), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CodeResponse(@JsonProperty("code") String code,
                           @JsonProperty("period") long periodSeconds,
                           @JsonProperty("valid_for") int validForSeconds,
                           @JsonProperty("next_code") String nextCode,
                           @JsonProperty("next_valid_for") Integer nextValidForSeconds) {
}
