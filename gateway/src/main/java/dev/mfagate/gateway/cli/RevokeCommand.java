package dev.mfagate.gateway.cli;

import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mfagate revoke RULE_ID}: remove a grant; it stops working on every instance within a second. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Remove the grant RULE_ID (see 'mfagate policy show'). Tokens are revoked with 'mfagate token revoke'.")
final class RevokeCommand implements Callable<Integer> {

    private final CliContext cli;

    RevokeCommand(CliContext cli) {
        this.cli = cli;
    }

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "RULE_ID", description = "The id of the grant, as 'mfagate policy show' lists it.")
    String ruleId;

    @Override
    public Integer call() {
        try (Store s = store.open()) {
            if (!new PolicyRepository(s.database()).revoke(ruleId)) {
                // Not repeated: what was typed is not a known rule id and might be something pasted by mistake.
                throw UserError.badInput("No grant has that id; see 'mfagate policy show' for the ids");
            }
            AdminAudit.record(cli, s, "revoke", null, "rule " + ruleId);
        }
        cli.out().println("Revoked grant " + ruleId + ".");
        return ExitCodes.OK;
    }
}
