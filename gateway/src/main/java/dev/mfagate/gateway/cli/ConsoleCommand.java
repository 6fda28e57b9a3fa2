package dev.mfagate.gateway.cli;

import dev.mfagate.core.console.Passkeys;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.console.ConsoleSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mfagate console break-glass enrol}: the web console's local break-glass operator. */
@Command(name = "console", mixinStandardHelpOptions = true, description = "The web console's break-glass operator.")
final class ConsoleCommand {

    /** How long a printed enrolment code stays valid. */
    static final Duration CODE_VALIDITY = Duration.ofMinutes(15);

    @Command(name = "break-glass", mixinStandardHelpOptions = true,
            description = "The local operator that signs in with a passkey alone when the identity provider is down.")
    static final class BreakGlass {
    }

    @Command(name = "enrol", mixinStandardHelpOptions = true,
            description = {"Create the break-glass operator (person break-glass, organisation operator role, no grants)"
                    + " if missing, and print a one-time code, valid 15 minutes, that registers one passkey for it at"
                    + " <console URL>/console/break-glass/enrol. Example:",
                    "  mfagate console break-glass enrol --console-url https://mfa.example.com"})
    static final class Enrol implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        StoreOptions store;

        @Option(names = "--console-url", paramLabel = "URL", description = "The console as browsers reach it, to print"
                + " the enrolment link with (else only the path is printed); checked as serve checks it: https, or http on loopback,"
                + " without query or fragment.")
        String consoleUrl;

        Enrol(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String base = "";
            if (consoleUrl != null) {
                // Checked as serve checks it, before a code exists: a link under a bad URL would not work.
                try {
                    base = ConsoleSettings.consoleUrl(consoleUrl).toString().replaceAll("/+$", "");
                } catch (IllegalArgumentException e) {
                    throw UserError.badInput(e.getMessage());
                }
            }
            String code;
            try (Store s = store.open()) {
                code = new Passkeys(s.database()).newBreakGlassCode(new TenantRepository(s.database()), cli.clock().instant(),
                        CODE_VALIDITY, "cli:" + AdminAudit.operator(cli));
                AdminAudit.record(cli, s, "break-glass-enrol-code", null, "one-time enrolment code for person:"
                        + Passkeys.BREAK_GLASS.value() + ", valid " + CODE_VALIDITY.toMinutes() + " min");
            }
            cli.out().println("Open " + base + "/console/break-glass/enrol within 15 minutes and give this one-time code"
                    + " (it works once):");
            cli.out().println(code);
            cli.out().println("The break-glass operator then signs in at " + base + "/console/break-glass with that passkey.");
            return ExitCodes.OK;
        }
    }
}
