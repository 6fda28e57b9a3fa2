package dev.mfagate.gateway.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses durations such as {@code 90s}, {@code 15m}, {@code 12h}, {@code 30d} or ISO-8601 {@code PT1H}. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d|w)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * @throws CommandLine.TypeConversionException naming the accepted forms (never the value)
     */
    public static Duration parse(String value) {
        String v = value.strip();
        Matcher m = SHORT.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> throw new AssertionError(m.group(2));
            };
        }
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return Duration.parse(v);
            }
        } catch (DateTimeParseException e) {
            // fall through to the message below
        }
        // The value is not repeated: a command line is where a pasted secret ends up by mistake.
        throw new CommandLine.TypeConversionException("Invalid duration; use a number with ms, s, m, h, d or w"
                + " (for example 30d) or ISO-8601 (PT12H)");
    }
}
