package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The "My codes" page: the labels the person may get now, with at most one code shown.
 *
 * @param frame the frame
 * @param rows one per label
 */
public record CodesPage(PageFrame frame, List<Row> rows) {

    /** Copies. */
    public CodesPage {
        rows = List.copyOf(rows);
    }

    /**
     * One label.
     *
     * @param label the label
     * @param code the code just revealed, or null
     * @param nextCode the next step's code when the current one is about to end, or null
     * @param periodSeconds the TOTP step
     * @param stepEndEpochSeconds when the code's step ends (Unix seconds)
     * @param serverNowMillis the gateway's time when the page was made, for the countdown's clock offset
     * @param refusal why the last request for this label was refused, or null
     */
    public record Row(String label, String code, String nextCode, long periodSeconds, long stepEndEpochSeconds,
                      long serverNowMillis, String refusal) {

        /** A label whose code is hidden. */
        public static Row hidden(String label) {
            return new Row(label, null, null, 0, 0, 0, null);
        }

        /** A safe id fragment for the label (labels are [a-z0-9_.-]). */
        public String anchor() {
            return label.replace('.', '_');
        }
    }
}
