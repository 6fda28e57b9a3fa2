package dev.mfagate.core.crypto;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The providers a KEK can live in, by the reference {@code mfagate init --kek} and {@code mfagate
 * keys migrate --to} take:
 *
 * <table>
 *   <caption>key provider references</caption>
 *   <tr><th>reference</th><th>credentials (environment)</th></tr>
 *   <tr><td>{@code file}</td><td>none: {@code keyset.json} or {@code MFAGATE_KEYSET} holds the keyset in clear</td></tr>
 *   <tr><td>{@code pkcs11:object=LABEL;slot-id=N?module-path=/usr/lib/softhsm/libsofthsm2.so}
 *       (RFC 7512 syntax; {@code slot-list-index=N} instead of {@code slot-id})</td>
 *       <td>{@code MFAGATE_PKCS11_PIN} or {@code MFAGATE_PKCS11_PIN_FILE}</td></tr>
 *   <tr><td>{@code awskms:arn:aws:kms:REGION:ACCOUNT:key/ID} (or a key id, {@code alias/NAME}, an alias ARN)</td>
 *       <td>the AWS default chain; {@code AWS_REGION} when the reference has none; {@code AWS_ENDPOINT_URL_KMS}</td></tr>
 *   <tr><td>{@code transit:https://vault.example:8200/MOUNT/KEY}</td>
 *       <td>{@code VAULT_TOKEN}, or AppRole {@code VAULT_ROLE_ID} and {@code VAULT_SECRET_ID}; {@code VAULT_NAMESPACE}</td></tr>
 * </table>
 *
 * <p>A reference never holds a secret (a PIN in a PKCS#11 URI is refused): it is stored in the
 * database beside the wrapped keyset. Stateless and thread-safe.
 */
public final class KeyProviders {

    /** The reference of the keyset file (no provider). */
    public static final String FILE = "file";

    private KeyProviders() {
    }

    /**
     * Validates {@code reference} and returns its canonical form (what the store records).
     *
     * @throws IllegalArgumentException naming the rule the reference breaks
     */
    public static String normalize(String reference) {
        Objects.requireNonNull(reference, "reference");
        String r = reference.strip();
        String scheme = scheme(r);
        return switch (scheme) {
            case "file" -> {
                if (!r.equalsIgnoreCase(FILE)) {
                    throw new IllegalArgumentException("Invalid --kek; the keyset file is named just 'file'");
                }
                yield FILE;
            }
            case "pkcs11" -> Pkcs11KeyProvider.Config.parse(r).reference();
            case "awskms" -> AwsKmsKeyProvider.Config.parse(r).reference();
            case "transit" -> TransitKeyProvider.Config.parse(r).reference();
            default -> throw unknown(r);
        };
    }

    /** Whether {@code reference} names the keyset file. */
    public static boolean isFile(String reference) {
        return FILE.equalsIgnoreCase(reference.strip());
    }

    /**
     * Opens the provider {@code reference} names, with credentials from {@code environment} (pass
     * {@code System.getenv()}). Nothing is asked of the provider yet beyond what opening needs (a
     * PKCS#11 login, an AppRole login).
     *
     * @throws IllegalArgumentException if the reference is invalid or is {@code file}
     * @throws KeyProviderException if the provider cannot be opened
     */
    public static KeyProvider open(String reference, Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        String r = reference.strip();
        return switch (scheme(r)) {
            case "pkcs11" -> Pkcs11KeyProvider.open(Pkcs11KeyProvider.Config.parse(r), environment);
            case "awskms" -> AwsKmsKeyProvider.open(AwsKmsKeyProvider.Config.parse(r), environment);
            case "transit" -> TransitKeyProvider.open(TransitKeyProvider.Config.parse(r), environment);
            case "file" -> throw new IllegalArgumentException("The keyset file is not a key provider to open");
            default -> throw unknown(r);
        };
    }

    private static String scheme(String r) {
        int colon = r.indexOf(':');
        return (colon < 0 ? r : r.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    private static IllegalArgumentException unknown(String r) {
        // The value is not repeated: a mistyped reference could hold anything, a credential included.
        return new IllegalArgumentException("Invalid --kek; must be file, pkcs11:..., awskms:... or transit:...");
    }
}
