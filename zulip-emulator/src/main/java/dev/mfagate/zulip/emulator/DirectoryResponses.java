package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The bodies of the user, channel, group and server-settings endpoints. Immutable records written by {@link Json#MAPPER}. */
final class DirectoryResponses {

    private DirectoryResponses() {}


    /** {@code GET /users/me}. */
    record OwnUser(
            String avatarUrl,
            String email,
            String fullName,
            boolean isAdmin,
            boolean isOwner,
            int role,
            boolean isGuest,
            boolean isBot,
            boolean isActive,
            String dateJoined,
            int maxMessageId,
            int userId,
            String deliveryEmail) implements Responses.Success {

        static OwnUser of(Directory.User caller, int maxMessageId) {
            return new OwnUser(Views.avatarUrl(caller), caller.email, caller.fullName, caller.role.isAdministrator(),
                    caller.role == Role.OWNER, caller.role.apiValue(), caller.role == Role.GUEST, caller.isBot, caller.active,
                    Views.dateJoined(caller), maxMessageId, caller.id, caller.email);
        }

        @JsonProperty("avatar_version")
        int avatarVersion() {
            return 1;
        }

        @JsonProperty("timezone")
        String timezone() {
            return "";
        }
    }

    /** {@code GET /users}. */
    record Members(List<Wire.User> members) implements Responses.Success {
        Members {
            members = List.copyOf(members);
        }
    }

    /** {@code GET /users/{id}}. */
    record OneUser(Wire.User user) implements Responses.Success {}

    /** {@code GET /users/me/subscriptions}. */
    record Subscriptions(List<Wire.Subscription> subscriptions) implements Responses.Success {
        Subscriptions {
            subscriptions = List.copyOf(subscriptions);
        }
    }

    /** {@code GET /users/{user_id}/subscriptions/{stream_id}}. */
    record SubscriptionStatus(boolean isSubscribed) implements Responses.Success {}

    /** {@code GET /streams}. */
    record Streams(List<Wire.Channel> streams) implements Responses.Success {
        Streams {
            streams = List.copyOf(streams);
        }
    }

    /** {@code GET /get_stream_id}. */
    record StreamId(int streamId) implements Responses.Success {}

    /** {@code GET /streams/{id}/members}. */
    record Subscribers(List<Integer> subscribers) implements Responses.Success {
        Subscribers {
            subscribers = List.copyOf(subscribers);
        }
    }

    /** {@code GET /user_groups}. */
    record UserGroups(List<Wire.UserGroup> userGroups) implements Responses.Success {
        UserGroups {
            userGroups = List.copyOf(userGroups);
        }
    }

    /** {@code GET /server_settings}: an organisation that logs in by email and password only. */
    record ServerSettings(String realmUrl, String realmName) implements Responses.Success {

        /** The legacy name of {@code realm_url}, still sent by Zulip. */
        @JsonProperty("realm_uri")
        String realmUri() {
            return realmUrl;
        }

        @JsonProperty("realm_icon")
        String realmIcon() {
            return realmUrl + "/static/images/logo/zulip-icon-128x128.png";
        }

        @JsonProperty("authentication_methods")
        AuthenticationMethods authenticationMethods() {
            return AuthenticationMethods.PASSWORD_AND_EMAIL;
        }

        @JsonProperty("external_authentication_methods")
        List<Object> externalAuthenticationMethods() {
            return List.of();
        }

        @JsonProperty("zulip_feature_level")
        int zulipFeatureLevel() {
            return Responses.ZULIP_FEATURE_LEVEL;
        }

        @JsonProperty("zulip_version")
        String zulipVersion() {
            return Responses.ZULIP_VERSION;
        }

        @JsonProperty("zulip_merge_base")
        String zulipMergeBase() {
            return Responses.ZULIP_VERSION;
        }

        @JsonProperty("push_notifications_enabled")
        boolean pushNotificationsEnabled() {
            return false;
        }

        @JsonProperty("is_incompatible")
        boolean isIncompatible() {
            return false;
        }

        @JsonProperty("email_auth_enabled")
        boolean emailAuthEnabled() {
            return true;
        }

        @JsonProperty("require_email_format_usernames")
        boolean requireEmailFormatUsernames() {
            return true;
        }

        @JsonProperty("realm_description")
        String realmDescription() {
            return "";
        }

        @JsonProperty("realm_web_public_access_enabled")
        boolean realmWebPublicAccessEnabled() {
            return false;
        }
    }

    /** Which ways to log in the organisation offers; the emulated one offers password and email only. */
    record AuthenticationMethods(boolean password, boolean dev, boolean email, boolean ldap, boolean remoteuser,
            boolean github, boolean azuread, boolean gitlab, boolean apple, boolean google, boolean saml,
            @JsonProperty("openid connect") boolean openidConnect) {
        static final AuthenticationMethods PASSWORD_AND_EMAIL =
                new AuthenticationMethods(true, false, true, false, false, false, false, false, false, false, false, false);
    }
}
