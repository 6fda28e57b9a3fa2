package dev.mfagate.core.store;

import dev.mfagate.core.Label;

/**
 * A seed was added under a label that is already taken (in the store, or twice in one batch).
 * Nothing was stored. The message names the label.
 */
public final class DuplicateLabelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Label label;

    DuplicateLabelException(Label label, String where) {
        super("Label '" + label + "' " + where + "; nothing was added (remove it first to replace it)");
        this.label = label;
    }

    /** The label that was already taken. */
    public Label label() {
        return label;
    }
}
