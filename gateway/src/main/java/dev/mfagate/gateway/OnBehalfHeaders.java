package dev.mfagate.gateway;

import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.gateway.http.ApiException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the Zulip user a delegating caller asks for from the {@link OnBehalfOf} headers, strictly:
 * positive decimal ids only (user, groups, channels by stream id), bounded lists, an email of
 * printable ASCII. Anything else is a 400 {@code invalid_on_behalf} whose message names the header
 * and the rule broken and never repeats the value.
 *
 * <p>Names are never read: the header that carried channel names
 * ({@link OnBehalfOf#LEGACY_CHANNEL_NAMES}) is refused, because a name can be imitated and rules
 * bind stream ids.
 */
public final class OnBehalfHeaders {

    private static final int MAX_ITEMS = 1000;
    private static final int MAX_HEADER_CHARS = 4096;
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,18}");
    /** Printable ASCII without space or comma: Zulip emails as the bot sends them. */
    private static final Pattern EMAIL = Pattern.compile("[\\x21-\\x2b\\x2d-\\x7e]{1,254}");

    private OnBehalfHeaders() {
    }

    /**
     * Parses the headers strictly; absent user header means a direct request.
     *
     * @throws ApiException {@code invalid_on_behalf} naming the header and the rule broken
     */
    public static Optional<Subject.OnBehalf> fromHeaders(Function<String, String> header) {
        String user = header.apply(OnBehalfOf.USER_ID);
        String email = header.apply(OnBehalfOf.EMAIL);
        String groups = header.apply(OnBehalfOf.GROUPS);
        String channels = header.apply(OnBehalfOf.CHANNEL_IDS);
        if (header.apply(OnBehalfOf.LEGACY_CHANNEL_NAMES) != null) {
            throw invalid(OnBehalfOf.LEGACY_CHANNEL_NAMES + " (channel names) is no longer read: channel rules match"
                    + " Zulip stream ids; send " + OnBehalfOf.CHANNEL_IDS + " (upgrade the bot)");
        }
        if (user == null) {
            if (email != null || groups != null || channels != null) {
                throw invalid(OnBehalfOf.USER_ID + " is required when other on-behalf headers are sent");
            }
            return Optional.empty();
        }
        long userId = id(OnBehalfOf.USER_ID, user.strip(), "a decimal Zulip user id");
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw invalid(OnBehalfOf.EMAIL + " must be one address of printable ASCII without spaces or commas, at most 254 characters");
        }
        Set<Long> groupIds = new LinkedHashSet<>();
        for (String g : split(OnBehalfOf.GROUPS, groups)) {
            groupIds.add(id(OnBehalfOf.GROUPS, g, "comma-separated decimal Zulip group ids"));
        }
        Set<Long> channelIds = new LinkedHashSet<>();
        for (String c : split(OnBehalfOf.CHANNEL_IDS, channels)) {
            channelIds.add(id(OnBehalfOf.CHANNEL_IDS, c, "comma-separated decimal Zulip stream ids (never channel names)"));
        }
        try {
            return Optional.of(new Subject.OnBehalf(userId, Optional.ofNullable(email), groupIds, channelIds));
        } catch (IllegalArgumentException e) {
            // Checked above already; kept so that no rule of Subject's can turn into a 500.
            throw invalid("On-behalf headers break a rule: " + e.getMessage());
        }
    }

    /** A positive decimal id, or {@code invalid_on_behalf}. */
    private static long id(String name, String value, String what) {
        if (!DECIMAL.matcher(value).matches()) {
            throw invalid(name + " must be " + what);
        }
        long id = Long.parseLong(value);
        if (id <= 0) {
            throw invalid(name + " must be " + what + "; ids are positive, 0 is none");
        }
        return id;
    }

    private static String[] split(String name, String value) {
        if (value == null || value.isBlank()) {
            return new String[0];
        }
        if (value.length() > MAX_HEADER_CHARS) {
            throw invalid(name + " is longer than " + MAX_HEADER_CHARS + " characters");
        }
        String[] parts = value.split(",", -1);
        if (parts.length > MAX_ITEMS) {
            throw invalid(name + " lists more than " + MAX_ITEMS + " items");
        }
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].strip();
            if (parts[i].isEmpty()) {
                throw invalid(name + " has an empty item");
            }
        }
        return parts;
    }

    private static ApiException invalid(String message) {
        return ApiException.atDoor(RefusalReason.INVALID_ON_BEHALF, message);
    }
}
