package dev.mfagate.gateway.cli;

import dev.mfagate.core.Plural;
import dev.mfagate.core.store.KeyRotation;
import dev.mfagate.core.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mfagate keys rotate}: a new key-encryption key; every data key re-wrapped; seeds untouched. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage the key-encryption key.",
        subcommands = KeysCommand.Rotate.class)
final class KeysCommand {

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Make a new key-encryption key and re-wrap every data key with it. Codes are unchanged.")
    static final class Rotate implements Callable<Integer> {
        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                KeyRotation r = s.rotateKeys();
                AdminAudit.record(s, "keys-rotate", null, r.previousKekId() + " -> " + r.newKekId());
                System.out.println("Rotated the key-encryption key (" + r.previousKekId() + " -> " + r.newKekId()
                        + "); re-wrapped " + Plural.of(r.rewrappedDataKeys(), "data key", "data keys") + ". Seeds and codes are unchanged.");
            }
            return ExitCodes.OK;
        }
    }
}
