package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The Health page of an operator: the checks {@code /readyz} runs (store, keys, audit writability,
 * key providers, clock skew) and the version.
 *
 * @param frame the frame
 * @param status {@code ready}, {@code degraded} or {@code unready}
 * @param checks each check and its state
 * @param version this build's version
 * @param clockChecked whether a clock check runs (an NTP server is configured)
 */
public record HealthPage(PageFrame frame, String status, List<Check> checks, String version, boolean clockChecked)
        implements ConsolePage {

    /** Copies. */
    public HealthPage {
        checks = List.copyOf(checks);
    }

    @Override
    public String template() {
        return "health.jte";
    }

    /** One check: its name, {@code ok} or a short reason, and whether it is fine. */
    public record Check(String name, String state, boolean ok) {
    }
}
