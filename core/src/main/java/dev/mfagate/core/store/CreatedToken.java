package dev.mfagate.core.store;

import java.util.Objects;

/**
 * A token just created: its {@link TokenInfo} and the plaintext token, which exists only here and is
 * shown to the operator once; the store keeps only its SHA-256.
 *
 * <p>A final class, not a record, because it holds a secret: {@link #toString()} shows the info
 * only and there is no {@code equals}. Immutable and thread-safe. Java strings cannot be cleared, so
 * drop the reference as soon as the token has been shown.
 */
public final class CreatedToken {

    private final TokenInfo info;
    private final String plaintext;

    CreatedToken(TokenInfo info, String plaintext) {
        this.info = Objects.requireNonNull(info, "info");
        this.plaintext = Objects.requireNonNull(plaintext, "plaintext");
    }

    /** The token's public description. */
    public TokenInfo info() {
        return info;
    }

    /** The token, {@code mfg_<id>_<43 characters of base64url>}, to give to its holder once. */
    public String plaintext() {
        return plaintext;
    }

    /** Shows the info, never the token. */
    @Override
    public String toString() {
        return "CreatedToken[" + info + ", token hidden]";
    }
}
