package dev.mfagate.zulip.emulator;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/** The endpoints on people and places: users, the caller's subscriptions, channels and their members, user groups, server settings. */
final class DirectoryRoutes {
    private final Realm realm;

    DirectoryRoutes(Realm realm) {
        this.realm = realm;
    }

    void register(Api api, RoutesConfig routes) {
        api.route(routes, HandlerType.GET, "/users/me", this::getOwnUser);
        api.route(routes, HandlerType.GET, "/users/me/subscriptions", this::getOwnSubscriptions, "include_subscribers");
        api.route(routes, HandlerType.GET, "/users", this::getUsers, "client_gravatar", "include_custom_profile_fields");
        api.route(routes, HandlerType.GET, "/users/{user_id}", this::getUser, "client_gravatar", "include_custom_profile_fields");
        api.route(routes, HandlerType.GET, "/users/{user_id}/subscriptions/{stream_id}", this::getSubscriptionStatus);
        api.route(routes, HandlerType.GET, "/streams", this::getChannels, "include_public", "include_web_public",
                "include_subscribed", "exclude_archived", "include_all_active", "include_all", "include_default",
                "include_owner_subscribed", "include_can_access_content");
        api.route(routes, HandlerType.GET, "/get_stream_id", this::getChannelId, "stream");
        api.route(routes, HandlerType.GET, "/streams/{stream_id}/members", this::getChannelMembers);
        api.route(routes, HandlerType.GET, "/user_groups", this::getUserGroups, "include_deactivated_groups");
        api.route(routes, HandlerType.GET, "/server_settings", this::getServerSettings);
    }


    private DirectoryResponses.OwnUser getOwnUser(Context ctx, Directory.User caller, Params p) {
        realm.lock.lock();
        try {
            return DirectoryResponses.OwnUser.of(caller, realm.messages.maxMessageId());
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.Members getUsers(Context ctx, Directory.User caller, Params p) {
        boolean clientGravatar = p.bool("client_gravatar", true);
        p.bool("include_custom_profile_fields", false);
        realm.lock.lock();
        try {
            return new DirectoryResponses.Members(realm.directory.users().stream().map(u -> Views.user(u, clientGravatar)).toList());
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.OneUser getUser(Context ctx, Directory.User caller, Params p) {
        boolean clientGravatar = p.bool("client_gravatar", true);
        p.bool("include_custom_profile_fields", false);
        int userId = Params.pathInt(ctx, "user_id");
        realm.lock.lock();
        try {
            Directory.User user = realm.directory.user(userId);
            if (user == null) {
                throw ZulipError.badRequest("No such user");
            }
            return new DirectoryResponses.OneUser(Views.user(user, clientGravatar));
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.Subscriptions getOwnSubscriptions(Context ctx, Directory.User caller, Params p) {
        boolean includeSubscribers = p.bool("include_subscribers", false);
        realm.lock.lock();
        try {
            Directory directory = realm.directory;
            return new DirectoryResponses.Subscriptions(directory.channels().stream().filter(c -> c.subscribers.contains(caller.id))
                    .map(c -> Views.subscription(directory, c, includeSubscribers)).toList());
        } finally {
            realm.lock.unlock();
        }
    }

    private Directory.Channel visibleChannel(Context ctx, Directory.User caller) {
        int channelId = Params.pathInt(ctx, "stream_id");
        Directory.Channel channel = realm.directory.channel(channelId);
        if (channel == null || !realm.directory.canSeeChannel(caller.id, channel)) {
            throw ZulipError.badRequest("Invalid channel ID");
        }
        return channel;
    }

    private DirectoryResponses.SubscriptionStatus getSubscriptionStatus(Context ctx, Directory.User caller, Params p) {
        realm.lock.lock();
        try {
            int userId = Params.pathInt(ctx, "user_id");
            Directory.Channel channel = visibleChannel(ctx, caller);
            if (realm.directory.user(userId) == null) {
                throw ZulipError.badRequest("No such user");
            }
            return new DirectoryResponses.SubscriptionStatus(channel.subscribers.contains(userId));
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.Streams getChannels(Context ctx, Directory.User caller, Params p) {
        boolean includePublic = p.bool("include_public", true);
        boolean includeSubscribed = p.bool("include_subscribed", true);
        boolean includeAllActive = p.bool("include_all_active", false) || p.bool("include_all", false);
        for (String name : List.of("include_web_public", "exclude_archived", "include_default", "include_owner_subscribed",
                "include_can_access_content")) {
            p.bool(name, false);
        }
        if (includeAllActive && !caller.role.isAdministrator()) {
            throw ZulipError.badRequest("User not authorized for this query");
        }
        realm.lock.lock();
        try {
            List<Wire.Channel> streams = new ArrayList<>();
            for (Directory.Channel c : realm.directory.channels()) {
                boolean include = includeAllActive
                        || (includePublic && !c.inviteOnly)
                        || (includeSubscribed && c.subscribers.contains(caller.id));
                if (include) {
                    streams.add(Views.channel(realm.directory, c, false));
                }
            }
            return new DirectoryResponses.Streams(streams);
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.StreamId getChannelId(Context ctx, Directory.User caller, Params p) {
        String name = p.requiredString("stream");
        realm.lock.lock();
        try {
            Directory.Channel channel = realm.directory.channelByName(name);
            if (channel == null || !realm.directory.canSeeChannel(caller.id, channel)) {
                throw ZulipError.badRequest("Invalid channel name '" + name + "'");
            }
            return new DirectoryResponses.StreamId(channel.id);
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.Subscribers getChannelMembers(Context ctx, Directory.User caller, Params p) {
        realm.lock.lock();
        try {
            Directory.Channel channel = visibleChannel(ctx, caller);
            return new DirectoryResponses.Subscribers(List.copyOf(channel.subscribers));
        } finally {
            realm.lock.unlock();
        }
    }

    /** Zulip's {@code require_member_or_admin}: bots and guests are refused, so bots learn groups from {@code /register}. */
    private DirectoryResponses.UserGroups getUserGroups(Context ctx, Directory.User caller, Params p) {
        if (caller.isBot) {
            throw ZulipError.badRequest("This endpoint does not accept bot requests.");
        }
        if (caller.role == Role.GUEST) {
            throw ZulipError.badRequest("Not allowed for guest users");
        }
        p.bool("include_deactivated_groups", false);
        realm.lock.lock();
        try {
            Directory directory = realm.directory;
            return new DirectoryResponses.UserGroups(directory.groups().stream().map(g -> Views.userGroup(directory, g)).toList());
        } finally {
            realm.lock.unlock();
        }
    }

    private DirectoryResponses.ServerSettings getServerSettings(Context ctx, Directory.User caller, Params p) {
        return new DirectoryResponses.ServerSettings(realm.realmUrl, realm.realmName);
    }
}
