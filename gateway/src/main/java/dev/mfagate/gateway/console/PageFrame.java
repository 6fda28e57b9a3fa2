package dev.mfagate.gateway.console;

/**
 * What every console page shows around its content.
 *
 * @param title the page title
 * @param requestId the request id, shown in the footer so a person can quote it
 * @param personName who is signed in, or null on the sign-in and error pages
 * @param csrf the session's CSRF token for the sign-out form, or null when nobody is signed in
 * @param tenantAdmin whether the person is an admin of some tenant (the navigation offers enrolment);
 *     a convenience only: every enrolment is decided again by {@code AdminAuthorizer}
 * @param nav the pages the navigation offers (a convenience only: every page decides again)
 */
public record PageFrame(String title, String requestId, String personName, String csrf, boolean tenantAdmin, Nav nav) {

    /** A frame whose navigation offers My codes, Audit, and Enrol when {@code tenantAdmin}. */
    public PageFrame(String title, String requestId, String personName, String csrf, boolean tenantAdmin) {
        this(title, requestId, personName, csrf, tenantAdmin, Nav.basic(tenantAdmin));
    }

    /** A frame for nobody signed in. */
    public static PageFrame anonymous(String title, String requestId) {
        return new PageFrame(title, requestId, null, null, false);
    }
}
