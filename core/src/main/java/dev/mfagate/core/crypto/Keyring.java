package dev.mfagate.core.crypto;

import java.nio.file.Path;
import java.util.Map;

/**
 * The keys of one mfagate installation: the key-encryption key set (KEK, Tink AEAD AES256_GCM) that
 * wraps every seed's data key, and the audit-chain MAC key set (Tink HMAC_SHA256_256BITTAG).
 *
 * <p>Both live in one JSON document ({@code {"format":"mfagate-keyset/1","kek":{..},"audit_mac":{..}}},
 * each member a cleartext Tink JSON keyset), which is itself the secret. Sources:
 * <ul>
 *   <li>{@link #createFile(Path)} / {@link #openFile(Path)}: the {@code keyset.json} file that
 *       {@code mfagate init} writes, mode 0600. Supports rotation; picks up a rotation done by
 *       another process on {@link #refresh()}.</li>
 *   <li>{@link #fromEnvironment(Map)}: the {@value #ENVIRONMENT_VARIABLE} variable (the same JSON,
 *       or base64 of it), for containers. Read-only.</li>
 *   <li>{@link #fromProvider}: a keyset kept wrapped under a {@link KeyProvider}'s key (a PKCS#11
 *       HSM, AWS KMS, Vault/OpenBao Transit) in the store's database; unwrapped once at start, reloaded
 *       when another process changed it.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe; {@link #kek()} and {@link #auditMac()} are cheap (cached
 * primitives) and may be called on every request. Rotation is driven by the store
 * ({@code Store#rotateKeys()}), which calls {@link #addPrimaryKek()} and re-wraps the data keys; the
 * older KEKs stay for unwrapping until {@code Store#retireKeys()} calls {@link #retireNonPrimaryKeks()},
 * so instances that have not reloaded yet keep serving. Out of scope: rotating the audit MAC key (old
 * audit entries must stay verifiable, so its old keys are never dropped here).
 */
public interface Keyring {

    /** The environment variable {@link #fromEnvironment(Map)} reads. */
    String ENVIRONMENT_VARIABLE = "MFAGATE_KEYSET";

    /** The current KEK snapshot; a new object after every change of keys. */
    Kek kek();

    /** The audit-chain MAC. */
    ChainMac auditMac();

    /** Where the keys come from, for messages (never contains key material). */
    String description();

    /** The keys as they are now (for moving them to another provider). */
    Keyset keyset();

    /**
     * Where the KEK lives, as {@code init --kek} names it: {@value KeyProviders#FILE} for the keyset
     * file (or {@value #ENVIRONMENT_VARIABLE}), else the provider reference.
     */
    default String providerReference() {
        return KeyProviders.FILE;
    }

    /**
     * A cheap check that the keys' provider still answers (for readiness): {@code ok}, or what
     * failed. The file keyring has nothing to ask and answers {@code ok}.
     */
    default String checkProvider() {
        return "ok";
    }

    /** Releases the provider's resources (a no-op for files). */
    default void close() {
    }

    /**
     * Reloads the keys from their source if it changed since they were read (for example a key
     * rotation done by the CLI while the gateway runs).
     *
     * @return whether the keys changed
     */
    default boolean refresh() {
        return false;
    }

    /** Whether this keyring can rotate its KEK ({@link #addPrimaryKek()}, {@link #retireNonPrimaryKeks()}). */
    default boolean supportsRotation() {
        return false;
    }

    /**
     * Rotation step 1: adds a fresh KEK as primary, keeps every older one, and persists the result
     * before returning, so that a crash later in the rotation cannot lose access.
     *
     * @throws UnsupportedOperationException for read-only sources
     */
    default void addPrimaryKek() {
        throw new UnsupportedOperationException("The keyset from " + description()
                + " is read-only; rotate it where it is kept");
    }

    /**
     * Rotation step 3: removes (destroys) every KEK except the primary and persists the result. Call
     * only once no data key is wrapped under an older KEK any more.
     *
     * @throws UnsupportedOperationException for read-only sources
     */
    default void retireNonPrimaryKeks() {
        throw new UnsupportedOperationException("The keyset from " + description()
                + " is read-only; rotate it where it is kept");
    }

    /**
     * Loads and initialises, without reading any keyset, what reading one needs (Tink's AES-GCM and
     * HMAC registrations): for a start-up thread that runs while the command line is parsed, so that
     * the keyset is read sooner. Idempotent and thread-safe; a failure here shows again, and is
     * reported, where a keyset is read.
     */
    static void preload() {
        KeysetDocument.preload();
    }

    /**
     * Generates a new keyset and writes it to {@code file}, created with mode 0600 from the start and
     * moved into place atomically.
     *
     * @throws IllegalStateException if {@code file} already exists (it is never overwritten)
     */
    static Keyring createFile(Path file) {
        return FileKeyring.create(file);
    }

    /**
     * Reads the keyset file written by {@link #createFile(Path)}.
     *
     * @throws IllegalStateException if it is missing, readable by group or others, or not a keyset
     */
    static Keyring openFile(Path file) {
        return FileKeyring.open(file);
    }

    /**
     * Reads {@value #ENVIRONMENT_VARIABLE} from {@code environment} (pass {@code System.getenv()}):
     * the keyset JSON itself, or its base64 (standard or URL alphabet).
     *
     * @throws IllegalArgumentException if the variable is missing or not a keyset (the message never
     *     repeats its value)
     */
    static Keyring fromEnvironment(Map<String, String> environment) {
        String value = environment.get(ENVIRONMENT_VARIABLE);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Environment variable " + ENVIRONMENT_VARIABLE
                    + " is not set; it must hold the keyset JSON (or its base64)");
        }
        return StaticKeyring.fromText(value, "environment variable " + ENVIRONMENT_VARIABLE);
    }

    /**
     * The keyring whose keyset is kept in {@code storage}, wrapped under {@code provider}'s key:
     * unwraps it now (one provider call). The keyring owns the provider and closes it.
     *
     * @throws KeyProviderException if the provider refuses or cannot be reached
     */
    static Keyring fromProvider(KeyProvider provider, KeysetStorage storage, KeyScope scope) {
        return ProviderKeyring.open(provider, storage, scope);
    }

    /**
     * A read-only keyring from keyset JSON text (or its base64), for example a keyset file's content.
     *
     * @param description where the text came from, for messages
     */
    static Keyring fromJson(String json, String description) {
        return StaticKeyring.fromText(json, description);
    }
}
