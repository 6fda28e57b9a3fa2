package dev.mfagate.gateway.cli;

import dev.mfagate.core.seed.SeedImportException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the {@code mfagate} command line. */
@Command(name = "mfagate", mixinStandardHelpOptions = true, versionProvider = MfagateCommand.Version.class,
        description = "Keeps shared TOTP seeds encrypted and hands out codes, never seeds.")
public final class MfagateCommand implements Runnable {

    /**
     * The commands, in the order of the help. Registered here rather than in the annotation, so that a
     * command line runs with only the command it names: picocli makes every registered command (its
     * options, defaults, mixins and nested commands) before parsing, and {@code serve} alone pulls in
     * the logging set-up.
     */
    private static final List<Class<?>> COMMANDS = List.of(InitCommand.class, ServeCommand.class, SeedCommand.class,
            TokenCommand.class, KeysCommand.class, GrantCommand.class, RevokeCommand.class, PolicyCommand.class,
            AuditCommand.class, MigrateCommand.class, TenantCommands.TenantCommand.class, TenantCommands.PersonCommand.class,
            TenantCommands.MemberCommand.class, ConsoleCommand.class, CommandLine.HelpCommand.class);

    /**
     * Each command's own commands, in the order of its help, for the same reason: registered here
     * rather than in its annotation, so that {@code seed list} makes {@code list} alone, not {@code add},
     * {@code import}, {@code remove} and {@code sensitive} as well (their options are read by
     * reflection, in code that runs once and interpreted).
     */
    private static final Map<Class<?>, List<Class<?>>> NESTED = Map.ofEntries(
            Map.entry(SeedCommand.class, List.of(SeedCommand.Add.class, SeedCommand.Import.class,
                    SeedCommand.ListSeeds.class, SeedCommand.Remove.class, SeedCommand.Sensitive.class)),
            Map.entry(TokenCommand.class, List.of(TokenCommand.Create.class, TokenCommand.ListTokens.class,
                    TokenCommand.Revoke.class)),
            Map.entry(KeysCommand.class, List.of(KeysCommand.Rotate.class, KeysCommand.Retire.class,
                    KeysCommand.Migrate.class, TenantKeysCommand.class)),
            Map.entry(TenantKeysCommand.class, List.of(TenantKeysCommand.Set.class, TenantKeysCommand.Rotate.class,
                    TenantKeysCommand.Retire.class, TenantKeysCommand.Revoke.class, TenantKeysCommand.ListKeys.class)),
            Map.entry(PolicyCommand.class, List.of(PolicyCommand.Show.class, PolicyCommand.Export.class,
                    PolicyCommand.Apply.class)),
            Map.entry(AuditCommand.class, List.of(AuditCommand.Verify.class, AuditCommand.Export.class,
                    AuditCommand.Anchor.class)),
            Map.entry(TenantCommands.TenantCommand.class, List.of(TenantCommands.TenantAdd.class,
                    TenantCommands.TenantList.class)),
            Map.entry(TenantCommands.PersonCommand.class, List.of(TenantCommands.PersonAdd.class,
                    TenantCommands.PersonLink.class, TenantCommands.PersonUnlink.class, TenantCommands.PersonList.class)),
            Map.entry(TenantCommands.MemberCommand.class, List.of(TenantCommands.MemberAdd.class,
                    TenantCommands.MemberRemove.class, TenantCommands.MemberList.class)),
            Map.entry(ConsoleCommand.class, List.of(ConsoleCommand.BreakGlass.class)),
            Map.entry(ConsoleCommand.BreakGlass.class, List.of(ConsoleCommand.Enrol.class)));

    @Override
    public void run() {
        throw UserError.badInput("Missing command; see mfagate --help");
    }

    /** Runs {@code args} in {@code cli} and returns the exit code; errors are one line on {@code cli}'s standard error. */
    public static int run(CliContext cli, String[] args) {
        CommandLine cl = commandLine(cli, args);
        dev.mfagate.core.StartupTrace.mark("cli: command line built");
        return cl.execute(args);
    }

    /** Whether {@code args} start the server (the process then keeps running after {@link #run}). */
    public static boolean isServing(String[] args) {
        return args.length > 0 && args[0].equals("serve");
    }

    /**
     * The command line whose commands read and write only {@code cli}: its streams (picocli's help and
     * errors too), its environment (option defaults included), its clock.
     */
    public static CommandLine commandLine(CliContext cli) {
        return commandLine(cli, new String[0]);
    }

