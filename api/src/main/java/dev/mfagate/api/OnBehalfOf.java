package dev.mfagate.api;

/**
 * The request headers a delegating caller (the Zulip bot) uses to say whom it asks for.
 *
 * <p>Only a token created with the on-behalf-of scope may send them; the gateway authorises the
 * named Zulip user, with the groups and channels listed, against its policy and never lets the
 * result exceed the token's own label scope. Lists are comma-separated; group and channel names
 * are percent-encoded (UTF-8) so that commas and non-ASCII names survive.
 */
public final class OnBehalfOf {
    /** The Zulip user id of the person asking (decimal). */
    public static final String USER_ID = "X-Mfagate-On-Behalf-Of-User";
    /** That person's Zulip email, for the audit trail only (never used to match). */
    public static final String EMAIL = "X-Mfagate-On-Behalf-Of-Email";
    /** Zulip user group ids the person belongs to, comma-separated decimal. */
    public static final String GROUPS = "X-Mfagate-On-Behalf-Of-Groups";
    /** Zulip channel names the person is subscribed to, comma-separated, percent-encoded. */
    public static final String CHANNELS = "X-Mfagate-On-Behalf-Of-Channels";
    /** The request id a caller may pass on; the gateway echoes it in {@code X-Request-Id}. */
    public static final String REQUEST_ID = "X-Request-Id";

    private OnBehalfOf() {
    }
}
