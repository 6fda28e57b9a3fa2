package dev.mfagate.bot;

import dev.mfagate.api.TotpResponse;
import dev.mfagate.bot.gateway.Refusal;
import java.time.Duration;
import java.util.List;

/**
 * Every text the bot sends, in one place: plain language, short, never a stack trace, and never a
 * code anywhere except {@link #code}. Pure functions; thread-safe.
 */
public final class Replies {
    private Replies() {
    }

    /** The usage text for {@code !mfa}, {@code !mfa-help} and {@code help}. */
    public static String help() {
        return """
                I hand out one-time codes for shared accounts, only in a one-to-one direct message.
                * `!mfa-<client>-<service>` (or `code <client>-<service>`): the current code, e.g. `!mfa-acme-aws`
                * `!mfa list`: the labels you may request
                * `!mfa-help` or `help`: this text
                In a channel, mention me first; I answer there without the code and send the code by direct message.""";
    }

    /** The hint for a DM the bot did not understand. */
    public static String hint() {
        return "I didn't understand that. Send `!mfa-<client>-<service>` for a code, `!mfa list` for the labels you may request, or `help`.";
    }

    /** The answer to a code request whose label breaks the label rule. */
    public static String badLabel() {
        return "That is not a label. Labels look like `<client>-<service>`, e.g. `!mfa-acme-aws`; letters, digits, `.`, `_` and `-` only.";
    }

    /**
     * The code reply: label, code, seconds it stays valid and, when the gateway sent one, the next code.
     * The only text that ever holds a code; {@link #expired} replaces it (or the reply is deleted).
     */
    public static String code(TotpResponse r, String label, ExpiryAction action) {
        StringBuilder b = new StringBuilder();
        b.append("**").append(label).append("**: `").append(r.code()).append("` (valid for ").append(r.validForSeconds()).append(" s)");
        if (r.nextCode() != null) {
            b.append("\nNext code: `").append(r.nextCode()).append("`");
            if (r.nextValidForSeconds() != null) {
                b.append(" (valid for ").append(r.nextValidForSeconds()).append(" s after that)");
            }
        }
        b.append("\nThis message will be ").append(action == ExpiryAction.DELETE ? "deleted" : "edited").append(" when the code expires.");
        return b.toString();
    }

    /** What the code reply becomes once its codes expired. */
    public static String expired(String label) {
        return "**" + label + "**: the code expired. Send `!mfa-" + label + "` for a new one.";
    }

    /**
     * After a code reply that Zulip took only once its codes had expired (the bot kept retrying while
     * Zulip failed): why the member got no usable code, and what to do.
     */
    public static String expiredBeforeDelivery(String label) {
        return "**" + label + "**: Zulip took my reply only after its code had expired, so it is of no use. Send `!mfa-"
                + label + "` for a new one.";
    }

    /** The channel answer to a request made there: no code, just where it went. */
    public static String sentByDirectMessage(String fullName, int userId) {
        return "@**" + fullName + "|" + userId + "** I've sent you a direct message.";
    }

    /** The refusal in a group DM, naming why. */
    public static String groupDirectMessageRefused() {
        return "I don't send codes or label lists in a group direct message: everyone here would see them. "
                + "Send me the same request in a one-to-one direct message.";
    }

    /** The answer to {@code !mfa list}. */
    public static String labels(List<String> labels) {
        if (labels.isEmpty()) {
            return "You may not request any codes yet. Ask an administrator for access.";
        }
        StringBuilder b = new StringBuilder("You may request:");
        for (String l : labels) {
            b.append("\n* `").append(l).append("`");
        }
        return b.toString();
    }

    /** The answer when the gateway refused, one distinct sentence per reason. */
    public static String refused(Refusal refusal, String label, Duration retryAfter) {
        return refused(refusal, label, retryAfter, null);
    }

    /**
     * As above; {@code dailyCap} (or null) is the day's allowance the gateway sent with
     * {@link Refusal#DAILY_CAP_REACHED}, whose {@code retryAfter} runs to 00:00 UTC.
     */
    public static String refused(Refusal refusal, String label, Duration retryAfter, Integer dailyCap) {
        String wait = retryAfter == null ? "a little while" : duration(retryAfter);
        return switch (refusal) {
            case UNKNOWN_LABEL -> "There is no seed labelled `" + label + "`. Send `!mfa list` to see the labels you may request.";
            case INVALID_LABEL -> badLabel();
            case FORBIDDEN -> "You are not allowed to get codes for `" + label + "`. Ask an administrator if you need access.";
            case BOT_NOT_PERMITTED -> "I am not allowed to fetch `" + label + "` for you: my own access does not cover it. Ask an administrator.";
            case RATE_LIMITED -> "Too many code requests right now. Try again in " + wait + ".";
            case DAILY_CAP_REACHED -> (dailyCap == null ? "You have had all the codes for `" + label + "` you may have today"
                    : "You have had " + dailyCap + (dailyCap == 1 ? " code" : " codes") + " for `" + label + "` today")
                    + "; the cap resets at 00:00 UTC" + (retryAfter == null ? "" : ", in " + wait) + ".";
            case LOCKED_OUT -> "Too many refused requests: you are locked out for " + wait + ".";
            case AUDIT_UNAVAILABLE -> "The code service can't record requests right now, so it gives out no codes. Try again in a few minutes.";
            case TENANT_KEY_REVOKED -> "Codes for `" + label + "` are switched off: this client's key was revoked. Ask an administrator.";
            case GATEWAY_FAILING -> "The code service is having trouble right now. Try again in a few minutes.";
            case BOT_MISCONFIGURED -> "I can't ask the code service right now: my configuration needs fixing. Please tell an administrator.";
        };
    }

    /** The answer to a list request the gateway refused. */
    public static String listRefused(Refusal refusal, Duration retryAfter) {
        return switch (refusal) {
            case FORBIDDEN, BOT_NOT_PERMITTED, UNKNOWN_LABEL, INVALID_LABEL -> labels(List.of());
            default -> refused(refusal, "", retryAfter);
        };
    }

    /** The answer when the gateway did not answer at all. */
    public static String unreachable() {
        return "I can't reach the code service right now. Try again in a minute.";
    }

    /** The audit notice: who asked for which label, never the code. Uses a silent mention so nobody is notified. */
    public static String auditNotice(String fullName, int userId, String label) {
        return "@_**" + fullName + "|" + userId + "** asked for a code for `" + label + "`.";
    }

    /**
     * A wait in words, rounded up: seconds under two minutes ({@code 45 seconds}), minutes under an hour
     * ({@code 15 minutes}), hours and minutes from an hour on ({@code 1 h 5 min}, {@code 16 h}).
     */
    static String duration(Duration d) {
        long s = Math.max(1, (d.toMillis() + 999) / 1000);
        if (s < 120) {
            return s == 1 ? "1 second" : s + " seconds";
        }
        long minutes = (s + 59) / 60;
        if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = minutes / 60;
        long rest = minutes % 60;
        return hours + " h" + (rest == 0 ? "" : " " + rest + " min");
    }
}
