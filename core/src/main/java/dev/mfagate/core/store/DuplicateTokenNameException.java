package dev.mfagate.core.store;

/** A token was created with a name that is already taken. Nothing was stored. The message names the name. */
public final class DuplicateTokenNameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String name;

    DuplicateTokenNameException(String name) {
        super("Token name '" + name + "' is already taken; names must be unique");
        this.name = name;
    }

    /** The name that was already taken. */
    public String name() {
        return name;
    }
}
