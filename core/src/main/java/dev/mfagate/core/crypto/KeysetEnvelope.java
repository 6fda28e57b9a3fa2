package dev.mfagate.core.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

/**
 * A keyset wrapped under a provider's key: {@code {"format":"mfagate-wrapped-keyset/1","scope":..,
 * "wrapped_key":<base64>,"ciphertext":<base64>}}. A fresh 256-bit key encrypts the keyset JSON with
 * AES-256-GCM; the provider wraps that key. Both carry the scope's associated data. This envelope
 * keeps the provider call small and fixed-size (AWS KMS takes at most 4 KiB of plaintext, a keyset
 * with several KEKs can be larger) and is the same for every provider.
 */
final class KeysetEnvelope {

    static final String FORMAT = "mfagate-wrapped-keyset/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEY_SIZE_BYTES = 32;
    private static final AesGcmParameters PARAMETERS;

    static {
        try {
            PARAMETERS = AesGcmParameters.builder().setKeySizeBytes(KEY_SIZE_BYTES).setIvSizeBytes(12)
                    .setTagSizeBytes(16).setVariant(AesGcmParameters.Variant.NO_PREFIX).build();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private KeysetEnvelope() {
    }

    static byte[] seal(byte[] keysetJson, KeyProvider provider, KeyScope scope) {
        SecretBytes key = SecretBytes.randomBytes(KEY_SIZE_BYTES);
        byte[] raw = key.toByteArray(InsecureSecretKeyAccess.get());
        try {
            byte[] ciphertext = AesGcmJce.create(aesKey(key)).encrypt(keysetJson, scope.associatedData());
            byte[] wrapped = provider.wrapKey(raw, scope);
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("scope", scope.value());
            root.put("wrapped_key", Base64.getEncoder().encodeToString(wrapped));
            root.put("ciphertext", Base64.getEncoder().encodeToString(ciphertext));
            return JSON.writeValueAsBytes(root);
        } catch (GeneralSecurityException | IOException e) {
            throw new AssertionError("AES-256-GCM with a fresh key cannot fail", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    static byte[] open(byte[] envelope, KeyProvider provider, KeyScope scope, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(envelope);
        } catch (IOException e) {
            throw new IllegalArgumentException("The wrapped keyset from " + source + " is not valid JSON");
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException("The wrapped keyset from " + source + " has no \"format\": \""
                    + FORMAT + "\" member");
        }
        if (!scope.value().equals(root.path("scope").asText())) {
            throw new IllegalArgumentException("The wrapped keyset from " + source + " is for scope '"
                    + KeyProviderException.clean(root.path("scope").asText()) + "', not '" + scope.value() + "'");
        }
        byte[] wrapped = base64(root, "wrapped_key", source);
        byte[] ciphertext = base64(root, "ciphertext", source);
        byte[] raw = provider.unwrapKey(wrapped, scope);
        try {
            if (raw.length != KEY_SIZE_BYTES) {
                throw new KeyProviderException(provider.reference(), provider.keyName(), "unwrapping the keyset",
                        KeyProviderException.Failure.BAD_CIPHERTEXT, "unwrapped key has the wrong size");
            }
            return AesGcmJce.create(aesKey(SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get())))
                    .decrypt(ciphertext, scope.associatedData());
        } catch (GeneralSecurityException e) {
            throw new KeyProviderException(provider.reference(), provider.keyName(), "unwrapping the keyset",
                    KeyProviderException.Failure.BAD_CIPHERTEXT, "the keyset ciphertext failed authentication");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static byte[] base64(JsonNode root, String member, String source) {
        try {
            return Base64.getDecoder().decode(root.path(member).asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The wrapped keyset from " + source + " has an invalid \"" + member + "\"");
        }
    }

    private static AesGcmKey aesKey(SecretBytes bytes) throws GeneralSecurityException {
        return AesGcmKey.builder().setParameters(PARAMETERS).setKeyBytes(bytes).build();
    }

    /** Whether {@code bytes} look like an envelope (for messages about a misplaced file). */
    static boolean looksLikeEnvelope(byte[] bytes) {
        return new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8).contains(FORMAT);
    }
}
