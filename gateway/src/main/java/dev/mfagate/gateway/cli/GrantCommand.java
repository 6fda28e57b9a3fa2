package dev.mfagate.gateway.cli;

import dev.mfagate.core.Expiry;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mfagate grant PRINCIPAL PATTERN}: allow a principal codes for labels matching a pattern. */
@Command(name = "grant", mixinStandardHelpOptions = true,
        description = {"Allow PRINCIPAL codes for labels matching PATTERN (deny is the default).",
                "PRINCIPAL is user:<Zulip user id>, group:<Zulip user group id>, channel:<Zulip stream id> or token:<token id>."
                        + " Zulip principals are ids, never names: names can be imitated.",
                "Find a channel's id in its Zulip address (#narrow/channel/<id>-<name>), a group's under Settings > User groups"
                        + " (#groups/<id>/<name>), a user's in their profile (#user/<id>).",
                "A daily cap or expiry on a token: rule applies to that token's requests for the labels it covers.",
                "Example: mfagate grant channel:12 'acme-*' --expires 30d"})
final class GrantCommand implements Callable<Integer> {

    private final CliContext cli;

    GrantCommand(CliContext cli) {
        this.cli = cli;
    }

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "PRINCIPAL",
            description = "Who: user:<id>, group:<id>, channel:<stream id> or token:<token id>.")
    String principal;

    @Parameters(index = "1", paramLabel = "PATTERN", description = "Labels, a glob such as acme-* or client-demo.")
    String pattern;

    @Option(names = "--expires", paramLabel = "DURATION", converter = Durations.class, description = "A time-boxed grant: ends after this long.")
    Duration expires;

    @Option(names = "--daily-cap", paramLabel = "N", description = "At most N codes per principal and label each UTC day.")
    Integer dailyCap;

    @Option(names = "--id", paramLabel = "ID", description = "A rule id to use instead of a random one.")
    String id;

    @Option(names = "--tenant", paramLabel = "TENANT",
            description = "The tenant that owns the rule; PATTERN must stay inside it (default: the pattern's tenant,"
                    + " else the organisation).")
    String tenant;

    @Override
    public Integer call() {
        Instant now = cli.clock().instant();
        Rule rule;
        Scope owner;
        try {
            rule = new Rule(id != null ? id : Rule.newId(), Principal.parse(principal), LabelPattern.parse(pattern),
                    Optional.ofNullable(expires).map(d -> Expiry.after(now, d, "--expires")),
                    dailyCap == null ? OptionalInt.empty() : OptionalInt.of(dailyCap),
                    AdminAudit.operator(cli), now);
            PolicyRepository.requireGrantable(rule);
            owner = tenant == null ? Scope.of(rule.pattern()) : TenantId.parse(tenant);
            owner.requireCovers(rule.pattern());
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(e.getMessage());
        }
        try (Store s = store.open()) {
            Rule stored = new PolicyRepository(s.database()).grant(rule, owner);
            AdminAudit.record(cli, s, "grant", null, stored.describe() + (tenant == null ? "" : "; tenant " + owner));
            cli.out().println("Granted: " + stored.describe());
        }
        return ExitCodes.OK;
    }
}
