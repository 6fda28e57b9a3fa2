package dev.mfagate.gateway;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.gateway.http.ApiException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the Zulip user a delegating caller asks for from the {@link OnBehalfOf} headers, strictly:
 * decimal ids, bounded lists, percent-encoded channel names.
 */
public final class OnBehalfHeaders {

    private static final int MAX_ITEMS = 1000;
    private static final int MAX_HEADER_CHARS = 4096;
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,18}");
    private static final Pattern EMAIL = Pattern.compile("[^\\s,]{1,254}");

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
        String channels = header.apply(OnBehalfOf.CHANNELS);
        if (user == null) {
            if (email != null || groups != null || channels != null) {
                throw invalid(OnBehalfOf.USER_ID + " is required when other on-behalf headers are sent");
            }
            return Optional.empty();
        }
        if (!DECIMAL.matcher(user).matches()) {
            throw invalid(OnBehalfOf.USER_ID + " must be a decimal Zulip user id");
        }
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw invalid(OnBehalfOf.EMAIL + " must be one address without spaces or commas, at most 254 characters");
        }
        Set<Long> groupIds = new LinkedHashSet<>();
        for (String g : split(OnBehalfOf.GROUPS, groups)) {
            if (!DECIMAL.matcher(g).matches()) {
                throw invalid(OnBehalfOf.GROUPS + " must be comma-separated decimal group ids");
            }
            groupIds.add(Long.parseLong(g));
        }
        Set<String> channelNames = new LinkedHashSet<>();
        for (String c : split(OnBehalfOf.CHANNELS, channels)) {
            String name;
            try {
                name = URLDecoder.decode(c, StandardCharsets.UTF_8).strip().toLowerCase(java.util.Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw invalid(OnBehalfOf.CHANNELS + " must be percent-encoded UTF-8 channel names");
            }
            if (name.isEmpty() || name.length() > 60 || name.chars().anyMatch(Character::isISOControl)) {
                throw invalid(OnBehalfOf.CHANNELS + " names must be 1 to 60 printable characters");
            }
            channelNames.add(name);
        }
        return Optional.of(new Subject.OnBehalf(Long.parseLong(user), Optional.ofNullable(email), groupIds, channelNames));
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
        return new ApiException(ErrorCode.INVALID_ON_BEHALF, message);
    }
}
