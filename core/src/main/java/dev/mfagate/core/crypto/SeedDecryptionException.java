package dev.mfagate.core.crypto;

import dev.mfagate.core.Label;

/**
 * A stored seed could not be opened. This is never an expected outcome: it means the row was
 * tampered with or moved from another label, or the keyring is not the one the store was written
 * with.
 *
 * <p>The message names the label, its version and what failed; it never contains key material,
 * ciphertext or seed bytes.
 */
public final class SeedDecryptionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a seed did not open. */
    public enum Reason {
        /** Authentication failed: the ciphertext or its wrapped key was made for another label or version, or altered. */
        NOT_THIS_LABEL,
        /** The data key is wrapped under a KEK id the keyring does not hold. */
        KEK_NOT_HELD,
        /** Authentication passed but the record inside is not a valid seed record (a bug or an unknown format). */
        MALFORMED_RECORD
    }

    private final transient Label label;
    private final int version;
    private final Reason reason;

    SeedDecryptionException(Label label, int version, Reason reason, String message) {
        super(message);
        this.label = label;
        this.version = version;
        this.reason = reason;
    }

    static SeedDecryptionException notThisLabel(Label label, int version) {
        return new SeedDecryptionException(label, version, Reason.NOT_THIS_LABEL,
                "The stored ciphertext of seed '" + label + "' (version " + version
                        + ") does not belong to it: authentication failed, so it was moved from another"
                        + " label or version, or altered");
    }

    static SeedDecryptionException kekNotHeld(Label label, int version, String kekId) {
        return new SeedDecryptionException(label, version, Reason.KEK_NOT_HELD,
                "The data key of seed '" + label + "' (version " + version + ") is wrapped under KEK "
                        + kekId + ", which the current keyset does not hold; is it the keyset this store"
                        + " was created with, or was the key rotated elsewhere?");
    }

    static SeedDecryptionException malformed(Label label, int version, String rule) {
        return new SeedDecryptionException(label, version, Reason.MALFORMED_RECORD,
                "The decrypted record of seed '" + label + "' (version " + version + ") is malformed: " + rule);
    }

    /** The label whose seed did not open. */
    public Label label() {
        return label;
    }

    /** The seed version that did not open. */
    public int version() {
        return version;
    }

    /** What failed. */
    public Reason reason() {
        return reason;
    }
}
