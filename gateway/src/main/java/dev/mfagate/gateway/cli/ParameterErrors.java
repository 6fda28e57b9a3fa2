package dev.mfagate.gateway.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * Reports command-line mistakes in one line on standard error, exit code 2, <b>without repeating
 * anything the user typed</b>: an operator who pastes a seed or a token in the wrong place
 * ({@code seed add LABEL JBSW...}, a whole token to {@code token revoke}) must not see it printed
 * back into a terminal, a scroll-back buffer or a CI log. picocli's own messages quote unmatched
 * arguments and unconvertible values, so every message here is built from the command's model
 * (option names, parameter labels, our suggestions) instead. The only converter messages shown are
 * those of this package's converters ({@link Durations}, {@link RateLimits}), which never quote
 * their input.
 *
 * <p>Stateless and thread-safe.
 */
final class ParameterErrors implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("mfagate: " + describe(ex));
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    /** The one-line message for {@code ex}; never holds a typed value. */
    static String describe(ParameterException ex) {
        String command = ex.getCommandLine().getCommandSpec().qualifiedName(" ");
        String help = "; see '" + command + " --help'";
        return switch (ex) {
            case CommandLine.UnmatchedArgumentException u -> unmatched(u, command) + help;
            case CommandLine.MissingParameterException m -> "missing " + names(m.getMissing()) + help;
            case CommandLine.OverwrittenOptionException o -> name(o.getOverwritten()) + " is given more than once" + help;
            case CommandLine.MaxValuesExceededException x -> "too many values for " + command + help;
            case CommandLine.MutuallyExclusiveArgsException x -> "some of the options given cannot be used together" + help;
            default -> ex.getArgSpec() != null ? invalidValue(ex) + help : "invalid command line" + help;
        };
    }

    private static String unmatched(CommandLine.UnmatchedArgumentException u, String command) {
        int n = u.getUnmatched().size();
        StringBuilder sb = new StringBuilder();
        sb.append(n == 1 ? "1 unexpected argument" : n + " unexpected arguments")
                .append(" (not shown: what was typed may be a secret)");
        if (command.endsWith(" seed add") || command.endsWith(" seed import")) {
            sb.append("; a seed is read from standard input or a file, never from the command line,"
                    + " for example: mfagate seed add LABEL < seed.txt");
        }
        List<String> suggestions = u.getSuggestions().stream().filter(ParameterErrors::isOwnName).toList();
        if (!suggestions.isEmpty()) {
            sb.append("; did you mean ").append(String.join(" or ", suggestions)).append('?');
        }
        return sb.toString();
    }

    /** picocli suggests names from the command's own model; shown only when they look like one. */
    private static boolean isOwnName(String s) {
        return s.matches("-{0,2}[a-z][a-z0-9-]{0,40}");
    }

    private static String invalidValue(ParameterException ex) {
        ArgSpec spec = ex.getArgSpec();
        String msg = "invalid value for " + name(spec) + " (not shown)";
        if (ex.getCause() instanceof CommandLine.TypeConversionException tce && hasOwnConverter(spec) && tce.getMessage() != null) {
            return msg + ": " + tce.getMessage();
        }
        Class<?> type = spec.type();
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return msg + ": expected a whole number";
        }
        return msg;
    }

    private static boolean hasOwnConverter(ArgSpec spec) {
        return Arrays.stream(spec.converters()).anyMatch(c -> c instanceof Durations || c instanceof RateLimits);
    }

    private static String names(List<ArgSpec> specs) {
        return specs.stream().map(ParameterErrors::name).collect(Collectors.joining(", "));
    }

    private static String name(ArgSpec spec) {
        if (spec instanceof OptionSpec o) {
            return "option " + o.longestName();
        }
        if (spec instanceof PositionalParamSpec p) {
            return "parameter " + p.paramLabel();
        }
        return "an argument";
    }
}
