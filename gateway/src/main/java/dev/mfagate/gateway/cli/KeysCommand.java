package dev.mfagate.gateway.cli;

import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.store.KeyMigration;
import dev.mfagate.core.store.KeyRetirement;
import dev.mfagate.core.Plural;
import dev.mfagate.core.store.KeyRotation;
import dev.mfagate.core.store.RotationListener;
import dev.mfagate.core.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mfagate keys rotate|retire|migrate|tenant}: a new key-encryption key with every data key
 * re-wrapped; the older KEKs dropped once nothing needs them; the keys moved to another provider.
 * Seeds are never touched.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage the key-encryption key.")
final class KeysCommand {

    /**
     * Test hook: with {@code -Dmfagate.test.rotationPauseAt=STEP} each rotation step is printed to
     * standard error ({@code keys: step <name>}) and the process stops for a minute at STEP, so that a
     * test can kill it exactly there. Not a setting: nothing documents it to operators.
     */
    static final String PAUSE_PROPERTY = "mfagate.test.rotationPauseAt";

    static RotationListener listener(CliContext cli) {
        String pauseAt = System.getProperty(PAUSE_PROPERTY);
        if (pauseAt == null) {
            return RotationListener.NONE;
        }
        return step -> {
            cli.err().println("keys: step " + step);
            cli.err().flush();
            if (step.equals(pauseAt)) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Make a new key-encryption key and re-wrap every data key with it. Codes are unchanged.",
                    "The older KEKs stay in the keyset for unwrapping until 'keys retire'."})
    static final class Rotate implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        Rotate(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                KeyRotation r = s.rotateKeys(listener(cli));
                AdminAudit.record(cli, s, "keys-rotate", null, r.previousKekId() + " -> " + r.newKekId());
                cli.out().println("Rotated the key-encryption key (" + r.previousKekId() + " -> " + r.newKekId()
                        + "); re-wrapped " + Plural.of(r.rewrappedDataKeys(), "data key", "data keys") + ". Seeds and codes are unchanged.");
                cli.out().println("The old KEK stays for unwrapping; once every instance has the new keyset"
                        + (KeyProviders.isFile(s.keyring().providerReference()) ? " (copy keyset.json to other hosts)"
                        : " (they reload it from the database)") + ", run 'mfagate keys retire'.");
            } catch (KeyProviderException e) {
                throw UserError.failure("Not rotated: " + e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = {"Remove every KEK but the current one from the keyset, once no data key is wrapped under one.",
                    "Run it after 'keys rotate', when every instance has the new keyset."})
    static final class Retire implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        Retire(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                KeyRetirement r = s.retireKeys();
                if (r.retiredKekIds().isEmpty()) {
                    cli.out().println("Nothing to retire: the keyset holds only KEK " + r.primaryKekId() + ".");
                    return ExitCodes.OK;
                }
                AdminAudit.record(cli, s, "keys-retire", null, "retired " + String.join(",", r.retiredKekIds().stream().sorted().toList())
                        + "; kept " + r.primaryKekId());
                cli.out().println("Retired " + Plural.of(r.retiredKekIds().size(), "older KEK", "older KEKs") + "; the keyset holds only KEK "
                        + r.primaryKekId() + ".");
            } catch (KeyProviderException e) {
                throw UserError.failure("Not retired: " + e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Move the keys to another place: a new KEK, every data key re-wrapped under it, the keyset"
                    + " (KEKs and audit key) kept by the new provider; all or nothing, verified before the commit.")
    static final class Migrate implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Option(names = "--to", required = true, paramLabel = "WHERE",
                description = "file, pkcs11:object=LABEL;slot-id=N?module-path=LIB, awskms:KEY-ARN or transit:https://VAULT:8200/MOUNT/KEY.")
        String to;

        Migrate(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String target;
            try {
                target = KeyProviders.normalize(to);
            } catch (IllegalArgumentException e) {
                // The reference's rules are worded for init's --kek; here it was given as --to.
                throw UserError.badInput(e.getMessage().replace("--kek", "--to"));
            }
            try (Store s = store.open()) {
                KeyMigration m;
                try {
                    m = s.migrateKeys(target, cli.env(),
                            store.dataDir().toAbsolutePath().resolve(Store.KEYSET_FILE_NAME), listener(cli));
                } catch (IllegalArgumentException e) {
                    throw UserError.badInput(e.getMessage());
                }
                AdminAudit.record(cli, s, "keys-migrate", null, m.fromReference() + " -> " + m.toReference() + "; KEK "
                        + m.previousKekId() + " -> " + m.newKekId() + "; " + m.rewrappedDataKeys() + " data keys");
                cli.out().println("Moved the keys from " + m.fromReference() + " to " + m.toReference() + "; new KEK "
                        + m.newKekId() + "; re-wrapped and verified " + Plural.of(m.rewrappedDataKeys(), "data key", "data keys") + ". Codes are unchanged.");
                m.movedKeysetFile().ifPresent(p -> cli.out().println("The old keyset file is now " + p
                        + ": it opens only backups made before this move; keep it offline or destroy it."));
                if (KeyProviders.isFile(m.toReference())) {
                    cli.out().println("The keyset is now " + store.dataDir().toAbsolutePath().resolve(Store.KEYSET_FILE_NAME)
                            + " (mode 0600): back it up separately; other instances need a copy.");
                } else {
                    cli.out().println("Every instance now needs the credentials of " + m.toReference()
                            + (KeyProviders.isFile(m.fromReference()) ? " and no keyset file or MFAGATE_KEYSET" : "") + ".");
                }
            } catch (KeyProviderException e) {
                throw UserError.failure("Not migrated (nothing was changed): " + e.getMessage());
            }
            return ExitCodes.OK;
        }
    }
}
