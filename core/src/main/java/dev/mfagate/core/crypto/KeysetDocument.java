package dev.mfagate.core.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadWrapper;
import com.google.crypto.tink.aead.AesGcmKeyManager;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.HmacKey;
import com.google.crypto.tink.mac.HmacParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashSet;
import java.util.Set;

/**
 * The keyset document: {@code {"format":"mfagate-keyset/1","kek":<Tink JSON keyset>,"audit_mac":<Tink
 * JSON keyset>}}. Immutable; parsing validates the key types, and no message ever carries key
 * material.
 *
 * <p>Read with Gson in its strict mode (RFC 8259), the parser Tink itself reads keysets with: every
 * command and every start reads the document, and Jackson's object mapper would add about 400 classes
 * to a one-shot command that needs no other JSON. Written (by {@code init} and key rotation) with
 * Jackson's pretty printer, as before.
 */
final class KeysetDocument {

    static final String FORMAT = "mfagate-keyset/1";

    /** Jackson, for writing the document only: loaded by the commands that write a keyset. */
    private static final class Writer {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    static {
        try {
            // Only what the document holds: AES-GCM for the KEK (AeadConfig would add seven other
            // AEADs and their serialisations, a tenth of a second of class loading at every start)
            // and HMAC for the audit chain.
            AeadWrapper.register();
            AesGcmKeyManager.register(true);
            MacConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KeysetHandle kek;
    private final KeysetHandle auditMac;

    /** Nothing but this class's initialisation (Tink's registrations), see {@link Keyring#preload()}. */
    static void preload() {
        // The static initialiser has run by the time this is called. The JCE's first look-up of a
        // cipher and a MAC (its providers, the crypto policy) is the other cost of a first keyset read.
        try {
            javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            javax.crypto.Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            // Tink reports it when the keyset's primitives are built.
        }
    }

    private KeysetDocument(KeysetHandle kek, KeysetHandle auditMac) {
        this.kek = kek;
        this.auditMac = auditMac;
    }

    /** A fresh document: one AES256_GCM KEK and one HMAC_SHA256_256BITTAG audit key, both with Tink prefixes. */
    static KeysetDocument generate() {
        try {
            return new KeysetDocument(
                    KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                    KeysetHandle.generateNew(PredefinedMacParameters.HMAC_SHA256_256BITTAG));
        } catch (GeneralSecurityException e) {
            throw new AssertionError("Tink could not generate predefined keys", e);
        }
    }

    /**
     * Parses and validates a document.
     *
     * @param source where the text came from, for messages
     * @throws IllegalArgumentException naming the source and the rule broken, never the content
     */
    static KeysetDocument parse(String text, String source) {
        JsonElement parsed;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            parsed = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("more than one JSON value");
            }
        } catch (JsonParseException | IOException | IllegalStateException | StackOverflowError e) {
            // The parser's message may quote the input, which is secret: drop it.
            throw new IllegalArgumentException("The keyset from " + source + " is not valid JSON");
        }
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException("The keyset from " + source + " must be a JSON object");
        }
        JsonObject root = parsed.getAsJsonObject();
        JsonElement format = root.get("format");
        if (format == null || !format.isJsonPrimitive() || !format.getAsJsonPrimitive().isString()
                || !FORMAT.equals(format.getAsString())) {
            throw new IllegalArgumentException("The keyset from " + source + " has no \"format\": \""
                    + FORMAT + "\" member; it is not an mfagate keyset");
        }
        KeysetHandle kek = parseKeyset(root, "kek", source);
        KeysetHandle mac = parseKeyset(root, "audit_mac", source);
        validateKek(kek, source);
        validateMac(mac, source);
        return new KeysetDocument(kek, mac);
    }

