package dev.mfagate.gateway.cli;

import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code mfagate init}: creates the key-encryption keyset (mode 0600) and the store: the SQLite
 * file in the data directory, or, with {@code --database}, the schema in PostgreSQL while the
 * keyset stays in the data directory.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create the store and its key-encryption keyset; refuses to overwrite either.",
                "With --database URL the schema goes to PostgreSQL and the keyset stays in --data-dir; further instances"
                        + " get a copy of that keyset (or MFAGATE_KEYSET), never a new init."})
final class InitCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        try (Store s = store.init()) {
            if (!store.hasDatabaseUrl()) {
                System.out.println("Initialised store in " + store.dataDir().toAbsolutePath()
                        + " (keyset.json is the key to every seed: back it up separately, mode 0600).");
            } else if (StoreOpener.environmentKeyring().isPresent()) {
                System.out.println("Initialised " + store.describe() + " for the keyset in " + Keyring.ENVIRONMENT_VARIABLE
                        + "; give every instance the same value.");
            } else {
                System.out.println("Initialised " + store.describe() + "; its keyset is "
                        + store.dataDir().toAbsolutePath().resolve(Store.KEYSET_FILE_NAME)
                        + " (back it up separately). Give every further instance a copy (mode 0600) or set "
                        + Keyring.ENVIRONMENT_VARIABLE + " to its content.");
            }
            System.out.println("Next: 'mfagate token create --name NAME' and 'mfagate seed add LABEL'.");
        }
        return ExitCodes.OK;
    }
}
