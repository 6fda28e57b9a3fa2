package dev.mfagate.core.crypto;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A KEK inside a PKCS#11 token (an HSM; SoftHSM2 in the tests), reached through the JDK's SunPKCS11
 * provider. The token's AES key (a secret-key object found by its label, {@code CKA_LABEL}) wraps
 * and unwraps with {@code CKM_AES_GCM} inside the token: the key is never read out, and the JDK only
 * sees the ciphertext and the unwrapped 256-bit keyset key. Output: 12-byte IV, ciphertext, 16-byte
 * tag; the scope is the GCM additional data.
 *
 * <p>SunPKCS11 selects a token by slot, not by token label: name it with {@code slot-id} (see
 * {@code softhsm2-util --show-slots} or {@code pkcs11-tool -L}) or {@code slot-list-index}. The PIN
 * comes from {@code MFAGATE_PKCS11_PIN} or the file {@code MFAGATE_PKCS11_PIN_FILE}, never from the
 * reference. Creating the key is the HSM operator's job (an AES-256 secret key, sensitive,
 * not extractable, with encrypt and decrypt allowed).
 */
final class Pkcs11KeyProvider implements KeyProvider {

    private static final Pattern CKR = Pattern.compile("CKR_[A-Z_]+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /**
     * The parsed reference.
     *
     * @param object the key's label
     * @param slotId the slot id, or null
     * @param slotListIndex the index in the slot list when no slot id is given
     * @param modulePath the PKCS#11 library
     */
    record Config(String object, Long slotId, int slotListIndex, String modulePath) {

        static Config parse(String reference) {
            String body = reference.substring("pkcs11:".length());
            int q = body.indexOf('?');
            Map<String, String> path = attributes(q < 0 ? body : body.substring(0, q), ";");
            Map<String, String> query = attributes(q < 0 ? "" : body.substring(q + 1), "&");
            if (query.containsKey("pin-value") || path.containsKey("pin-value")) {
                throw new IllegalArgumentException("Invalid pkcs11 reference: it must not hold the PIN (pin-value);"
                        + " give it in MFAGATE_PKCS11_PIN or MFAGATE_PKCS11_PIN_FILE");
            }
            for (String k : path.keySet()) {
                if (!k.equals("object") && !k.equals("slot-id") && !k.equals("slot-list-index")) {
                    throw new IllegalArgumentException("Invalid pkcs11 reference: unsupported attribute '" + clean(k)
                            + "'; use object, slot-id or slot-list-index (SunPKCS11 selects tokens by slot)");
                }
            }
            for (String k : query.keySet()) {
                if (!k.equals("module-path")) {
                    throw new IllegalArgumentException("Invalid pkcs11 reference: unsupported query attribute '"
                            + clean(k) + "'; only module-path");
                }
            }
            String object = path.get("object");
            if (object == null || object.isEmpty()) {
                throw new IllegalArgumentException("Invalid pkcs11 reference: object=<key label> is required");
            }
            String module = query.get("module-path");
            if (module == null || !module.startsWith("/")) {
                throw new IllegalArgumentException("Invalid pkcs11 reference: module-path=<absolute path of the"
                        + " PKCS#11 library> is required, for example ?module-path=/usr/lib/softhsm/libsofthsm2.so");
            }
            Long slotId = null;
            int index = 0;
            try {
                if (path.containsKey("slot-id")) {
                    slotId = Long.parseUnsignedLong(path.get("slot-id"));
                }
                if (path.containsKey("slot-list-index")) {
                    index = Integer.parseInt(path.get("slot-list-index"));
                    if (index < 0) {
                        throw new NumberFormatException();
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid pkcs11 reference: slot-id and slot-list-index must be"
                        + " non-negative decimal numbers");
            }
            if (slotId != null && path.containsKey("slot-list-index")) {
                throw new IllegalArgumentException("Invalid pkcs11 reference: give slot-id or slot-list-index, not both");
            }
            if (!object.matches("[\\x21-\\x7e]{1,128}") || object.contains(";") || object.contains("?")) {
                throw new IllegalArgumentException("Invalid pkcs11 reference: object must be 1-128 printable"
                        + " characters without ';' or '?'");
            }
            return new Config(object, slotId, index, module);
        }

        private static Map<String, String> attributes(String text, String separator) {
            Map<String, String> out = new LinkedHashMap<>();
            if (text.isEmpty()) {
                return out;
            }
            for (String part : text.split(Pattern.quote(separator))) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("Invalid pkcs11 reference: each attribute must be name=value");
                }
                String name = part.substring(0, eq);
                String value = URLDecoder.decode(part.substring(eq + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
                if (out.put(name, value) != null) {
                    throw new IllegalArgumentException("Invalid pkcs11 reference: attribute '" + clean(name) + "' given twice");
                }
            }
            return out;
        }

        /** {@code pkcs11:object=L;slot-id=N?module-path=P}. */
        String reference() {
            return "pkcs11:object=" + object + (slotId != null ? ";slot-id=" + Long.toUnsignedString(slotId)
                    : slotListIndex != 0 ? ";slot-list-index=" + slotListIndex : "") + "?module-path=" + modulePath;
        }
    }

    private final Config config;
    private final Provider provider;
    private final Key key;

    private Pkcs11KeyProvider(Config config, Provider provider, Key key) {
        this.config = config;
        this.provider = provider;
        this.key = key;
    }

    static Pkcs11KeyProvider open(Config config, Map<String, String> environment) {
        String ref = config.reference();
        String name = config.object();
        if (!Files.isRegularFile(Path.of(config.modulePath()))) {
            throw new KeyProviderException(ref, name, "opening the PKCS#11 module", KeyProviderException.Failure.MISCONFIGURED,
                    "no library at " + config.modulePath());
        }
        char[] pin = pin(environment, ref, name);
        try {
            Provider p;
            try {
                String settings = "--name=mfagate-" + HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(ref.getBytes(StandardCharsets.UTF_8)), 0, 6)
                        + "\nlibrary=\"" + config.modulePath() + "\"\n"
                        + (config.slotId() != null ? "slot=" + config.slotId() : "slotListIndex=" + config.slotListIndex()) + "\n";
                Provider base = Security.getProvider("SunPKCS11");
                if (base == null) {
                    throw new KeyProviderException(ref, name, "opening the PKCS#11 module", KeyProviderException.Failure.MISCONFIGURED,
                            "this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
                }
                p = base.configure(settings);
            } catch (RuntimeException | GeneralSecurityException e) {
                if (e instanceof KeyProviderException kpe) {
                    throw kpe;
                }
                throw new KeyProviderException(ref, name, "opening the token's slot", KeyProviderException.Failure.UNREACHABLE,
                        reason(e, "no such slot or token"), e);
            }
            KeyStore store;
            try {
                store = KeyStore.getInstance("PKCS11", p);
                store.load(null, pin);
            } catch (IOException e) {
                boolean wrongPin = reason(e, "").contains("PIN") || hasCause(e, javax.security.auth.login.FailedLoginException.class);
                throw new KeyProviderException(ref, name, "logging in to the token", wrongPin
                        ? KeyProviderException.Failure.ACCESS_DENIED : KeyProviderException.Failure.UNREACHABLE,
                        reason(e, wrongPin ? "PIN refused" : "token not usable"), e);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new KeyProviderException(ref, name, "logging in to the token", KeyProviderException.Failure.UNREACHABLE,
                        reason(e, "token not present"), e);
            }
            Key k;
            try {
                k = store.getKey(name, null);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new KeyProviderException(ref, name, "finding the key in the token", KeyProviderException.Failure.FAILED,
                        reason(e, null), e);
            }
            if (k == null) {
                throw new KeyProviderException(ref, name, "finding the key in the token", KeyProviderException.Failure.KEY_NOT_FOUND,
                        "no secret key labelled '" + name + "' in the slot");
            }
            if (!"AES".equalsIgnoreCase(k.getAlgorithm())) {
                throw new KeyProviderException(ref, name, "finding the key in the token", KeyProviderException.Failure.MISCONFIGURED,
                        "the object is a " + k.getAlgorithm() + " key; an AES key is needed");
            }
            return new Pkcs11KeyProvider(config, p, k);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static char[] pin(Map<String, String> environment, String ref, String name) {
        String value = environment.get("MFAGATE_PKCS11_PIN");
        if (value == null || value.isEmpty()) {
            String file = environment.get("MFAGATE_PKCS11_PIN_FILE");
            if (file == null || file.isEmpty()) {
                throw new KeyProviderException(ref, name, "logging in to the token", KeyProviderException.Failure.MISCONFIGURED,
                        "no PIN: set MFAGATE_PKCS11_PIN or MFAGATE_PKCS11_PIN_FILE");
            }
            try {
                value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new KeyProviderException(ref, name, "logging in to the token", KeyProviderException.Failure.MISCONFIGURED,
                        "cannot read MFAGATE_PKCS11_PIN_FILE " + file);
            }
        }
        return value.toCharArray();
    }

    @Override
    public String reference() {
        return config.reference();
    }

    @Override
    public String keyName() {
        return config.object();
    }

    @Override
    public byte[] wrapKey(byte[] plaintext, KeyScope scope) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(scope.associatedData());
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw failure("wrapping the keyset key", e);
        }
    }

    @Override
    public byte[] unwrapKey(byte[] wrapped, KeyScope scope) {
        if (wrapped.length <= IV_BYTES + TAG_BITS / 8) {
            throw new KeyProviderException(reference(), keyName(), "unwrapping the keyset", KeyProviderException.Failure.BAD_CIPHERTEXT,
                    "too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, wrapped, 0, IV_BYTES));
            cipher.updateAAD(scope.associatedData());
            return cipher.doFinal(wrapped, IV_BYTES, wrapped.length - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new KeyProviderException(reference(), keyName(), "unwrapping the keyset", KeyProviderException.Failure.BAD_CIPHERTEXT,
                    "authentication failed in the token", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw failure("unwrapping the keyset", e);
        }
    }

    private KeyProviderException failure(String operation, Exception e) {
        String r = reason(e, null);
        KeyProviderException.Failure f = r != null && (r.contains("CKR_DEVICE") || r.contains("CKR_TOKEN_NOT_PRESENT")
                || r.contains("CKR_SESSION")) ? KeyProviderException.Failure.UNREACHABLE
                : r != null && r.contains("CKR_USER_NOT_LOGGED_IN") ? KeyProviderException.Failure.ACCESS_DENIED
                : KeyProviderException.Failure.FAILED;
        return new KeyProviderException(reference(), keyName(), operation, f, r == null ? e.getClass().getSimpleName() : r, e);
    }

    /** The PKCS#11 return code (CKR_...) found in the exception chain, else {@code fallback}. */
    private static String reason(Throwable e, String fallback) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                Matcher m = CKR.matcher(t.getMessage());
                if (m.find()) {
                    return m.group();
                }
            }
        }
        return fallback;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String clean(String s) {
        return KeyProviderException.clean(s);
    }

    /**
     * Nothing to release that others may not still use: SunPKCS11 shares one login per library and
     * token in a process, so a logout here would log out every other user of the token.
     */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "Pkcs11KeyProvider[" + reference() + "]";
    }
}
