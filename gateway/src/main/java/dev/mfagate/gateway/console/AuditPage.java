package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The audit page: the entries this person may read, newest first, filtered and paged.
 *
 * @param frame the frame
 * @param scopeText what the person may read, in words ("every tenant", "tenant acme")
 * @param allowed whether the person may read any audit at all
 * @param label the label filter, or empty
 * @param outcome the outcome filter, or empty
 * @param outcomes the outcomes to choose from
 * @param rows the entries shown
 * @param olderHref the link to the next page of older entries, or null
 */
public record AuditPage(PageFrame frame, String scopeText, boolean allowed, String label, String outcome,
                        List<String> outcomes, List<Row> rows, String olderHref) {

    /** Copies. */
    public AuditPage {
        outcomes = List.copyOf(outcomes);
        rows = List.copyOf(rows);
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
