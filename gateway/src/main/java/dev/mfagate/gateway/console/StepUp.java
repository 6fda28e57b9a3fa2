package dev.mfagate.gateway.console;

import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.console.Passkeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The passkey step-up check behind every sensitive console act ({@link Console#requireStepUp} is the
 * one guard pages call): a session passes for {@link #VALID} after its person confirmed with a
 * passkey, on that session only, kept in the store so every instance agrees.
 *
 * <p>Thread-safe; stateless beyond the store.
 */
final class StepUp {

    /** How long a step-up holds. */
    static final Duration VALID = Duration.ofMinutes(5);

    /** What the check found. */
    enum Check {
        /** Stepped up within {@link #VALID}. */
        PASSED,
        /** Not stepped up, and has a passkey to do it with. */
        NEEDED,
        /** Not stepped up, and has no passkey. */
        NO_PASSKEY
    }

    private final ConsoleSessions sessions;
    private final Passkeys passkeys;

    StepUp(ConsoleSessions sessions, Passkeys passkeys) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys");
    }

    Check check(String cookieValue, ConsoleSessions.Session session, Instant now) {
        if (sessions.steppedUp(cookieValue, now)) {
            return Check.PASSED;
        }
        return passkeys.list(session.person()).isEmpty() ? Check.NO_PASSKEY : Check.NEEDED;
    }
}
