package dev.mfagate.gateway.cli;

import java.lang.reflect.Field;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * picocli's default values from the {@link CliContext}'s environment: an option annotated with
 * {@link EnvironmentDefault} takes the variable's value when it is set, else its own
 * {@code defaultValue}. picocli asks this provider first, also when it prints
 * {@code ${DEFAULT-VALUE}} in the help, so the help shows the default in force.
 *
 * <p>Immutable and thread-safe.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> env;

    EnvironmentDefaults(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The variable's value, or null (picocli then applies the option's own default). */
    @Override
    public String defaultValue(ArgSpec argSpec) {
        String name = variable(argSpec);
        if (name == null) {
            return null;
        }
        String value = env.get(name);
        // picocli expands ${...} in what a provider returns; a value is taken as it is ("$$" escapes "$").
        return value == null ? null : value.replace("$", "$$");
    }

    /** The variable named by the option's {@link EnvironmentDefault}, or null. */
    static String variable(ArgSpec argSpec) {
        if (argSpec.userObject() instanceof Field field) {
            EnvironmentDefault d = field.getAnnotation(EnvironmentDefault.class);
            return d == null ? null : d.value();
        }
        return null;
    }
}
