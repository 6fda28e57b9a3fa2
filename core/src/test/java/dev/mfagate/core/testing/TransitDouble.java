package dev.mfagate.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for Vault's (or OpenBao's) Transit secrets engine over real HTTP on loopback,
 * following its documented HTTP API for what mfagate uses: {@code POST /v1/<mount>/encrypt/<key>}
 * and {@code /decrypt/<key>} with base64 {@code plaintext} and {@code associated_data},
 * ciphertexts {@code vault:v<version>:<base64>} decrypted with the version they name, key rotation
 * and {@code min_decryption_version}; {@code POST /v1/auth/approle/login} answering
 * {@code auth.client_token}; {@code X-Vault-Token} checked on every call; errors as
 * {@code {"errors":[...]}} with Vault's statuses: 403 {@code permission denied}, 400 for a
 * ciphertext that does not decrypt or a missing key, 503 {@code Vault is sealed}.
 *
 * <p>Followed: Vault's "Transit secrets engine (API)" page (api-docs/secret/transit: encrypt,
 * decrypt, rotate, key config), "AppRole auth method (API)" (api-docs/auth/approle: login) and
 * "HTTP API" overview (api-docs: X-Vault-Token, error body, status codes incl. 503 when sealed);
 * OpenBao's transit API page for {@code associated_data}. Not a Vault: no policies beyond one
 * token, no leases.
 */
public final class TransitDouble implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TRANSIT = Pattern.compile("/v1/(.+)/(encrypt|decrypt)/([^/]+)");
    private static final Pattern CIPHERTEXT = Pattern.compile("vault:v([0-9]+):([A-Za-z0-9+/=]+)");

    /** One request as received (never the body). */
    public record Request(String path, String token, boolean hadAssociatedData) {
    }

    private final HttpServer server;
    private final String mount;
    private final Map<String, List<byte[]>> keys = new ConcurrentHashMap<>();
    private final Map<String, Integer> minDecryptionVersion = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String roleId;
    private volatile String secretId;
    private volatile boolean sealed;
    private volatile int failWithStatus;

    private TransitDouble(String mount) throws IOException {
        this.mount = mount;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a double with the Transit engine at {@code mount}. */
    public static TransitDouble start(String mount) {
        try {
            return new TransitDouble(mount);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String address() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** The mfagate reference of {@code key}. */
    public String reference(String key) {
        return "transit:" + address() + "/" + mount + "/" + key;
    }

    /** Creates an aes256-gcm96 key at version 1. */
    public void createKey(String name) {
        List<byte[]> versions = new CopyOnWriteArrayList<>();
        versions.add(random(32));
        keys.put(name, versions);
        minDecryptionVersion.put(name, 1);
    }

    /** {@code POST /transit/keys/:name/rotate}: a new latest version. */
    public void rotate(String name) {
        keys.get(name).add(random(32));
    }

    /** {@code min_decryption_version} in the key's config. */
    public void setMinDecryptionVersion(String name, int version) {
        minDecryptionVersion.put(name, version);
    }

    /** A token that may use the engine. */
    public String issueToken() {
        String t = "hvs." + Base64.getUrlEncoder().withoutPadding().encodeToString(random(18));
        tokens.add(t);
        return t;
    }

    /** Revokes every token (expiry). */
    public void revokeTokens() {
        tokens.clear();
    }

    /** Enables AppRole login with these credentials. */
    public void enableAppRole(String role, String secret) {
        this.roleId = role;
        this.secretId = secret;
    }

    /** Seals or unseals the server. */
    public void seal(boolean sealed) {
        this.sealed = sealed;
    }

    /** Answers every Transit call with this status (0: normally). */
    public void failWith(int status) {
        this.failWithStatus = status;
    }

    /** Every request received, in order. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
            JsonNode body;
            try {
                body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            } catch (IOException e) {
                body = JSON.createObjectNode();
            }
            if (body == null) {
                body = JSON.createObjectNode();
            }
            requests.add(new Request(path, token, body.hasNonNull("associated_data")));
            if (sealed) {
                errors(exchange, 503, "Vault is sealed");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                errors(exchange, 405, "unsupported operation");
                return;
            }
            if (path.equals("/v1/auth/approle/login")) {
                if (roleId != null && roleId.equals(body.path("role_id").asText()) && secretId.equals(body.path("secret_id").asText())) {
                    ObjectNode answer = JSON.createObjectNode();
                    ObjectNode auth = answer.putObject("auth");
                    auth.put("client_token", issueToken());
                    auth.put("lease_duration", 3600);
                    auth.put("renewable", true);
                    send(exchange, 200, answer);
                } else {
                    errors(exchange, 400, "invalid role or secret ID");
                }
                return;
            }
            Matcher m = TRANSIT.matcher(path);
            if (!m.matches() || !m.group(1).equals(mount)) {
                errors(exchange, 404, "no handler for route \"" + path + "\"");
                return;
            }
            if (token == null || !tokens.contains(token)) {
                errors(exchange, 403, "permission denied");
                return;
            }
            if (failWithStatus != 0) {
                errors(exchange, failWithStatus, "internal error");
                return;
            }
            List<byte[]> versions = keys.get(m.group(3));
            if (versions == null) {
                errors(exchange, 400, "encryption key not found");
                return;
            }
            byte[] aad = body.hasNonNull("associated_data") ? Base64.getDecoder().decode(body.get("associated_data").asText()) : new byte[0];
            if (m.group(2).equals("encrypt")) {
                encrypt(exchange, versions, body, aad);
            } else {
                decrypt(exchange, m.group(3), versions, body, aad);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void encrypt(HttpExchange exchange, List<byte[]> versions, JsonNode body, byte[] aad) throws IOException,
            GeneralSecurityException {
        int version = versions.size();
        byte[] iv = random(12);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(versions.get(version - 1), "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        byte[] sealedBytes = c.doFinal(Base64.getDecoder().decode(body.path("plaintext").asText("")));
        byte[] out = new byte[12 + sealedBytes.length];
        System.arraycopy(iv, 0, out, 0, 12);
        System.arraycopy(sealedBytes, 0, out, 12, sealedBytes.length);
        ObjectNode answer = JSON.createObjectNode();
        answer.putObject("data").put("ciphertext", "vault:v" + version + ":" + Base64.getEncoder().encodeToString(out))
                .put("key_version", version);
        send(exchange, 200, answer);
    }

    private void decrypt(HttpExchange exchange, String name, List<byte[]> versions, JsonNode body, byte[] aad) throws IOException {
        Matcher m = CIPHERTEXT.matcher(body.path("ciphertext").asText(""));
        if (!m.matches()) {
            errors(exchange, 400, "invalid ciphertext: no prefix");
            return;
        }
        int version = Integer.parseInt(m.group(1));
        if (version < minDecryptionVersion.get(name) || version > versions.size()) {
            errors(exchange, 400, "invalid key version");
            return;
        }
        byte[] in = Base64.getDecoder().decode(m.group(2));
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(versions.get(version - 1), "AES"), new GCMParameterSpec(128, in, 0, 12));
            c.updateAAD(aad);
            byte[] plaintext = c.doFinal(in, 12, in.length - 12);
            ObjectNode answer = JSON.createObjectNode();
            answer.putObject("data").put("plaintext", Base64.getEncoder().encodeToString(plaintext));
            send(exchange, 200, answer);
        } catch (GeneralSecurityException | RuntimeException e) {
            errors(exchange, 400, "cipher: message authentication failed");
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void errors(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("errors").add(message);
        send(exchange, status, answer);
    }

    private static void send(HttpExchange exchange, int status, ObjectNode answer) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