    private static KeysetHandle parseKeyset(JsonObject root, String member, String source) {
        JsonElement node = root.get(member);
        if (node == null || !node.isJsonObject()) {
            throw new IllegalArgumentException("The keyset from " + source + " has no \"" + member
                    + "\" object");
        }
        try {
            return TinkJsonProtoKeysetFormat.parseKeyset(node.toString(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("The keyset from " + source + " has an invalid \""
                    + member + "\" Tink keyset");
        }
    }

    private static void validateKek(KeysetHandle kek, String source) {
        for (int i = 0; i < kek.size(); i++) {
            KeysetHandle.Entry entry = kek.getAt(i);
            if (!(entry.getKey() instanceof AesGcmKey key)
                    || key.getParameters().getKeySizeBytes() != 32
                    || key.getParameters().getVariant() != AesGcmParameters.Variant.TINK) {
                throw new IllegalArgumentException("The keyset from " + source + " has KEK key "
                        + Integer.toUnsignedString(entry.getId())
                        + " of an unsupported type; must be AES256_GCM with the Tink prefix");
            }
        }
    }

    private static void validateMac(KeysetHandle mac, String source) {
        for (int i = 0; i < mac.size(); i++) {
            KeysetHandle.Entry entry = mac.getAt(i);
            if (!(entry.getKey() instanceof HmacKey key)
                    || key.getParameters().getHashType() != HmacParameters.HashType.SHA256
                    || key.getParameters().getKeySizeBytes() < 32
                    || key.getParameters().getCryptographicTagSizeBytes() != 32
                    || key.getParameters().getVariant() != HmacParameters.Variant.TINK) {
                throw new IllegalArgumentException("The keyset from " + source + " has audit MAC key "
                        + Integer.toUnsignedString(entry.getId())
                        + " of an unsupported type; must be HMAC_SHA256_256BITTAG with the Tink prefix");
            }
        }
    }

    /** The document as UTF-8 JSON. The caller should clear the array after writing it. */
    byte[] toJsonBytes() {
        try {
            ObjectMapper json = Writer.JSON;
            ObjectNode root = json.createObjectNode();
            root.put("format", FORMAT);
            root.set("kek", json.readTree(TinkJsonProtoKeysetFormat.serializeKeyset(kek, InsecureSecretKeyAccess.get())));
            root.set("audit_mac", json.readTree(TinkJsonProtoKeysetFormat.serializeKeyset(auditMac, InsecureSecretKeyAccess.get())));
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new AssertionError("A validated keyset could not be serialised", e);
        }
    }

    /** A copy with a fresh AES256_GCM key as the KEK primary; older KEK keys stay enabled. */
    KeysetDocument withNewPrimaryKek() {
        try {
            KeysetHandle rotated = KeysetHandle.newBuilder(kek)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                            .withRandomId()
                            .makePrimary())
                    .build();
            return new KeysetDocument(rotated, auditMac);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("Tink could not add a predefined key", e);
        }
    }

    /** A copy whose KEK set holds only its primary key (the others are deleted, not merely disabled). */
    KeysetDocument withOnlyPrimaryKek() {
        try {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(kek);
            for (int i = builder.size() - 1; i >= 0; i--) {
                if (!builder.getAt(i).isPrimary()) {
                    builder.deleteAt(i);
                }
            }
            return new KeysetDocument(builder.build(), auditMac);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("Tink could not rebuild a valid keyset", e);
        }
    }

    /** The number of KEK keys. */
    int kekKeyCount() {
        return kek.size();
    }

    /** The audit MAC key ids. */
    Set<String> auditKeyIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < auditMac.size(); i++) {
            ids.add(Integer.toUnsignedString(auditMac.getAt(i).getId()));
        }
        return ids;
    }

    /** Builds the primitives once; the result is what a keyring hands out on the hot path. */
    KeyringState toState() {
        try {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < kek.size(); i++) {
                ids.add(Integer.toUnsignedString(kek.getAt(i).getId()));
            }
            Kek k = new Kek(Integer.toUnsignedString(kek.getPrimary().getId()), ids,
                    kek.getPrimitive(RegistryConfiguration.get(), Aead.class));
            ChainMac m = new TinkChainMac(auditMac.getPrimitive(RegistryConfiguration.get(), Mac.class));
            return new KeyringState(this, k, m);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("The keyset's primitives could not be built: " + e.getClass().getSimpleName());
        }
    }

    /** The parsed document with its ready primitives. */
    record KeyringState(KeysetDocument document, Kek kek, ChainMac auditMac) {}

    /** {@link ChainMac} on a Tink {@link Mac}. */
    private static final class TinkChainMac implements ChainMac {
        private final Mac mac;

        TinkChainMac(Mac mac) {
            this.mac = mac;
        }

        @Override
        public byte[] computeMac(byte[] data) {
            try {
                return mac.computeMac(data);
            } catch (GeneralSecurityException e) {
                throw new AssertionError("HMAC-SHA256 with a valid key cannot fail", e);
            }
        }

        @Override
        public boolean verifyMac(byte[] tag, byte[] data) {
            if (tag == null || data == null) {
                return false;
            }
            try {
                mac.verifyMac(tag, data);
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return "ChainMac[HMAC-SHA256]";
        }
    }
}
