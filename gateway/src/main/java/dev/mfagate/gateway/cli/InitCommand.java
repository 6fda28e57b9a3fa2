package dev.mfagate.gateway.cli;

import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mfagate init}: creates the key-encryption keyset (mode 0600) and the store: the SQLite
 * file in the data directory, or, with {@code --database}, the schema in PostgreSQL while the
 * keyset stays in the data directory.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create the store and its key-encryption keyset; refuses to overwrite either.",
                "With --database URL the schema goes to PostgreSQL and the keyset stays in --data-dir; further instances"
                        + " get a copy of that keyset (or MFAGATE_KEYSET), never a new init.",
                "With --kek pkcs11:...|awskms:...|transit:... the keyset is kept in the database, wrapped under that"
                        + " provider's key; every instance then needs only the provider's credentials."})
final class InitCommand implements Callable<Integer> {

    private final CliContext cli;

    InitCommand(CliContext cli) {
        this.cli = cli;
    }

    @Mixin
    StoreOptions store;

    @Option(names = "--kek", paramLabel = "WHERE", defaultValue = "file",
            description = {"Where the key-encryption key lives (env MFAGATE_KEK; default ${DEFAULT-VALUE}).",
                    "file: keyset.json.",
                    "pkcs11:object=LABEL;slot-id=N?module-path=LIB: a PKCS#11 HSM, PIN in MFAGATE_PKCS11_PIN.",
                    "awskms:KEY-ARN: AWS KMS, credentials as usual.",
                    "transit:https://VAULT:8200/MOUNT/KEY: Vault Transit, VAULT_TOKEN or AppRole."})
    @EnvironmentDefault("MFAGATE_KEK")
    String kek;

    @Override
    public Integer call() {
        try (Store s = store.init(kek)) {
            if (!KeyProviders.isFile(s.keyring().providerReference())) {
                cli.out().println("Initialised " + store.describe() + "; its keyset is kept in the database, wrapped by "
                        + s.keyring().providerReference() + " (no keyset file). Every instance needs that provider's"
                        + " credentials; without the provider's key the database opens nothing.");
            } else if (!store.hasDatabaseUrl()) {
                cli.out().println("Initialised store in " + store.dataDir().toAbsolutePath()
                        + " (keyset.json is the key to every seed: back it up separately, mode 0600).");
            } else if (StoreOpener.environmentKeyring(cli.env()).isPresent()) {
                cli.out().println("Initialised " + store.describe() + " for the keyset in " + Keyring.ENVIRONMENT_VARIABLE
                        + "; give every instance the same value.");
            } else {
                cli.out().println("Initialised " + store.describe() + "; its keyset is "
                        + store.dataDir().toAbsolutePath().resolve(Store.KEYSET_FILE_NAME)
                        + " (back it up separately). Give every further instance a copy (mode 0600) or set "
                        + Keyring.ENVIRONMENT_VARIABLE + " to its content.");
            }
            cli.out().println("Next: 'mfagate token create --name NAME' and 'mfagate seed add LABEL'.");
        }
        return ExitCodes.OK;
    }
}
