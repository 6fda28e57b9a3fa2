package dev.mfagate.api.logging;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The rules of the two logging settings that the gateway and the bot share, so that both processes
 * refuse the same values at start: {@value #FORMAT} is exactly {@code json} or {@code plain} (lower
 * case, as {@link JsonStandardError} and both log configurations compare it), {@value #LEVEL} one of
 * Logback's level names in any case. Unset or blank means the default ({@code json}, {@code INFO}).
 *
 * <p>Without these checks a misspelt format wrote no log at all and a misspelt level was ignored.
 * Stateless and thread-safe. Where a value is looked up (system property, environment, {@code .env})
 * is the caller's concern.
 */
public final class LogSettings {

    /** The log format: {@code json} (default) or {@code plain}. */
    public static final String FORMAT = JsonStandardError.FORMAT_VARIABLE;
    /** The log level. */
    public static final String LEVEL = "MFAGATE_LOG_LEVEL";

    private static final List<String> FORMATS = List.of("json", "plain");
    private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off", "all");

    private LogSettings() {
    }

    /**
     * What is wrong with the settings {@code settings} gives (null or blank when unset), as one line
     * naming the setting and the rule, e.g. {@code MFAGATE_LOG_FORMAT: must be json or plain (in lower case)};
     * empty when both are fine. The value is not repeated: it may come from a file that also holds secrets.
     */
    public static Optional<String> problem(Function<String, String> settings) {
        return formatRule(settings.apply(FORMAT)).map(rule -> FORMAT + ": " + rule)
                .or(() -> levelRule(settings.apply(LEVEL)).map(rule -> LEVEL + ": " + rule));
    }

    /** The rule a {@value #FORMAT} value breaks, or empty when it is unset, blank, {@code json} or {@code plain}. */
    public static Optional<String> formatRule(String value) {
        // Exactly, without stripping: the log configurations and JsonStandardError compare the value as it is.
        if (value == null || value.isBlank() || FORMATS.contains(value)) {
            return Optional.empty();
        }
        return Optional.of("must be json or plain (in lower case)");
    }

    /** The rule a {@value #LEVEL} value breaks, or empty when it is unset, blank or a level name in any case. */
    public static Optional<String> levelRule(String value) {
        if (value == null || value.isBlank() || LEVELS.contains(value.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of("must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (in any case)");
    }

    /** A system property, else the environment variable: the look-up of both log configurations. */
    public static String propertyOrEnvironment(String name) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? System.getenv(name) : v;
    }
}
