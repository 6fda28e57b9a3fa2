package dev.mfagate.gateway.cli;

import dev.mfagate.core.Plural;
import dev.mfagate.core.crypto.KeyProviderException;
import dev.mfagate.core.store.KeyRetirement;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.TenantKeyChange;
import dev.mfagate.core.store.TenantKeyStatus;
import dev.mfagate.core.store.TenantKeyUnavailableException;
import dev.mfagate.core.store.TenantKeys;
import dev.mfagate.core.tenant.TenantId;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mfagate keys tenant set|rotate|retire|revoke|list}: a tenant's own key-encryption key,
 * under a provider of its own or the installation's KEK, so that one client's key can be rotated or
 * revoked without touching another's. Each change is one transaction, verified before it commits,
 * and an {@code ADMIN} audit entry; no key material is ever printed.
 */
@Command(name = "tenant", mixinStandardHelpOptions = true,
        description = "Give a tenant its own key-encryption key; rotate, retire or revoke it; list tenant keys.")
final class TenantKeysCommand {

    private TenantKeysCommand() {
    }

    /** Runs {@code change} on an open store, turning provider and tenant-key failures into one line and exit 1. */
    private static <T> T run(StoreOptions options, String refusal, Function<Store, T> change) {
        try (Store s = options.open()) {
            return change.apply(s);
        } catch (KeyProviderException | TenantKeyUnavailableException e) {
            throw UserError.failure(refusal + " (nothing was changed): " + e.getMessage());
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Give TENANT a fresh KEK of its own, kept by PROVIDER, and re-wrap every data key of its seeds"
                    + " under it; all or nothing, verified before the commit. Run again to move it to another provider."})
    static final class Set implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant (the client part of its labels).")
        String tenant;

        @Option(names = "--provider", required = true, paramLabel = "PROVIDER",
                description = {"Where the tenant's KEK is kept:",
                        "keyset: wrapped under the installation's KEK.",
                        "pkcs11:object=LABEL;slot-id=N?module-path=LIB: a PKCS#11 HSM.",
                        "awskms:KEY-ARN: AWS KMS.",
                        "transit:https://VAULT:8200/MOUNT/KEY: Vault Transit.",
                        "Credentials as for --kek; a variable MFAGATE_TENANT_<TENANT>_<NAME> stands for <NAME> for"
                                + " this tenant only."})
        String provider;

        Set(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            TenantId id = TenantCommands.parse(() -> TenantId.parse(tenant));
            String reference = TenantCommands.parse(() -> TenantKeys.normalize(provider));
            TenantKeyChange c = run(store, "Not set", s -> {
                TenantKeyChange change;
                try {
                    change = s.tenantKeys().set(id, reference, cli.env(), KeysCommand.listener(cli));
                } catch (IllegalArgumentException e) {
                    throw UserError.badInput(e.getMessage());
                }
                AdminAudit.record(cli, s, "keys-tenant-set", null, "tenant " + id + ": " + change.fromReference() + " -> "
                        + change.toReference() + "; KEK " + (change.previousKekId().isEmpty() ? "none" : change.previousKekId())
                        + " -> " + change.newKekId() + "; " + change.rewrappedDataKeys() + " data keys");
                return change;
            });
            cli.out().println("Tenant " + id + " now has its own KEK " + c.newKekId() + ", kept by " + c.toReference()
                    + " (was " + c.fromReference() + "); re-wrapped and verified "
                    + Plural.of(c.rewrappedDataKeys(), "data key", "data keys") + ". Codes are unchanged.");
            if (!"keyset".equals(c.toReference())) {
                cli.out().println("Every instance now needs the credentials of " + c.toReference()
                        + " to serve tenant " + id + "; without them only this tenant's codes are refused.");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Make a new KEK for TENANT and re-wrap every data key of its seeds with it, in one transaction.",
                    "The older KEKs stay in the tenant's keyset until 'keys tenant retire'."})
    static final class Rotate implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant.")
        String tenant;

