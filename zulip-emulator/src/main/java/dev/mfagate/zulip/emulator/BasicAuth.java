package dev.mfagate.zulip.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Who is calling: Zulip's HTTP Basic authentication ({@code email:api_key}) against the realm's users. Stateless. */
final class BasicAuth {

    private BasicAuth() {}

    /** Zulip's {@code authenticated_rest_api_view}: Basic credentials, key shape, key owner, then account state. */
    static Directory.User authenticate(Realm realm, String header) {
        if (header == null) {
            throw ZulipError.unauthorized("Missing authorization header for basic auth");
        }
        String[] parts = header.strip().split("\\s+");
        if (parts.length != 2) {
            throw ZulipError.unauthorized("Invalid authorization header for basic auth");
        }
        if (!parts[0].equalsIgnoreCase("basic")) {
            throw ZulipError.badRequest("This endpoint requires HTTP basic authentication.");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ZulipError.unauthorized("Invalid authorization header for basic auth");
        }
        String[] credentials = decoded.split(":", -1);
        if (credentials.length != 2) {
            throw ZulipError.unauthorized("Invalid authorization header for basic auth");
        }
        String email = credentials[0].strip();
        String key = credentials[1].strip();
        if (!Directory.hasApiKeyFormat(key)) {
            throw new ZulipError(401, "INVALID_API_KEY", "Malformed API key");
        }
        realm.lock.lock();
        try {
            Directory.User owner = realm.directory.users().stream().filter(u -> u.apiKey.equals(key)).findFirst().orElse(null);
            if (owner == null || !owner.email.equalsIgnoreCase(email)) {
                throw new ZulipError(401, "INVALID_API_KEY", "Invalid API key");
            }
            if (!owner.active) {
                throw new ZulipError(401, "USER_DEACTIVATED", "Account is deactivated");
            }
            return owner;
        } finally {
            realm.lock.unlock();
        }
    }
}
