package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The "Enrol a seed" page of a tenant admin. It never holds the seed: after a refusal the secret
 * field comes back empty; a pending import is shown by issuer and account with a label each, held
 * by the gateway under {@code pendingId}; after success only the labels and the first codes are shown.
 *
 * @param frame the frame
 * @param tenants the tenants whose seeds this person may add
 * @param label the label typed (kept after a refusal), or empty
 * @param error why the last enrolment was refused, or null
 * @param problems one sentence per failing entry, or empty
 * @param enrolled the seeds just enrolled with their first codes, or empty
 * @param pendingId the id of the import waiting for labels, or null
 * @param rows the entries of that import, or empty
 */
public record EnrolPage(PageFrame frame, List<String> tenants, String label, String error, List<String> problems,
                        List<Enrolled> enrolled, String pendingId, List<Row> rows) {

    /** One enrolled seed: its label, first code, how long it stays valid, and the next code when it is about to end. */
    public record Enrolled(String label, String firstCode, long validForSeconds, String nextCode) {
    }

    /** One entry of a pending import: its number, issuer and account, the label given and what is wrong with it. */
    public record Row(int index, String name, String label, String error) {
    }

    /** Copies. */
    public EnrolPage {
        tenants = List.copyOf(tenants);
        problems = List.copyOf(problems);
        enrolled = List.copyOf(enrolled);
        rows = List.copyOf(rows);
    }
}
