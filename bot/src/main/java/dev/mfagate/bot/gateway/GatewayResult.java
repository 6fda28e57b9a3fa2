package dev.mfagate.bot.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * The gateway's answer to one request made on a person's behalf: a value, a refusal with its reason,
 * or no answer at all. All three are expected outcomes; none is an exception.
 *
 * @param <T> the value of a successful answer
 */
public sealed interface GatewayResult<T> {

    /** The gateway answered with {@code value}. */
    record Ok<T>(T value) implements GatewayResult<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * The gateway refused.
     *
     * @param refusal what to tell the person
     * @param wireCode the gateway's {@code error.code}, for logs
     * @param retryAfter the {@code Retry-After} of a 429, else null
     * @param requestId the gateway's request id, to find its log line and audit entry, or null
     * @param dailyCap with {@link Refusal#DAILY_CAP_REACHED}: the codes a day this person may have for the label, or null
     */
    record Refused<T>(Refusal refusal, String wireCode, Duration retryAfter, String requestId, Integer dailyCap)
            implements GatewayResult<T> {
        public Refused {
            Objects.requireNonNull(refusal, "refusal");
        }
    }

    /** No answer: connection refused, timed out, or the response was not the gateway's ({@code reason} is for logs). */
    record Unreachable<T>(String reason) implements GatewayResult<T> {}
}
