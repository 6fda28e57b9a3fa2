package dev.mfagate.core.store;

/**
 * Told each step of a key rotation or migration as it is reached: {@code keyset-saved} (the keyset
 * with the new KEK is stored; nothing in the database changed yet), {@code rewrapping i/n} (inside
 * the re-wrap transaction, before row i is re-wrapped) and {@code rewrapped} (committed). Progress
 * output uses it; the tests use it to stop a rotation at each step. Called on the rotating thread.
 */
@FunctionalInterface
public interface RotationListener {

    /** A listener that does nothing. */
    RotationListener NONE = step -> { };

    /** The rotation reached {@code step}. */
    void step(String step);
}
