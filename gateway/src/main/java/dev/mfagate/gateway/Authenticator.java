package dev.mfagate.gateway;

import java.time.Instant;
import java.util.Optional;

/** Turns a presented bearer token into a {@link Caller}. Thread-safe; never throws on malformed input. */
@FunctionalInterface
public interface Authenticator {

    /** The caller for {@code bearerToken}, or empty when it is unknown, expired, revoked or malformed. */
    Optional<Caller> authenticate(String bearerToken, Instant now);
}