        Rotate(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            TenantId id = TenantCommands.parse(() -> TenantId.parse(tenant));
            TenantKeyChange c = run(store, "Not rotated", s -> {
                TenantKeyChange change = s.tenantKeys().rotate(id, KeysCommand.listener(cli));
                AdminAudit.record(cli, s, "keys-tenant-rotate", null, "tenant " + id + ": KEK " + change.previousKekId()
                        + " -> " + change.newKekId() + "; " + change.rewrappedDataKeys() + " data keys");
                return change;
            });
            cli.out().println("Rotated tenant " + id + "'s KEK (" + c.previousKekId() + " -> " + c.newKekId() + "); re-wrapped "
                    + Plural.of(c.rewrappedDataKeys(), "data key", "data keys") + ". Codes are unchanged.");
            cli.out().println("Other instances reload it from the database; then run 'mfagate keys tenant retire " + id + "'.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Remove every KEK but the current one from TENANT's keyset, once none of its data keys is wrapped under one.")
    static final class Retire implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant.")
        String tenant;

        Retire(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            TenantId id = TenantCommands.parse(() -> TenantId.parse(tenant));
            KeyRetirement r = run(store, "Not retired", s -> {
                KeyRetirement retirement = s.tenantKeys().retire(id);
                if (!retirement.retiredKekIds().isEmpty()) {
                    AdminAudit.record(cli, s, "keys-tenant-retire", null, "tenant " + id + ": retired "
                            + String.join(",", retirement.retiredKekIds().stream().sorted().toList())
                            + "; kept " + retirement.primaryKekId());
                }
                return retirement;
            });
            if (r.retiredKekIds().isEmpty()) {
                cli.out().println("Nothing to retire: tenant " + id + "'s keyset holds only KEK " + r.primaryKekId() + ".");
            } else {
                cli.out().println("Retired " + Plural.of(r.retiredKekIds().size(), "older KEK", "older KEKs") + " of tenant " + id
                        + "; its keyset holds only KEK " + r.primaryKekId() + ".");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke TENANT's own key: its wrapped keyset is erased, so its seeds open nowhere any more and"
                    + " their codes are refused (503 tenant_key_revoked) on every instance; no other tenant is touched.",
                    "Irreversible: needs --yes."})
    static final class Revoke implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "TENANT", description = "The tenant.")
        String tenant;

        @Option(names = "--yes", description = "Revoke: the tenant's seeds can no longer be opened, by anyone.")
        boolean yes;

        Revoke(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            TenantId id = TenantCommands.parse(() -> TenantId.parse(tenant));
            if (!yes) {
                // A tenant that does not exist, or has no key of its own, is said to be so before any confirmation.
                run(store, "Not revoked", s -> {
                    s.tenantKeys().checkRevocable(id);
                    return null;
                });
                throw UserError.badInput("Revoking tenant " + id + "'s key makes its seeds unreadable for good;"
                        + " run again with --yes to do it");
            }
            int seeds = run(store, "Not revoked", s -> {
                int n = s.tenantKeys().revoke(id);
                AdminAudit.record(cli, s, "keys-tenant-revoke", null, "tenant " + id + "; " + Plural.of(n, "seed", "seeds") + " no longer open" + (n == 1 ? "s" : ""));
                return n;
            });
            cli.out().println("Revoked tenant " + id + "'s key; " + (seeds == 1 ? "its 1 seed no longer opens and its code is"
                    : "its " + seeds + " seeds no longer open and their codes are") + " refused. Other tenants are unchanged.");
            cli.out().println("To serve tenant " + id + " again: remove its seeds, run 'mfagate keys tenant set " + id
                    + " --provider ...', and add them again.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenants that have a key of their own.")
    static final class ListKeys implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        ListKeys(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Table table = new Table("TENANT", "PROVIDER", "KEK", "STATE");
            run(store, "Not listed", s -> {
                s.tenantKeys().loadAll();
                for (TenantKeyStatus t : s.tenantKeys().list()) {
                    table.row(t.tenant(), t.reference(), t.revoked() ? "-" : t.primaryKekId(), t.health());
                }
                return null;
            });
            table.print(cli.out());
            return ExitCodes.OK;
        }
    }
}
