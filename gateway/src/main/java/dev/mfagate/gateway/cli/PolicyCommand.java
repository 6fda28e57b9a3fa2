package dev.mfagate.gateway.cli;

import dev.mfagate.core.policy.ApplyResult;
import dev.mfagate.core.policy.Policy;
import dev.mfagate.core.policy.PolicyDiff;
import dev.mfagate.core.policy.PolicyFile;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mfagate policy show|export|apply}: the whole policy as a reviewable file. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Show, export and apply the access policy.")
final class PolicyCommand {

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "List every grant; warns about inert channel-name rules, which need re-granting by stream id.")
    static final class Show implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        Show(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Store s = store.open()) {
                Policy policy = new PolicyRepository(s.database()).load();
                if (policy.rules().isEmpty()) {
                    cli.out().println("No grants: every request is denied except by a plain token within its own label scope.");
                }
                for (Rule r : policy.rules()) {
                    cli.out().println(r.describe() + (r.principal() instanceof Principal.LegacyChannelName ? "   [INERT: never matches]" : ""));
                }
                InertRules.warn(policy, cli.err()::println);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write the policy as YAML to FILE ('-' for standard output).")
    static final class Export implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "FILE", defaultValue = "-",
                description = "Where to write the YAML, a new file (never overwritten); '-' (the default) for standard output.")
        String file;

        Export(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            String yaml;
            try (Store s = store.open()) {
                yaml = PolicyFile.of(new PolicyRepository(s.database()).list()).toYaml();
            }
            if (file.equals("-")) {
                cli.out().print(yaml);
            } else {
                OutputFiles.writeNew(OutputFiles.path(file, "FILE"), "FILE", w -> w.write(yaml));
                cli.err().println("Wrote the policy to " + file + ".");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Show how FILE differs from the stored policy; with --yes, make the policy exactly FILE in one transaction.",
                    "If the policy changes between the difference shown and the apply, nothing is applied."})
    static final class Apply implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Parameters(index = "0", paramLabel = "FILE", description = "The policy YAML, as 'mfagate policy export' writes it.")
        Path file;

        @Option(names = "--yes", description = "Apply the shown difference.")
        boolean yes;

        Apply(CliContext cli) {
            this.cli = cli;
        }

        private static final String PARSE_PREFIX = "Invalid policy file: ";

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw UserError.badInput("No such policy file: " + file);
            }
            PolicyFile desired;
            try {
                desired = PolicyFile.parse(Files.readString(file));
            } catch (IllegalArgumentException e) {
                // The parser's message says what and where, quoting no value; it starts with its own "Invalid policy file: ".
                String reason = e.getMessage().startsWith(PARSE_PREFIX) ? e.getMessage().substring(PARSE_PREFIX.length()) : e.getMessage();
                throw UserError.badInput("Invalid policy file " + file + ": " + reason);
            }
            try (Store s = store.open()) {
                PolicyRepository repo = new PolicyRepository(s.database());
                Policy current = repo.load();
                PolicyDiff diff = desired.diffFrom(current.rules());
                try {
                    diff.added().forEach(PolicyRepository::requireGrantable);
                    diff.changed().forEach(c -> PolicyRepository.requireGrantable(c.after()));
                    diff.added().forEach(repo::requirePrincipalHeld);
                    diff.changed().forEach(c -> repo.requirePrincipalHeld(c.after()));
                } catch (IllegalArgumentException e) {
                    throw UserError.badInput("Invalid policy file " + file + ": " + e.getMessage());
                }
                if (diff.isEmpty()) {
                    cli.out().println("The stored policy already matches " + file + "; nothing to apply.");
                    return ExitCodes.OK;
                }
                cli.out().println(diff.toText());
                if (!yes) {
                    cli.out().println("Not applied. Re-run with --yes to apply exactly this difference.");
                    return ExitCodes.OK;
                }
                ApplyResult result;
                try {
                    result = repo.apply(desired, current.version(), AdminAudit.operator(cli), cli.clock().instant());
                } catch (IllegalArgumentException e) {
                    // A person or token removed since the check above: the transaction rolled back.
                    throw UserError.badInput("Invalid policy file " + file + ": " + e.getMessage() + "; nothing was applied");
                }
                if (result instanceof ApplyResult.Conflict c) {
                    throw UserError.failure("The policy changed while applying (version " + c.expectedVersion() + " became "
                            + c.actualVersion() + "); nothing was applied. Run apply again to see the new difference.");
                }
                AdminAudit.record(cli, s, "policy-apply", null, "from " + file.getFileName());
                cli.out().println("Applied.");
            }
            return ExitCodes.OK;
        }
    }
}
