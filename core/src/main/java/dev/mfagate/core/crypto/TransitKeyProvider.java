package dev.mfagate.core.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A KEK in HashiCorp Vault's or OpenBao's Transit secrets engine, over {@code java.net.http}:
 * {@code POST /v1/<mount>/encrypt/<key>} and {@code /decrypt/<key>} with the scope as
 * {@code associated_data} (Vault 1.13+ and OpenBao authenticate it with AES-GCM keys). The stored
 * ciphertext keeps Transit's {@code vault:v<N>:} prefix, so Transit decrypts with the key version
 * that encrypted it; after a Transit key rotation, {@code mfagate keys rotate} re-wraps under the
 * latest version.
 *
 * <p>Authentication: {@code VAULT_TOKEN} (or the file {@code VAULT_TOKEN_FILE}), or AppRole with
 * {@code VAULT_ROLE_ID} and {@code VAULT_SECRET_ID} (or {@code VAULT_SECRET_ID_FILE}) at
 * {@code auth/<VAULT_APPROLE_MOUNT, default approle>/login}, logging in again once when a token is
 * refused. {@code VAULT_NAMESPACE} is sent as {@code X-Vault-Namespace}. The reference names the
 * server, the mount and the key: {@code transit:https://vault.example:8200/transit/mfagate}; plain
 * {@code http:} only for a Vault on loopback (127.0.0.0/8, {@code ::1}, {@code localhost}).
 *
 * <p>Thread-safe. Tested against a stand-in that follows Vault's documented HTTP API, not against
 * Vault itself.
 */
final class TransitKeyProvider implements KeyProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CIPHERTEXT = Pattern.compile("vault:v[1-9][0-9]*:[A-Za-z0-9+/=]+");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * @param address scheme, host and port: {@code https://vault.example:8200}
     * @param mount the Transit mount path, such as {@code transit}
     * @param key the key name
     */
    record Config(URI address, String mount, String key) {

        static Config parse(String reference) {
            String url = reference.substring("transit:".length()).strip();
            URI uri;
            try {
                uri = new URI(url);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("Invalid transit reference: not a URL; for example"
                        + " transit:https://vault.example:8200/transit/mfagate");
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                    || uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null
                    || uri.getFragment() != null || uri.getPath() == null) {
                throw new IllegalArgumentException("Invalid transit reference: must be transit:https://HOST[:PORT]/MOUNT/KEY"
                        + " (no user, query or fragment)");
            }
            // The token goes in X-Vault-Token and data keys cross in clear inside the JSON bodies.
            if (uri.getScheme().equals("http") && !LoopbackHosts.isLoopback(uri.getHost())) {
                throw new IllegalArgumentException("Invalid transit reference: must be an https URL (http only for a Vault"
                        + " on loopback), so the token and data keys are not sent in clear");
            }
            String path = uri.getPath().replaceAll("^/+|/+$", "");
            if (path.startsWith("v1/")) {
                path = path.substring(3);
            }
            int slash = path.lastIndexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("Invalid transit reference: the path must be /MOUNT/KEY, such as /transit/mfagate");
            }
            String mount = path.substring(0, slash);
            String key = path.substring(slash + 1);
            for (String segment : (mount + "/" + key).split("/")) {
                if (!SEGMENT.matcher(segment).matches()) {
                    throw new IllegalArgumentException("Invalid transit reference: mount and key may hold only"
                            + " letters, digits, '.', '_' and '-'");
                }
            }
            URI address = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
            return new Config(address, mount, key);
        }

        String reference() {
            return "transit:" + address + "/" + mount + "/" + key;
        }
    }

    private final Config config;
    private final HttpClient http;
    private final Map<String, String> env;
    private volatile String token;

    private TransitKeyProvider(Config config, HttpClient http, Map<String, String> env, String token) {
        this.config = config;
        this.http = http;
        this.env = Map.copyOf(env);
        this.token = token;
    }

    static TransitKeyProvider open(Config config, Map<String, String> environment) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (String k : new String[] {"VAULT_TOKEN", "VAULT_TOKEN_FILE", "VAULT_ROLE_ID", "VAULT_SECRET_ID",
                "VAULT_SECRET_ID_FILE", "VAULT_APPROLE_MOUNT", "VAULT_NAMESPACE"}) {
            String v = environment.get(k);
            if (v != null && !v.isBlank()) {
                env.put(k, v);
            }
        }
        TransitKeyProvider provider = new TransitKeyProvider(config, http, env, null);
        provider.token = provider.initialToken();
        return provider;
    }

    private String initialToken() {
        String t = secret("VAULT_TOKEN", "VAULT_TOKEN_FILE");
        if (t != null) {
            return t;
        }
        if (env.containsKey("VAULT_ROLE_ID")) {
            return login();
        }
        throw new KeyProviderException(reference(), keyName(), "authenticating to Vault", KeyProviderException.Failure.MISCONFIGURED,
                "no credentials: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole");
    }

    private String secret(String variable, String fileVariable) {
        String v = env.get(variable);
        if (v != null) {
            return v.strip();
        }
        String file = env.get(fileVariable);
        if (file == null) {
            return null;
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw new KeyProviderException(reference(), keyName(), "authenticating to Vault", KeyProviderException.Failure.MISCONFIGURED,
                    "cannot read " + fileVariable + " " + file);
        }
    }

    /** AppRole login: {@code POST /v1/auth/<mount>/login} with role_id and secret_id; returns {@code auth.client_token}. */
    private String login() {
        String secretId = secret("VAULT_SECRET_ID", "VAULT_SECRET_ID_FILE");
        if (secretId == null) {
            throw new KeyProviderException(reference(), keyName(), "logging in with AppRole", KeyProviderException.Failure.MISCONFIGURED,
                    "VAULT_ROLE_ID is set but VAULT_SECRET_ID is not");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("role_id", env.get("VAULT_ROLE_ID"));
        body.put("secret_id", secretId);
        String mount = env.getOrDefault("VAULT_APPROLE_MOUNT", "approle");
        JsonNode answer = post("/v1/auth/" + mount + "/login", body, null, "logging in with AppRole", false);
        String t = answer.path("auth").path("client_token").asText("");
        if (t.isEmpty()) {
            throw new KeyProviderException(reference(), keyName(), "logging in with AppRole", KeyProviderException.Failure.FAILED,
                    "the answer has no auth.client_token");
        }
        return t;
    }

    @Override
    public String reference() {
        return config.reference();
    }

    @Override
    public String keyName() {
        return config.mount() + "/" + config.key();
    }

    @Override
    public byte[] wrapKey(byte[] key, KeyScope scope) {
        ObjectNode body = JSON.createObjectNode();
        body.put("plaintext", Base64.getEncoder().encodeToString(key));
        body.put("associated_data", Base64.getEncoder().encodeToString(scope.associatedData()));
        String operation = "wrapping the keyset key (encrypt)";
        String ciphertext = call("/encrypt/", body, operation).path("data").path("ciphertext").asText("");
        if (!CIPHERTEXT.matcher(ciphertext).matches()) {
            throw new KeyProviderException(reference(), keyName(), operation, KeyProviderException.Failure.FAILED,
                    "the answer has no vault:vN: ciphertext");
        }
        return ciphertext.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public byte[] unwrapKey(byte[] wrapped, KeyScope scope) {
        String operation = "unwrapping the keyset (decrypt)";
        String ciphertext = new String(wrapped, StandardCharsets.US_ASCII);
        if (!CIPHERTEXT.matcher(ciphertext).matches()) {
            throw new KeyProviderException(reference(), keyName(), operation, KeyProviderException.Failure.BAD_CIPHERTEXT,
                    "the stored value is not a vault:vN: ciphertext");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("ciphertext", ciphertext);
        body.put("associated_data", Base64.getEncoder().encodeToString(scope.associatedData()));
        String plaintext = call("/decrypt/", body, operation).path("data").path("plaintext").asText("");
        try {
            byte[] out = Base64.getDecoder().decode(plaintext);
            if (out.length == 0) {
                throw new IllegalArgumentException();
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw new KeyProviderException(reference(), keyName(), operation, KeyProviderException.Failure.FAILED,
                    "the answer has no base64 plaintext");
        }
    }

    /** A Transit call; with AppRole, a refused token leads to one new login and one retry. */
    private JsonNode call(String action, ObjectNode body, String operation) {
        String path = "/v1/" + config.mount() + action + config.key();
        try {
            return post(path, body, token, operation, true);
        } catch (TokenRefused e) {
            if (!env.containsKey("VAULT_ROLE_ID")) {
                throw e.failure;
            }
            token = login();
            try {
                return post(path, body, token, operation, false);
            } catch (TokenRefused again) {
                throw again.failure;
            }
        }
    }

    private JsonNode post(String path, ObjectNode body, String authToken, String operation, boolean tokenRetryable) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.address() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (authToken != null) {
            request.header("X-Vault-Token", authToken);
        }
        String namespace = env.get("VAULT_NAMESPACE");
        if (namespace != null) {
            request.header("X-Vault-Namespace", namespace);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new KeyProviderException(reference(), keyName(), operation, KeyProviderException.Failure.UNREACHABLE,
                    e.getClass().getSimpleName() + " reaching " + config.address(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyProviderException(reference(), keyName(), operation, KeyProviderException.Failure.UNREACHABLE,
                    "interrupted");
        }
        JsonNode answer;
        try {
            answer = response.body() == null || response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            answer = JSON.createObjectNode();
        }
        int status = response.statusCode();
        if (status == 200 || status == 204) {
            return answer;
        }
        String errors = errors(answer);
        String detail = "HTTP " + status + (errors.isEmpty() ? "" : ": " + errors);
        String lower = errors.toLowerCase(Locale.ROOT);
        KeyProviderException.Failure f;
        if (status == 403 || status == 401) {
            f = KeyProviderException.Failure.ACCESS_DENIED;
        } else if (status == 429) {
            f = KeyProviderException.Failure.THROTTLED;
        } else if (status == 503 || status >= 500) {
            f = KeyProviderException.Failure.UNAVAILABLE;
        } else if (status == 404 || lower.contains("not found")) {
            f = KeyProviderException.Failure.KEY_NOT_FOUND;
        } else if (status == 400 && path.contains("/decrypt/")) {
            f = KeyProviderException.Failure.BAD_CIPHERTEXT;
        } else if (lower.contains("disabled") || lower.contains("not allowed")) {
            f = KeyProviderException.Failure.KEY_DISABLED;
        } else {
            f = KeyProviderException.Failure.FAILED;
        }
        KeyProviderException failure = new KeyProviderException(reference(), keyName(), operation, f, detail);
        if (tokenRetryable && status == 403) {
            throw new TokenRefused(failure);
        }
        throw failure;
    }

    /** Vault's {@code {"errors":[...]}}, joined. */
    private static String errors(JsonNode answer) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : answer.path("errors")) {
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append(e.asText());
        }
        return sb.toString();
    }

    /** A 403 that a fresh AppRole login may cure. */
    private static final class TokenRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient KeyProviderException failure;

        TokenRefused(KeyProviderException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "TransitKeyProvider[" + reference() + "]";
    }
}
