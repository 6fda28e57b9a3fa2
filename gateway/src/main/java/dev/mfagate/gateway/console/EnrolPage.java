package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The "Enrol a seed" page of a tenant admin. It never holds the seed: after a refusal the secret
 * field comes back empty; after success only the label and the first code are shown.
 *
 * @param frame the frame
 * @param tenants the tenants whose seeds this person may add
 * @param label the label typed (kept after a refusal), or empty
 * @param error why the last enrolment was refused, or null
 * @param enrolled the label just enrolled, or null
 * @param firstCode its current code, for finishing enrolment at the service, or null
 * @param validForSeconds how long the first code stays valid
 * @param nextCode the code after it, when the first is about to end, or null
 */
public record EnrolPage(PageFrame frame, List<String> tenants, String label, String error, String enrolled,
                        String firstCode, long validForSeconds, String nextCode) {

    /** Copies. */
    public EnrolPage {
        tenants = List.copyOf(tenants);
    }
}