    /**
     * As {@link #commandLine(CliContext)}, with only the commands {@code args} names: at each level,
     * when the word right after a command's name is the name of one of its commands, only that one
     * is made. What picocli parses is the same: a word in that place can only be a command's name (it
     * follows no option), and any other word (an option, a misspelt command, {@code --help}) gets every
     * command of that level, so that errors, suggestions and help read as before. {@code help COMMAND}
     * is not a command's name below the root, so it gets every command too.
     */
    private static CommandLine commandLine(CliContext cli, String[] args) {
        ContextFactory factory = new ContextFactory(cli);
        CommandLine cl = new CommandLine(new MfagateCommand(), factory);
        addCommands(cl, COMMANDS, args, 0, factory);
        cl.setOut(new PrintWriter(new OutputStreamWriter(cli.out(), cli.out().charset()), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(cli.err(), cli.err().charset()), true));
        cl.setDefaultValueProvider(new EnvironmentDefaults(cli.env()));
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof UserError ue) {
                err.println("mfagate: " + ue.getMessage());
                err.flush();
                return ue.exitCode();
            }
            if (ex instanceof SeedImportException se) {
                err.println("mfagate: " + se.getMessage());
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof dev.mfagate.core.crypto.SeedDecryptionException sd) {
                // Names the label and what failed, never key material (see the class).
                err.println("mfagate: " + sd.getMessage());
                err.flush();
                return ExitCodes.FAILURE;
            }
            if (ex instanceof IllegalStateException || ex instanceof java.io.UncheckedIOException
                    || ex instanceof UnsupportedOperationException) {
                // The store's own refusals: messages name paths and the fix, never secrets.
                err.println("mfagate: " + ex.getMessage());
                err.flush();
                return ExitCodes.FAILURE;
            }
            if (ex instanceof IllegalArgumentException iae) {
                err.println("mfagate: " + iae.getMessage());
                err.flush();
                return ExitCodes.BAD_INPUT;
            }
            // Unexpected: say what kind of failure without echoing a message that might hold input.
            err.println("mfagate: unexpected " + ex.getClass().getSimpleName() + "; run with MFAGATE_DEBUG=1 for details");
            if (cli.env().containsKey("MFAGATE_DEBUG")) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.FAILURE;
        });
        // Never picocli's own messages: they quote unmatched arguments and bad values, which may be secrets.
        cl.setParameterExceptionHandler(new ParameterErrors());
        return cl;
    }

    /** Adds to {@code parent} those of {@code commands} that {@code args[depth]} names, or all of them. */
    private static void addCommands(CommandLine parent, List<Class<?>> commands, String[] args, int depth,
                                    ContextFactory factory) {
        String word = depth < args.length ? args[depth] : null;
        Class<?> only = word == null ? null : commands.stream().filter(c -> c != CommandLine.HelpCommand.class)
                .filter(c -> names(c).contains(word)).findFirst().orElse(null);
        for (Class<?> command : only != null ? List.of(only) : commands) {
            CommandLine sub = new CommandLine(command, factory);
            addCommands(sub, NESTED.getOrDefault(command, List.of()), only != null ? args : new String[0], depth + 1, factory);
            parent.addSubcommand(sub);
        }
    }

    /** The name and aliases of the command class {@code command}. */
    private static List<String> names(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(c.aliases()));
        names.add(0, c.name());
        return names;
    }

    /**
     * Makes commands, mixins and converters: a class with a constructor taking the {@link CliContext}
     * gets this one, any other picocli's way.
     */
    private record ContextFactory(CliContext cli) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Constructor<K> withContext;
            try {
                withContext = cls.getDeclaredConstructor(CliContext.class);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
            return withContext.newInstance(cli);
        }
    }

    /** The version the build wrote into {@code dev/mfagate/gateway/version.properties} (resource filtering). */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mfagate " + version()};
        }

        /** The project version of this build. */
        public static String version() {
            try (var in = MfagateCommand.class.getResourceAsStream("/dev/mfagate/gateway/version.properties")) {
                java.util.Properties p = new java.util.Properties();
                if (in != null) {
                    p.load(in);
                }
                String v = p.getProperty("version", "");
                // Unfiltered (run from an IDE without the build): say so rather than print the placeholder.
                return v.isBlank() || v.startsWith("${") ? "(unknown: not built by Maven)" : v;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Cannot read the version resource", e);
            }
        }
    }
}
