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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A stand-in for AWS KMS over real HTTP on loopback, following the KMS JSON API for the two calls
 * mfagate makes: {@code POST /} with {@code X-Amz-Target: TrentService.Encrypt} or
 * {@code TrentService.Decrypt}, body and answer in {@code application/x-amz-json-1.1}, blobs in
 * base64, errors as HTTP 400 with {@code {"__type": "...", "message": "..."}}. It checks what the
 * service checks first: the content type, the target, a SigV4 {@code Authorization} header for
 * the {@code kms} service and an {@code X-Amz-Date}; then the key's state and the caller's access;
 * and on Decrypt the encryption context, which must equal the one given to Encrypt (it is the AES-GCM
 * additional data here, as it is additional authenticated data in KMS).
 *
 * <p>Followed: the KMS API Reference pages {@code API_Encrypt.html}, {@code API_Decrypt.html} and
 * {@code CommonErrors.html} (docs.aws.amazon.com/kms/latest/APIReference/), and the developer
 * guide's "Encryption context" page. Not a KMS: no IAM, no grants, no key policy, one account.
 */
public final class KmsDouble implements AutoCloseable {

    /** What a key can be. */
    public enum KeyState { ENABLED, DISABLED, PENDING_DELETION }

    /** One request as received. */
    public record Request(String target, String contentType, String authorization, Map<String, String> encryptionContext) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ACCOUNT = "111122223333";

    private final HttpServer server;
    private final String region;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private final Map<String, KeyState> states = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private volatile boolean denyAll;

    private KmsDouble(String region) throws IOException {
        this.region = region;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a double for {@code region} on a free loopback port. */
    public static KmsDouble start(String region) {
        try {
            return new KmsDouble(region);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, for {@code AWS_ENDPOINT_URL_KMS}. */
    public String endpoint() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Creates an enabled symmetric key; returns its ARN. */
    public String createKey() {
        String arn = "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/" + java.util.UUID.randomUUID();
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        keys.put(arn, key);
        states.put(arn, KeyState.ENABLED);
        return arn;
    }

    /** Sets a key's state (DisableKey, ScheduleKeyDeletion). */
    public void setState(String arn, KeyState state) {
        states.put(arn, state);
    }

    /** Makes every call fail with AccessDeniedException (a key policy that no longer names the caller). */
    public void denyAll(boolean deny) {
        this.denyAll = deny;
    }

    /** Answers the next {@code n} calls with ThrottlingException. */
    public void throttleNext(int n) {
        throttleNext.set(n);
    }

    /** Every request received, in order. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (IOException e) {
                request = JSON.createObjectNode();
            }
            Map<String, String> context = new TreeMap<>();
            request.path("EncryptionContext").fields().forEachRemaining(f -> context.put(f.getKey(), f.getValue().asText()));
            requests.add(new Request(target, contentType, authorization, Map.copyOf(context)));
            if (!"POST".equals(exchange.getRequestMethod()) || !"application/x-amz-json-1.1".equals(contentType)) {
                error(exchange, "SerializationException", "expected POST with Content-Type application/x-amz-json-1.1");
                return;
            }
            if (authorization == null || !authorization.matches("AWS4-HMAC-SHA256 Credential=[A-Z0-9]+/[0-9]{8}/"
                    + region + "/kms/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}")
                    || exchange.getRequestHeaders().getFirst("X-Amz-Date") == null) {
                error(exchange, "MissingAuthenticationTokenException", "Missing or malformed SigV4 signature");
                return;
            }
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                error(exchange, "ThrottlingException", "Rate exceeded");
                return;
            }
            if (denyAll) {
                error(exchange, "AccessDeniedException", "User is not authorized to perform this operation");
                return;
            }
            switch (target == null ? "" : target) {
                case "TrentService.Encrypt" -> encrypt(exchange, request, context);
                case "TrentService.Decrypt" -> decrypt(exchange, request, context);
                default -> error(exchange, "UnknownOperationException", "Unknown operation");
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void encrypt(HttpExchange exchange, JsonNode request, Map<String, String> context) throws IOException,
            GeneralSecurityException {
        String arn = resolve(request.path("KeyId").asText(""));
        if (arn == null) {
            error(exchange, "NotFoundException", "Key not found");
            return;
        }
        if (!usable(exchange, arn)) {
            return;
        }
        byte[] plaintext = Base64.getDecoder().decode(request.path("Plaintext").asText(""));
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.get(arn), "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(canonical(context));
        byte[] sealed = c.doFinal(plaintext);
        byte[] arnBytes = arn.getBytes(StandardCharsets.UTF_8);
        ByteBuffer blob = ByteBuffer.allocate(2 + arnBytes.length + 12 + sealed.length);
        blob.putShort((short) arnBytes.length).put(arnBytes).put(iv).put(sealed);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("CiphertextBlob", Base64.getEncoder().encodeToString(blob.array()));
        answer.put("KeyId", arn);
        answer.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        ok(exchange, answer);
    }

    private void decrypt(HttpExchange exchange, JsonNode request, Map<String, String> context) throws IOException {
        byte[] blob = Base64.getDecoder().decode(request.path("CiphertextBlob").asText(""));
        String arn;
        byte[] iv = new byte[12];
        byte[] sealed;
        try {
            ByteBuffer b = ByteBuffer.wrap(blob);
            byte[] arnBytes = new byte[b.getShort()];
            b.get(arnBytes).get(iv);
            sealed = new byte[b.remaining()];
            b.get(sealed);
            arn = new String(arnBytes, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            error(exchange, "InvalidCiphertextException", "");
            return;
        }
        if (!keys.containsKey(arn)) {
            error(exchange, "InvalidCiphertextException", "");
            return;
        }
        String requested = request.path("KeyId").asText("");
        if (!requested.isEmpty() && !arn.equals(resolve(requested))) {
            error(exchange, "IncorrectKeyException", "The key ID in the request does not identify the key that encrypted the ciphertext");
            return;
        }
        if (!usable(exchange, arn)) {
            return;
        }
        byte[] plaintext;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys.get(arn), "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(canonical(context));
            plaintext = c.doFinal(sealed);
        } catch (GeneralSecurityException e) {
            // What KMS answers for a wrong or missing encryption context: no detail.
            error(exchange, "InvalidCiphertextException", "");
            return;
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("KeyId", arn);
        answer.put("Plaintext", Base64.getEncoder().encodeToString(plaintext));
        answer.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        ok(exchange, answer);
    }

    private boolean usable(HttpExchange exchange, String arn) throws IOException {
        switch (states.get(arn)) {
            case DISABLED -> {
                error(exchange, "DisabledException", arn + " is disabled.");
                return false;
            }
            case PENDING_DELETION -> {
                error(exchange, "KMSInvalidStateException", arn + " is pending deletion.");
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    private String resolve(String keyId) {
        if (keys.containsKey(keyId)) {
            return keyId;
        }
        return keys.keySet().stream().filter(arn -> arn.endsWith(":key/" + keyId)).findFirst().orElse(null);
    }

    /** The context in a canonical order, as the additional data. */
    private static byte[] canonical(Map<String, String> context) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(context).forEach((k, v) -> sb.append(k.length()).append(':').append(k).append(v.length()).append(':').append(v));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void ok(HttpExchange exchange, ObjectNode answer) throws IOException {
        send(exchange, 200, answer);
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("__type", type);
        answer.put("message", message);
        send(exchange, 400, answer);
    }

    private static void send(HttpExchange exchange, int status, ObjectNode answer) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
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
