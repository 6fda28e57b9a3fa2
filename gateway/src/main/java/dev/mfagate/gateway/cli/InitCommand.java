package dev.mfagate.gateway.cli;

import dev.mfagate.core.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mfagate init}: creates the data directory, the key-encryption keyset (mode 0600) and the store. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create the store and its key-encryption keyset; refuses to overwrite either.")
final class InitCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        try (Store s = Store.init(store.dataDir())) {
            System.out.println("Initialised store in " + store.dataDir().toAbsolutePath()
                    + " (keyset.json is the key to every seed: back it up separately, mode 0600).");
            System.out.println("Next: 'mfagate token create --name NAME' and 'mfagate seed add LABEL'.");
        }
        return ExitCodes.OK;
    }
}
