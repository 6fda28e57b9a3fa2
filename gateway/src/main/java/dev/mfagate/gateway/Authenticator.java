package dev.mfagate.gateway;

import dev.mfagate.core.policy.Subject;
import java.time.Instant;
import java.util.Optional;

/** Turns a presented bearer token into the token part of a {@link Subject}. Thread-safe; never throws on malformed input. */
@FunctionalInterface
public interface Authenticator {

    /** The token for {@code bearerToken}, or empty when it is unknown, expired, revoked or malformed. */
    Optional<Subject.Token> authenticate(String bearerToken, Instant now);
}
