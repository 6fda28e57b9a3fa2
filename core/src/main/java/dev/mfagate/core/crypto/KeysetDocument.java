package dev.mfagate.core.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashSet;
import java.util.Set;

/**
 * The keyset document: {@code {"format":"mfagate-keyset/1","kek":<Tink JSON keyset>,"audit_mac":<Tink
 * JSON keyset>}}. Immutable; parsing validates the key types, and no message ever carries key
 * material.
 */
final class KeysetDocument {

    static final String FORMAT = "mfagate-keyset/1";

    private static final ObjectMapper JSON = new ObjectMapper();

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
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // The parser's message may quote the input, which is secret: drop it.
            throw new IllegalArgumentException("The keyset from " + source + " is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("The keyset from " + source + " must be a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.asText())) {
            throw new IllegalArgumentException("The keyset from " + source + " has no \"format\": \""
                    + FORMAT + "\" member; it is not an mfagate keyset");
        }
        KeysetHandle kek = parseKeyset(root, "kek", source);
        KeysetHandle mac = parseKeyset(root, "audit_mac", source);
        validateKek(kek, source);
        validateMac(mac, source);
        return new KeysetDocument(kek, mac);
    }

    private static KeysetHandle parseKeyset(JsonNode root, String member, String source) {
        JsonNode node = root.get(member);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("The keyset from " + source + " has no \"" + member
                    + "\" object");
        }
        try {
            return TinkJsonProtoKeysetFormat.parseKeyset(JSON.writeValueAsString(node), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | JsonProcessingException | RuntimeException e) {
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
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.set("kek", JSON.readTree(TinkJsonProtoKeysetFormat.serializeKeyset(kek, InsecureSecretKeyAccess.get())));
            root.set("audit_mac", JSON.readTree(TinkJsonProtoKeysetFormat.serializeKeyset(auditMac, InsecureSecretKeyAccess.get())));
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
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
