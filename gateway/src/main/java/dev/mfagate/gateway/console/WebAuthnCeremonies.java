package dev.mfagate.gateway.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import dev.mfagate.core.console.Passkeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The WebAuthn ceremonies of the console, on webauthn4j: the options handed to
 * {@code navigator.credentials.create/get}, and the checks of what the authenticator answered.
 *
 * <p>Every check is webauthn4j's: the challenge (which the caller has already taken from the store,
 * so it is used once), the origin (exactly the console URL's), the rpId hash (the console URL's
 * host), user presence and user verification (both required), the signature against the stored
 * public key, and the signature counter (a counter that does not move forward is refused). Only
 * the attestation is not checked against a trust root ({@code attestation: "none"}): any
 * authenticator a person owns may be registered.
 *
 * <p>Thread-safe. Out of scope: storing passkeys and challenges ({@link Passkeys}), sessions, audit.
 */
final class WebAuthnCeremonies {

    /** ES256, EdDSA and RS256: what current authenticators offer, in order of preference. */
    private static final List<COSEAlgorithmIdentifier> ALGORITHMS =
            List.of(COSEAlgorithmIdentifier.ES256, COSEAlgorithmIdentifier.EdDSA, COSEAlgorithmIdentifier.RS256);
    private static final long TIMEOUT_MS = 120_000;

    private final WebAuthnManager manager = WebAuthnManager.createNonStrictWebAuthnManager();
    private final AttestedCredentialDataConverter attestedConverter =
            new AttestedCredentialDataConverter(new ObjectConverter());
    private final ObjectMapper json = new ObjectMapper();
    private final Origin origin;
    private final String rpId;

    /** Ceremonies for the console at {@code publicUrl}: its origin, and its host as the relying party id. */
    WebAuthnCeremonies(URI publicUrl) {
        String base = publicUrl.getScheme() + "://" + publicUrl.getHost() + (publicUrl.getPort() == -1 ? "" : ":" + publicUrl.getPort());
        this.origin = new Origin(base);
        this.rpId = publicUrl.getHost();
    }

    /** A registered credential: what the store keeps. */
    record Registered(String credentialId, byte[] attestedData, long signCount) {
    }

    /** A verified assertion: which passkey, and its new counter. */
    record Asserted(Passkeys.Stored stored, long newSignCount) {
    }

    /** A ceremony refused: why, in words for the audit trail (never a secret). */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason);
        }
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Options for {@code navigator.credentials.create}: a discoverable credential with user verification. */
    String creationOptions(String challenge, String userHandle, String userName, String displayName, List<String> exclude) {
        ObjectNode o = json.createObjectNode();
        o.putObject("rp").put("id", rpId).put("name", "mfagate");
        o.putObject("user").put("id", base64url(userHandle.getBytes(StandardCharsets.UTF_8))).put("name", userName)
                .put("displayName", displayName);
        o.put("challenge", challenge);
        ArrayNode params = o.putArray("pubKeyCredParams");
        for (COSEAlgorithmIdentifier alg : ALGORITHMS) {
            params.addObject().put("type", "public-key").put("alg", alg.getValue());
        }
        o.put("timeout", TIMEOUT_MS);
        ArrayNode ex = o.putArray("excludeCredentials");
        exclude.forEach(id -> ex.addObject().put("type", "public-key").put("id", id));
        o.putObject("authenticatorSelection").put("residentKey", "preferred").put("userVerification", "required");
        o.put("attestation", "none");
        return o.toString();
    }

    /** Options for {@code navigator.credentials.get}, limited to {@code allow} when it is not empty. */
    String requestOptions(String challenge, List<String> allow) {
        ObjectNode o = json.createObjectNode();
        o.put("challenge", challenge);
        o.put("rpId", rpId);
        o.put("timeout", TIMEOUT_MS);
        ArrayNode al = o.putArray("allowCredentials");
        allow.forEach(id -> al.addObject().put("type", "public-key").put("id", id));
        o.put("userVerification", "required");
        return o.toString();
    }

    /** The challenge the browser signed, read (not yet verified) from a registration response. */
    Optional<String> registrationChallenge(String responseJson) {
        try {
            RegistrationData data = manager.parseRegistrationResponseJSON(responseJson);
            return Optional.ofNullable(data.getCollectedClientData()).map(c -> base64url(c.getChallenge().getValue()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The challenge the browser signed, read (not yet verified) from an authentication response. */
    Optional<String> authenticationChallenge(String responseJson) {
        try {
            AuthenticationData data = manager.parseAuthenticationResponseJSON(responseJson);
            return Optional.ofNullable(data.getCollectedClientData()).map(c -> base64url(c.getChallenge().getValue()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Verifies a registration response against {@code challenge}, which the caller took from the store. */
    Registered verifyRegistration(String responseJson, String challenge) throws Refused {
        try {
            ServerProperty server = ServerProperty.builder().origin(origin).rpId(rpId)
                    .challenge(new DefaultChallenge(Base64.getUrlDecoder().decode(challenge))).build();
            List<PublicKeyCredentialParameters> params = ALGORITHMS.stream()
                    .map(a -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, a)).toList();
            RegistrationData data = manager.verifyRegistrationResponseJSON(responseJson,
                    new RegistrationParameters(server, params, true, true));
            var authData = data.getAttestationObject().getAuthenticatorData();
            AttestedCredentialData acd = authData.getAttestedCredentialData();
            return new Registered(base64url(acd.getCredentialId()), attestedConverter.convert(acd), authData.getSignCount());
        } catch (RuntimeException e) {
            throw new Refused("registration not verified (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Verifies an authentication response against {@code challenge} (taken from the store) and the stored
     * passkey it names, which {@code owner} must accept.
     */
    Asserted verifyAuthentication(String responseJson, String challenge, Passkeys passkeys,
                                  Predicate<Passkeys.Stored> owner) throws Refused {
        AuthenticationData parsed;
        try {
            parsed = manager.parseAuthenticationResponseJSON(responseJson);
        } catch (RuntimeException e) {
            throw new Refused("answer not readable");
        }
        Passkeys.Stored stored = passkeys.find(base64url(Objects.requireNonNull(parsed.getCredentialId())))
                .filter(owner).orElseThrow(() -> new Refused("unknown passkey"));
        try {
            AttestedCredentialData acd = attestedConverter.convert(stored.attestedData());
            CredentialRecordImpl record = new CredentialRecordImpl(new NoneAttestationStatement(), null, null, null,
                    stored.signCount(), acd, null, null, null, null);
            ServerProperty server = ServerProperty.builder().origin(origin).rpId(rpId)
                    .challenge(new DefaultChallenge(Base64.getUrlDecoder().decode(challenge))).build();
            AuthenticationData data = manager.verify(parsed, new AuthenticationParameters(server, record,
                    List.of(acd.getCredentialId()), true, true));
            return new Asserted(stored, data.getAuthenticatorData().getSignCount());
        } catch (RuntimeException e) {
            throw new Refused("assertion not verified (" + e.getClass().getSimpleName() + ")");
        }
    }
}
