package dev.mfagate.gateway.console;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationErrorResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.mfagate.core.console.ConsoleSessions.PendingLogin;
import dev.mfagate.core.tenant.Identity;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenID Connect authorization code flow with PKCE (RFC 7636), {@code state} and {@code nonce},
 * on the Nimbus OAuth 2.0 SDK: every token check (signature against the provider's JWKS, issuer,
 * audience, expiry, nonce) is the SDK's {@link IDTokenValidator}, none is written here.
 *
 * <p>The provider's discovery document is read on first use and kept; a provider that cannot be
 * reached makes that sign-in fail (and the next one try again), not the gateway's start.
 *
 * <p>Thread-safe. Out of scope: cookies and sessions ({@link Console}), and mapping the identity to
 * a person.
 */
final class OidcSignIn {

    private static final int TIMEOUT_MS = 5_000;
    /** Accepted ID token signatures, RS256 first (every provider must support it, OIDC Core 3.1.3.7). */
    private static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256);

    private final ConsoleSettings settings;
    private volatile Provider provider;

    OidcSignIn(ConsoleSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {
    }

    /** Where the browser goes to sign in, and what the callback must find again. */
    record Start(URI authorizationUri, PendingLogin pending) {
    }

    /** What the callback established: a signed-in identity, or why not. */
    sealed interface Outcome {
        /**
         * @param identity the ID token's issuer and subject
         * @param verifiedEmail the ID token's {@code email}, only when its {@code email_verified} is true
         * @param groups the string values of the ID token's groups claim ({@link ConsoleSettings#groupsClaim}),
         *     in order; empty when the claim is absent or not a list
         */
        record SignedIn(Identity.Oidc identity, Optional<Identity.Email> verifiedEmail, List<String> groups) implements Outcome {
            /** Copies the groups. */
            public SignedIn {
                groups = List.copyOf(groups);
            }
        }

        /**
         * @param reason a stable word for the audit entry
         * @param message a plain sentence for the person (never a token or code)
         */
        record Failed(String reason, String message) implements Outcome {
        }
    }

    /**
     * A fresh state, nonce and PKCE verifier, and the provider's authorization URL carrying them.
     *
     * @throws IOException when the provider's discovery document cannot be reached or read
     */
    Start start(Instant now) throws IOException {
        Provider p = provider();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE, settings.autoLinkEmail() ? new Scope("openid", "email") : new Scope("openid"),
                new ClientID(settings.clientId()), settings.redirectUri())
                .endpointURI(p.metadata().getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        return new Start(request.toURI(), new PendingLogin(state.getValue(), nonce.getValue(), verifier.getValue(), now));
    }

    /**
     * Finishes a sign-in: checks the state, exchanges the code (with the PKCE verifier) and
     * validates the ID token (with the nonce).
     *
     * @param callback the full callback URL as the browser requested it
     * @param pending the sign-in this browser began
     * @throws IOException when the provider (its discovery document or token endpoint) cannot be
     *     reached or read: not a refused sign-in but a provider that is down, which the console answers as such
     */
    Outcome finish(URI callback, PendingLogin pending) throws IOException {
        AuthenticationResponse response;
        try {
            response = AuthenticationResponseParser.parse(callback);
        } catch (ParseException e) {
            return new Outcome.Failed("malformed_callback", "The identity provider's answer could not be read.");
        }
        if (response instanceof AuthenticationErrorResponse error) {
            String code = error.getErrorObject() == null ? "unknown" : error.getErrorObject().getCode();
            return new Outcome.Failed("provider_error", "The identity provider refused the sign-in ("
                    + (code == null ? "unknown" : code.replaceAll("[^A-Za-z0-9_.-]", "")) + ").");
        }
        var success = response.toSuccessResponse();
        if (success.getState() == null || !constantTimeEquals(success.getState().getValue(), pending.state())) {
            return new Outcome.Failed("state_mismatch", "This sign-in answer does not belong to the sign-in this browser began.");
        }
        AuthorizationCode code = success.getAuthorizationCode();
        if (code == null) {
            return new Outcome.Failed("no_code", "The identity provider sent no authorization code.");
        }
        try {
            Provider p = provider();
            TokenRequest tokenRequest = new TokenRequest(p.metadata().getTokenEndpointURI(),
                    new ClientSecretBasic(new ClientID(settings.clientId()), new Secret(settings.clientSecret())),
                    new AuthorizationCodeGrant(code, settings.redirectUri(), new CodeVerifier(pending.codeVerifier())));
            HTTPRequest http = tokenRequest.toHTTPRequest();
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            TokenResponse tokens = OIDCTokenResponseParser.parse(http.send());
            if (!tokens.indicatesSuccess()) {
                return new Outcome.Failed("token_refused", "The identity provider did not accept the sign-in code.");
            }
            JWT idToken = ((OIDCTokenResponse) tokens.toSuccessResponse()).getOIDCTokens().getIDToken();
            if (idToken == null) {
                return new Outcome.Failed("no_id_token", "The identity provider sent no ID token.");
            }
            IDTokenClaimsSet claims = p.validator().validate(idToken, new Nonce(pending.nonce()));
            return new Outcome.SignedIn(new Identity.Oidc(claims.getIssuer().getValue(), claims.getSubject().getValue()),
                    verifiedEmail(claims), groups(claims, settings.groupsClaim()));
        } catch (com.nimbusds.jose.JOSEException | com.nimbusds.jose.proc.BadJOSEException e) {
            return new Outcome.Failed("id_token_invalid", "The ID token did not pass its checks.");
        } catch (ParseException e) {
            return new Outcome.Failed("malformed_token_response", "The identity provider's token answer could not be read.");
        } catch (IllegalArgumentException | ClassCastException e) {
            return new Outcome.Failed("id_token_invalid", "The ID token did not pass its checks.");
        }
    }

    private Provider provider() throws IOException {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (provider == null) {
                OIDCProviderMetadata metadata;
                try {
                    metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer().toString()), TIMEOUT_MS, TIMEOUT_MS);
                } catch (com.nimbusds.oauth2.sdk.GeneralException e) {
                    throw new IOException("The provider's discovery document is not usable: " + e.getMessage(), e);
                }
                List<JWSAlgorithm> offered = metadata.getIDTokenJWSAlgs() == null ? List.of(JWSAlgorithm.RS256)
                        : metadata.getIDTokenJWSAlgs();
                JWSAlgorithm alg = ALGORITHMS.stream().filter(offered::contains).findFirst()
                        .orElseThrow(() -> new IOException("The provider signs ID tokens with none of " + ALGORITHMS));
                IDTokenValidator validator = new IDTokenValidator(metadata.getIssuer(), new ClientID(settings.clientId()), alg,
                        metadata.getJWKSetURI().toURL());
                provider = new Provider(metadata, validator);
            }
            return provider;
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The string entries of the ID token's {@code claim}, when it is a JSON array; other entries
     * (numbers, objects, null) are ignored, and so is a claim that is not an array. Bounded: at most
     * 1,000 entries are looked at.
     */
    static List<String> groups(IDTokenClaimsSet claims, String claim) {
        Object value = claims.getClaim(claim);
        if (!(value instanceof java.util.Collection<?> list)) {
            return List.of();
        }
        return list.stream().limit(1_000).filter(String.class::isInstance).map(String.class::cast).toList();
    }

    /** The ID token's email when the provider says it is verified ({@code email_verified} true) and it is a valid address. */
    static Optional<Identity.Email> verifiedEmail(IDTokenClaimsSet claims) {
        Object verified = claims.getClaim("email_verified");
        if (!Boolean.TRUE.equals(verified) || !(claims.getClaim("email") instanceof String email)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Identity.Email(email));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
