package dev.mfagate.core.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A read-only keyring from keyset text (an environment variable, or any JSON given in memory). */
final class StaticKeyring implements Keyring {

    private final KeysetDocument.KeyringState state;
    private final String description;

    private StaticKeyring(KeysetDocument.KeyringState state, String description) {
        this.state = state;
        this.description = description;
    }

    static StaticKeyring fromText(String text, String description) {
        String trimmed = text.strip();
        String json = trimmed.startsWith("{") ? trimmed : decodeBase64(trimmed, description);
        return new StaticKeyring(KeysetDocument.parse(json, description).toState(), description);
    }

    private static String decodeBase64(String text, String description) {
        try {
            Base64.Decoder decoder = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder() : Base64.getMimeDecoder();
            String json = new String(decoder.decode(text), StandardCharsets.UTF_8).strip();
            if (!json.startsWith("{")) {
                throw new IllegalArgumentException();
            }
            return json;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The keyset from " + description
                    + " is neither keyset JSON nor base64 of it");
        }
    }

    @Override
    public Kek kek() {
        return state.kek();
    }

    @Override
    public ChainMac auditMac() {
        return state.auditMac();
    }

    @Override
    public Keyset keyset() {
        return Keyset.of(state);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return "Keyring[" + description + "]";
    }
}
