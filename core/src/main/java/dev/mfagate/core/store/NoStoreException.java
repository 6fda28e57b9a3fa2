package dev.mfagate.core.store;

/**
 * The database named holds no mfagate store (no mfagate schema), and opening it was not meant to
 * make one: the message names the database (never a password) and says to run {@code mfagate init}.
 * Nothing was written to the database.
 */
public final class NoStoreException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** A refusal whose {@code message} is one sentence for the operator. */
    public NoStoreException(String message) {
        super(message);
    }
}
