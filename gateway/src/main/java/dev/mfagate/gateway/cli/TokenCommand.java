package dev.mfagate.gateway.cli;

import dev.mfagate.core.Expiry;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.store.DuplicateTokenNameException;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.TokenInfo;
import dev.mfagate.core.store.TokenRepository;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mfagate token create|list|revoke}: API tokens for callers of the gateway. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create, list and revoke API tokens.")
final class TokenCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token and print it once; only its hash is stored.")
    static final class Create implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "A unique name, such as zulip-bot or ci-deploy.")
        String name;

        @Option(names = "--labels", paramLabel = "PATTERN",
                description = "The labels this token may ever reach, a glob such as acme-*. Required with --on-behalf;"
                        + " a plain token without it reaches every label (*).")
        String labels;

        @Option(names = "--expires", paramLabel = "DURATION", converter = Durations.class,
                description = "Expire after this long, for example 90d or 12h.")
        Duration expires;

        @Option(names = "--on-behalf", description = "Allow this token to ask on behalf of Zulip users (the bot's token).")
        boolean onBehalf;

        @Option(names = "--tenant", paramLabel = "TENANT",
                description = "The tenant that owns the token; its labels must stay inside it (default: the labels' tenant,"
                        + " else the organisation).")
        String tenant;

        @Option(names = "--role", paramLabel = "ROLE",
                description = "An admin token holding ROLE on the admin API: operator or auditor (organisation),"
                        + " or admin, approver or member of --tenant. Without it, a code token.")
        String role;

        Create(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String stored;
            try {
                stored = TokenInfo.newName(name);
            } catch (IllegalArgumentException e) {
                throw UserError.badInput(e.getMessage());
            }
            if (onBehalf && labels == null) {
                // A delegating token's scope caps every rule of every Zulip user it speaks for: no silent '*'.
                throw UserError.badInput("A token created with --on-behalf needs --labels PATTERN: the labels the bot may ever"
                        + " fetch for anyone, for example --labels 'acme-*' (--labels '*' if it really is every label)");
            }
            LabelPattern pattern;
            try {
                pattern = LabelPattern.parse(labels == null ? "*" : labels);
            } catch (IllegalArgumentException e) {
                throw UserError.badInput(e.getMessage());
            }
            Optional<Role> tokenRole;
            Scope owner;
            try {
                tokenRole = Optional.ofNullable(role).map(Role::parse);
                owner = tenant != null ? TenantId.parse(tenant)
                        : tokenRole.filter(r -> !r.isOrganisational()).isPresent() ? null : Scope.of(pattern);
                if (owner == null) {
                    throw new IllegalArgumentException("Role " + tokenRole.get().text() + " is a tenant role; give --tenant TENANT");
                }
                if (tenant == null && tokenRole.filter(Role::isOrganisational).isPresent()) {
                    // An organisation role without --tenant: the token is the organisation's, whatever its labels.
                    owner = Scope.ORGANISATION;
                }
                if (tenant != null && labels == null) {
                    pattern = LabelPattern.parse(owner.toColumn() + "-*");
                }
            } catch (IllegalArgumentException e) {
                throw UserError.badInput(e.getMessage());
            }
            Instant now = cli.clock().instant();
            Optional<Instant> expiresAt;
            try {
                expiresAt = Optional.ofNullable(expires).map(d -> Expiry.after(now, d, "--expires"));
            } catch (IllegalArgumentException e) {
                throw UserError.badInput(e.getMessage());
            }
            try (Store s = store.open()) {
                CreatedToken t = s.tokens().create(stored, pattern.value(), onBehalf, expiresAt, now, owner, tokenRole);
                AdminAudit.record(cli, s, "token-create", null, "token " + t.info().id() + " '" + t.info().name() + "' labels " + pattern.value()
                        + (onBehalf ? " on-behalf" : "") + "; tenant " + owner
                        + tokenRole.map(r -> "; role " + r.text()).orElse(""));
                cli.err().println("Token '" + stored + "' (id " + t.info().id()
                        + (stored.equals(name) ? "" : "; names are kept in lower case") + ") for labels " + pattern.value()
                        + tokenRole.map(r -> ", role " + r.text() + " in " + t.info().owner()).orElse("")
                        + (onBehalf ? ", may act on behalf of Zulip users" : "")
                        + expiresAt.map(e -> ", expires " + e).orElse("")
                        + ". It is shown once; store it now:");
                cli.out().println(t.plaintext());
            } catch (DuplicateTokenNameException e) {
                throw UserError.badInput("A token named '" + stored + "' already exists; pick another name or revoke it first");
            } catch (IllegalArgumentException e) {
                throw UserError.badInput(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never the tokens themselves).")
    static final class ListTokens implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        ListTokens(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Instant now = cli.clock().instant();
            try (Store s = store.open()) {
                Table table = new Table("ID", "NAME", "LABELS", "ON-BEHALF", "STATE", "EXPIRES", "TENANT", "ROLE");
                for (TokenInfo t : s.tokens().list()) {
                    String state = t.revokedAt().isPresent() ? "revoked"
                            : t.expiresAt().filter(e -> !e.isAfter(now)).isPresent() ? "expired" : "active";
                    table.row(t.id(), t.name(), t.labelPattern(), t.onBehalfOf() ? "yes" : "no", state,
                            t.expiresAt().map(Instant::toString).orElse("never"),
                            t.owner().tenant().map(TenantId::value).orElse("(organisation)"), t.role().map(Role::text).orElse("-"));
                }
                table.print(cli.out());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by id or name.")
    static final class Revoke implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "ID|NAME", description = "The token's id or name, as 'mfagate token list' shows them.")
        String idOrName;

        Revoke(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (idOrName.length() > 64 || idOrName.startsWith(TokenRepository.PREFIX)) {
                // Someone pasted the token itself (or part of it): refuse, and never repeat it.
                throw UserError.badInput("Give the token's id or name (see 'mfagate token list'), never the token itself;"
                        + " a token that was shown or pasted somewhere should be revoked by its id");
            }
            try (Store s = store.open()) {
                if (!s.tokens().revoke(idOrName, cli.clock().instant())) {
                    // Not repeated: an unknown value is not known to be harmless (a mistyped secret, say).
                    throw UserError.badInput("No active token has that id or name; see 'mfagate token list'");
                }
                AdminAudit.record(cli, s, "token-revoke", null, "token " + idOrName);
            }
            cli.out().println("Revoked " + idOrName + ".");
            return ExitCodes.OK;
        }
    }
}
