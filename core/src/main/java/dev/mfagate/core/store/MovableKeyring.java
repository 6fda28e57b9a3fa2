package dev.mfagate.core.store;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.crypto.Kek;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.crypto.Keyset;
import java.util.Objects;

/** The store's keyring, which a key migration replaces in place (file to HSM, KMS to file, ...). */
final class MovableKeyring implements Keyring {

    private volatile Keyring current;

    MovableKeyring(Keyring initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    /** Switches to {@code next}; returns the keyring it replaced (the caller closes it). */
    Keyring replace(Keyring next) {
        Keyring old = current;
        current = Objects.requireNonNull(next, "next");
        return old;
    }

    @Override
    public Kek kek() {
        return current.kek();
    }

    @Override
    public ChainMac auditMac() {
        return current.auditMac();
    }

    @Override
    public String description() {
        return current.description();
    }

    @Override
    public Keyset keyset() {
        return current.keyset();
    }

    @Override
    public String providerReference() {
        return current.providerReference();
    }

    @Override
    public String checkProvider() {
        return current.checkProvider();
    }

    @Override
    public boolean refresh() {
        return current.refresh();
    }

    @Override
    public boolean supportsRotation() {
        return current.supportsRotation();
    }

    @Override
    public void addPrimaryKek() {
        current.addPrimaryKek();
    }

    @Override
    public void retireNonPrimaryKeks() {
        current.retireNonPrimaryKeks();
    }

    @Override
    public void close() {
        current.close();
    }

    @Override
    public String toString() {
        return current.toString();
    }
}
