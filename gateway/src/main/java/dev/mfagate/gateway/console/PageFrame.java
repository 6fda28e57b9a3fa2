package dev.mfagate.gateway.console;

/**
 * What every console page shows around its content.
 *
 * @param title the page title
 * @param requestId the request id, shown in the footer so a person can quote it
 * @param personName who is signed in, or null on the sign-in and error pages
 * @param csrf the session's CSRF token for the sign-out form, or null when nobody is signed in
 */
public record PageFrame(String title, String requestId, String personName, String csrf) {
}
