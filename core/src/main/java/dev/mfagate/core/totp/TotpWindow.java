package dev.mfagate.core.totp;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The code for one instant and where that instant sits in its time step, as the gateway answers it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} does not show the codes, so a window that
 * reaches a log line by accident does not put a valid code there.
 *
 * @param code the current code, {@code digits} ASCII digits with leading zeros kept
 * @param validForSeconds whole seconds left in the current step, rounded up: from 1 to the period;
 *     exactly the period at the first instant of a step
 * @param periodSeconds the step length in seconds
 * @param timestamp the instant the code was computed for
 * @param nextCode the code of the following step, present only when little time is left
 */
public record TotpWindow(String code, int validForSeconds, long periodSeconds, Instant timestamp,
                         Optional<String> nextCode) {

    /** Checks that the codes are 6 to 8 ASCII digits and that {@code validForSeconds} lies in the step. */
    public TotpWindow {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(nextCode, "nextCode");
        checkCode("code", code);
        nextCode.ifPresent(next -> checkCode("nextCode", next));
        if (nextCode.isPresent() && nextCode.get().length() != code.length()) {
            throw new IllegalArgumentException("Invalid nextCode length " + nextCode.get().length()
                    + "; must equal the code length " + code.length());
        }
        if (periodSeconds < TotpParameters.MIN_PERIOD.toSeconds() || periodSeconds > TotpParameters.MAX_PERIOD.toSeconds()) {
            throw new IllegalArgumentException("Invalid periodSeconds " + periodSeconds + "; must be from 1 to 86400");
        }
        if (validForSeconds < 1 || validForSeconds > periodSeconds) {
            throw new IllegalArgumentException("Invalid validForSeconds " + validForSeconds
                    + "; must be from 1 to the period " + periodSeconds);
        }
    }

    /** Shows the timing only; the codes are hidden. */
    @Override
    public String toString() {
        return "TotpWindow[code hidden, validForSeconds=" + validForSeconds + ", periodSeconds=" + periodSeconds
                + ", timestamp=" + timestamp + ", nextCode " + (nextCode.isPresent() ? "hidden" : "absent") + "]";
    }

    private static void checkCode(String what, String code) {
        if (code.length() < TotpParameters.MIN_DIGITS || code.length() > TotpParameters.MAX_DIGITS) {
            throw new IllegalArgumentException("Invalid " + what + " length " + code.length() + "; must be from "
                    + TotpParameters.MIN_DIGITS + " to " + TotpParameters.MAX_DIGITS + " digits");
        }
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("Invalid " + what + ": character " + (i + 1) + " is not an ASCII digit");
            }
        }
    }
}
