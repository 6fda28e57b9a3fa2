package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The audit page: the entries this person may read, newest first, filtered and paged, with the
 * export link and, for the organisation's auditors and operators, the chain's status.
 *
 * @param frame the frame
 * @param scopeText what the person may read, in words ("every tenant", "tenant acme")
 * @param allowed whether the person may read any audit at all
 * @param label the label filter, or empty
 * @param outcome the outcome filter, or empty
 * @param person the person filter (a person id), or empty
 * @param since the first day shown (UTC, {@code 2026-12-01}), or empty
 * @param until the last day shown, or empty
 * @param outcomes the outcomes to choose from
 * @param rows the entries shown
 * @param olderHref the link to the next page of older entries, or null
 * @param exportHref the link to the JSON lines export of the entries matching the filters
 * @param canVerify whether the person may verify the chain (the organisation's audit)
 * @param chain the chain's status in words once verified, or null
 * @param chainIntact whether the verified chain is intact
 */
public record AuditPage(PageFrame frame, String scopeText, boolean allowed, String label, String outcome, String person,
                        String since, String until, List<String> outcomes, List<Row> rows, String olderHref,
                        String exportHref, boolean canVerify, String chain, boolean chainIntact) implements ConsolePage {

    /** Copies. */
    public AuditPage {
        outcomes = List.copyOf(outcomes);
        rows = List.copyOf(rows);
    }

    @Override
    public String template() {
        return "audit.jte";
    }

    /**
     * One entry, as text.
     *
     * @param seq its place in the chain
     * @param time UTC, to the second
     * @param outcome the outcome
     * @param reason the reason
     * @param label the label, or empty
     * @param who the token, Zulip user or person, as recorded
     * @param requestId the request id
     */
    public record Row(long seq, String time, String outcome, String reason, String label, String who, String requestId) {
    }
}
