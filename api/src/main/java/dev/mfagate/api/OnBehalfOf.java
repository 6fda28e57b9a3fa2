package dev.mfagate.api;

/**
 * The request headers a delegating caller (the Zulip bot) uses to say whom it asks for.
 *
 * <p>Only a token created with the on-behalf-of scope may send them; the gateway authorises the
 * named Zulip user, with the groups and channels listed, against its policy and never lets the
 * result exceed the token's own label scope. Every value that policy matches is a Zulip id in
 * decimal ASCII ({@code [0-9]{1,18}}, positive), lists comma-separated: ids cannot be imitated,
 * names can (a channel named {@code #ops} beside {@code ops}, look-alike letters). A malformed
 * value, an id of 0, or an email with a control character is refused with 400
 * {@code invalid_on_behalf} before anything else is decided.
 */
public final class OnBehalfOf {
    /** The Zulip user id of the person asking (decimal). */
    public static final String USER_ID = "X-Mfagate-On-Behalf-Of-User";
    /** That person's Zulip email, for the audit trail only (never used to match): printable ASCII, no spaces or commas. */
    public static final String EMAIL = "X-Mfagate-On-Behalf-Of-Email";
    /** Zulip user group ids the person belongs to, comma-separated decimal. */
    public static final String GROUPS = "X-Mfagate-On-Behalf-Of-Groups";
    /** Zulip stream ids of the channels the person is subscribed to, comma-separated decimal. */
    public static final String CHANNEL_IDS = "X-Mfagate-On-Behalf-Of-Channel-Ids";
    /**
     * The header that carried channel <em>names</em> before channel rules took stream ids. The
     * gateway refuses a request that sends it ({@code invalid_on_behalf}), so a bot that still
     * sends names fails loudly instead of silently losing or gaining access.
     */
    public static final String LEGACY_CHANNEL_NAMES = "X-Mfagate-On-Behalf-Of-Channels";
    /** The request id a caller may pass on; the gateway echoes it in {@code X-Request-Id}. */
    public static final String REQUEST_ID = "X-Request-Id";

    private OnBehalfOf() {
    }
}
