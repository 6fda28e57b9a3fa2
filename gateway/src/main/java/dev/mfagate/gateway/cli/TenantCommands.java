package dev.mfagate.gateway.cli;

import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.Person;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.Tenant;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mfagate tenant|person|member}: tenants, people with their identities, and role bindings,
 * on the store directly (operators). Each change is an {@code ADMIN} audit entry. Output goes
 * to the command line's {@link CliContext} and the time comes from its clock.
 */
final class TenantCommands {

    private TenantCommands() {
    }

    /** Runs {@code change} on an open store's tenant repository; bad input becomes a one-line reason and exit 2. */
    static <T> T withRepo(StoreOptions options, Function<Store, T> change) {
        try (Store s = options.open()) {
            return change.apply(s);
        }
    }

    static <T> T parse(java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage());
        }
    }

    @Command(name = "tenant", mixinStandardHelpOptions = true, description = "Add and list tenants (clients: the label prefix).")
    static final class TenantCommand {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a tenant, such as acme (owns acme-* labels).")
    static final class TenantAdd implements Callable<Integer> {
        private final CliContext cli;

        TenantAdd(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "TENANT", description = "The client part of its labels: [a-z0-9][a-z0-9_.]*.")
        String tenant;

        @Override
        public Integer call() {
            TenantId id = parse(() -> TenantId.parseNew(tenant));
            withRepo(store, s -> {
                if (!new TenantRepository(s.database()).addTenant(id, cli.clock().instant())) {
                    throw UserError.badInput("Tenant " + id + " exists already");
                }
                AdminAudit.record(cli, s, "tenant-add", null, "tenant " + id);
                return null;
            });
            cli.out().println("Added tenant " + id + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants.")
    static final class TenantList implements Callable<Integer> {
        private final CliContext cli;

        TenantList(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            Table table = new Table("TENANT", "CREATED");
            withRepo(store, s -> {
                for (Tenant t : new TenantRepository(s.database()).tenants()) {
                    table.row(t.id(), t.createdAt());
                }
                return null;
            });
            table.print(cli.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "person", mixinStandardHelpOptions = true, description = "Add people, link and unlink their identities, list them.")
    static final class PersonCommand {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a person.")
    static final class PersonAdd implements Callable<Integer> {
        private final CliContext cli;

        PersonAdd(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "ID", description = "Their id, such as ann: [a-z0-9][a-z0-9_.-]*.")
        String id;

        @Parameters(index = "1", paramLabel = "NAME", description = "A display name.")
        String name;

        @Override
        public Integer call() {
            PersonId pid = parse(() -> PersonId.parseNew(id));
            parse(() -> {
                Person.requireDisplayName(name);
                return null;
            });
            withRepo(store, s -> {
                parse(() -> new TenantRepository(s.database()).addPerson(pid, name, cli.clock().instant()));
                AdminAudit.record(cli, s, "person-add", null, "person " + pid);
                return null;
            });
            cli.out().println("Added person " + pid + ".");
            return ExitCodes.OK;
        }
    }

    /** The person and identity that {@code person link} and {@code person unlink} name. */
    static final class IdentityArgs {
        @Parameters(index = "0", paramLabel = "ID", description = "The person's id.")
        String id;

        @Parameters(index = "1", paramLabel = "IDENTITY", description = "zulip:<id>, oidc:<issuer>#<subject> or email:<address>.")
        String identity;

        PersonId person() {
            return parse(() -> new PersonId(id));
        }

        Identity identity() {
            return parse(() -> Identity.parse(identity));
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true,
            description = "Link an identity to a person: zulip:<user id>, oidc:<issuer>#<subject> or email:<verified address>.")
    static final class PersonLink implements Callable<Integer> {
        private final CliContext cli;

        PersonLink(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Mixin
        IdentityArgs args;

        @Override
        public Integer call() {
            PersonId pid = args.person();
            Identity ident = args.identity();
            withRepo(store, s -> {
                if (parse(() -> new TenantRepository(s.database()).link(pid, ident, cli.clock().instant()))) {
                    AdminAudit.record(cli, s, "person-link", null, "person " + pid + " " + ident.kind() + " identity");
                }
                return null;
            });
            cli.out().println("Linked a " + ident.kind() + " identity to " + pid + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "unlink", mixinStandardHelpOptions = true, description = "Unlink an identity from a person.")
    static final class PersonUnlink implements Callable<Integer> {
        private final CliContext cli;

        PersonUnlink(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Mixin
        IdentityArgs args;

        @Override
        public Integer call() {
            PersonId pid = args.person();
            Identity ident = args.identity();
            withRepo(store, s -> {
                if (!new TenantRepository(s.database()).unlink(pid, ident)) {
                    throw UserError.badInput("That identity is not linked to " + pid + "; see mfagate person list");
                }
                AdminAudit.record(cli, s, "person-unlink", null, "person " + pid + " " + ident.kind() + " identity");
                return null;
            });
            cli.out().println("Unlinked a " + ident.kind() + " identity from " + pid + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List people and their identities.")
    static final class PersonList implements Callable<Integer> {
        private final CliContext cli;

        PersonList(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            Table table = new Table("ID", "NAME", "IDENTITIES");
            withRepo(store, s -> {
                for (Person p : new TenantRepository(s.database()).people()) {
                    table.row(p.id(), p.displayName(), String.join(" ", p.identities().stream().map(Identity::text).toList()));
                }
                return null;
            });
            table.print(cli.out());
            return ExitCodes.OK;
        }
    }

    @Command(name = "member", mixinStandardHelpOptions = true,
            description = "Give and take roles: operator, auditor (organisation); admin, approver, member (per tenant).")
    static final class MemberCommand {
    }

    /** The holder, role and tenant that {@code member add} and {@code member remove} name. */
    static final class BindingArgs {
        @Parameters(index = "0", paramLabel = "HOLDER", description = "person:<id>, group:<Zulip group id> or sso-group:<claim>.")
        String holder;

        @Parameters(index = "1", paramLabel = "ROLE", description = "operator, auditor, admin, approver or member.")
        String role;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "The tenant, for admin, approver and member.")
        String tenant;

        /** The binding these name, made by the operator now; bad input is a one-line reason and exit 2. */
        RoleBinding binding(CliContext cli) {
            return parse(() -> {
                Role r = Role.parse(role);
                Scope scope = tenant == null ? Scope.ORGANISATION : TenantId.parse(tenant);
                return new RoleBinding(Holder.parse(holder), r, scope, AdminAudit.operator(cli), cli.clock().instant());
            });
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Give HOLDER a ROLE, in a tenant or the organisation.")
    static final class MemberAdd implements Callable<Integer> {
        private final CliContext cli;

        MemberAdd(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Mixin
        BindingArgs args;

        @Override
        public Integer call() {
            RoleBinding b = args.binding(cli);
            withRepo(store, s -> {
                if (parse(() -> new TenantRepository(s.database()).bind(b))) {
                    AdminAudit.record(cli, s, "member-add", null, b.holder().text() + " " + b.role().text() + " in " + b.scope());
                }
                return null;
            });
            cli.out().println(b.holder().text() + " is " + b.role().text() + " in " + b.scope() + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Take a ROLE from HOLDER.")
    static final class MemberRemove implements Callable<Integer> {
        private final CliContext cli;

        MemberRemove(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Mixin
        BindingArgs args;

        @Override
        public Integer call() {
            RoleBinding b = args.binding(cli);
            withRepo(store, s -> {
                if (!new TenantRepository(s.database()).unbind(b.holder(), b.role(), b.scope())) {
                    throw UserError.badInput(b.holder().text() + " is not " + b.role().text() + " in " + b.scope());
                }
                AdminAudit.record(cli, s, "member-remove", null, b.holder().text() + " " + b.role().text() + " in " + b.scope());
                return null;
            });
            cli.out().println(b.holder().text() + " is no longer " + b.role().text() + " in " + b.scope() + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List role bindings, of one tenant or all.")
    static final class MemberList implements Callable<Integer> {
        private final CliContext cli;

        MemberList(CliContext cli) {
            this.cli = cli;
        }

        @Mixin
        StoreOptions store;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's.")
        String tenant;

        @Override
        public Integer call() {
            TenantId only = tenant == null ? null : parse(() -> TenantId.parse(tenant));
            Table table = new Table("SCOPE", "HOLDER", "ROLE", "BY", "CREATED");
            withRepo(store, s -> {
                TenantRepository repo = new TenantRepository(s.database());
                for (RoleBinding b : only == null ? repo.all() : repo.bindings(only)) {
                    table.row(b.scope(), b.holder().text(), b.role().text(), b.createdBy(), b.createdAt());
                }
                return null;
            });
            table.print(cli.out());
            return ExitCodes.OK;
        }
    }
}
