package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** The JSON objects of Zulip's API (message, user, channel, subscription, user group), built from realm state. Callers hold the realm lock. */
final class Views {
    private Views() {}

    static ObjectNode message(Realm realm, Realm.MessageRec m, int viewerId, boolean applyMarkdown, boolean clientGravatar,
            boolean withEditHistory) {
        Realm.UserRec sender = realm.user(m.senderId);
        ObjectNode node = Json.object();
        node.put("id", m.id);
        node.put("sender_id", sender.id);
        node.put("content", applyMarkdown ? render(m.content) : m.content);
        node.put("content_type", applyMarkdown ? "text/html" : "text/x-markdown");
        node.put("recipient_id", m.recipientId);
        node.put("timestamp", m.timestamp);
        node.put("client", m.client);
        node.put("subject", m.topic);
        node.putArray("topic_links");
        node.put("is_me_message", isMeMessage(m.content));
        ArrayNode reactions = node.putArray("reactions");
        for (Realm.ReactionRec r : m.reactions) {
            ObjectNode reaction = reactions.addObject();
            reaction.put("emoji_name", r.emojiName());
            reaction.put("emoji_code", r.emojiCode());
            reaction.put("reaction_type", r.reactionType());
            reaction.put("user_id", r.userId());
        }
        node.putArray("submessages");
        node.put("sender_full_name", sender.fullName);
        node.put("sender_email", sender.email);
        node.put("sender_realm_str", Realm.REALM_STRING);
        if (m.isDm()) {
            ArrayNode recipients = node.putArray("display_recipient");
            for (int id : m.participants()) {
                Realm.UserRec user = realm.user(id);
                ObjectNode r = recipients.addObject();
                r.put("id", user.id);
                r.put("email", user.email);
                r.put("full_name", user.fullName);
                r.put("is_mirror_dummy", false);
            }
            node.put("type", "private");
        } else {
            node.put("display_recipient", realm.channel(m.channelId).name);
            node.put("type", "stream");
            node.put("stream_id", m.channelId);
        }
        if (clientGravatar) {
            node.putNull("avatar_url");
        } else {
            node.put("avatar_url", avatarUrl(sender));
        }
        if (m.lastEditTimestamp != null) {
            node.put("last_edit_timestamp", m.lastEditTimestamp);
        }
        if (withEditHistory && !m.edits.isEmpty()) {
            ArrayNode history = node.putArray("edit_history");
            List<Realm.EditRec> edits = m.edits;
            for (int i = edits.size() - 1; i >= 0; i--) {
                Realm.EditRec edit = edits.get(i);
                ObjectNode h = history.addObject();
                h.put("prev_content", edit.prevContent());
                h.put("prev_rendered_content", render(edit.prevContent()));
                h.put("timestamp", edit.timestamp());
                h.put("user_id", edit.userId());
            }
        }
        return node;
    }

    static boolean isMeMessage(String content) {
        return content.startsWith("/me ");
    }

    /**
     * A small stand-in for Zulip's Markdown renderer: HTML-escaped paragraphs with line breaks. Enough for a
     * client that asks for {@code apply_markdown=true} to see HTML; not Zulip's full Markdown dialect.
     */
    static String render(String markdown) {
        StringBuilder html = new StringBuilder();
        for (String paragraph : markdown.strip().split("\n\\s*\n")) {
            html.append("<p>").append(escape(paragraph.strip()).replace("\n", "<br>\n")).append("</p>");
        }
        return html.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    static String avatarUrl(Realm.UserRec user) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(user.email.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return "https://secure.gravatar.com/avatar/" + HexFormat.of().formatHex(digest) + "?d=identicon&version=1";
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK provides MD5", e);
        }
    }

    static ObjectNode user(Realm.UserRec user, boolean clientGravatar) {
        ObjectNode node = Json.object();
        node.put("user_id", user.id);
        node.put("delivery_email", user.email);
        node.put("email", user.email);
        node.put("full_name", user.fullName);
        node.put("date_joined", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(user.dateJoined.atOffset(ZoneOffset.UTC)));
        node.put("is_active", user.active);
        node.put("is_owner", user.role == Role.OWNER);
        node.put("is_admin", user.role.isAdministrator());
        node.put("is_guest", user.role == Role.GUEST);
        node.put("is_bot", user.isBot);
        if (user.isBot) {
            node.put("bot_type", 1);
            node.putNull("bot_owner_id");
        } else {
            node.putNull("bot_type");
        }
        node.put("role", user.role.apiValue());
        node.put("timezone", "");
        if (clientGravatar) {
            node.putNull("avatar_url");
        } else {
            node.put("avatar_url", avatarUrl(user));
        }
        node.put("avatar_version", 1);
        return node;
    }

    /** The fields shared by channel objects ({@code GET /streams}) and subscription objects. */
    private static void channelFields(Realm realm, Realm.ChannelRec c, ObjectNode node) {
        node.put("stream_id", c.id);
        node.put("name", c.name);
        node.put("description", c.description);
        node.put("rendered_description", c.description.isEmpty() ? "" : render(c.description));
        node.put("date_created", c.dateCreated);
        node.putNull("creator_id");
        node.put("invite_only", c.inviteOnly);
        node.put("is_web_public", false);
        node.put("stream_post_policy", 1);
        node.putNull("message_retention_days");
        node.put("history_public_to_subscribers", !c.inviteOnly);
        if (c.firstMessageId == null) {
            node.putNull("first_message_id");
        } else {
            node.put("first_message_id", c.firstMessageId);
        }
        node.put("topics_policy", "inherit");
        node.put("is_recently_active", c.firstMessageId != null);
        node.put("is_announcement_only", false);
        node.put("is_archived", false);
        node.putNull("stream_weekly_traffic");
        node.put("can_add_subscribers_group", realm.administratorsGroupId);
        node.put("can_remove_subscribers_group", realm.administratorsGroupId);
        node.put("can_administer_channel_group", realm.administratorsGroupId);
        node.put("can_send_message_group", realm.everyoneGroupId);
        node.put("can_subscribe_group", realm.nobodyGroupId);
    }

    static ObjectNode channel(Realm realm, Realm.ChannelRec c) {
        ObjectNode node = Json.object();
        channelFields(realm, c, node);
        return node;
    }

    static ObjectNode subscription(Realm realm, Realm.ChannelRec c, boolean includeSubscribers) {
        ObjectNode node = Json.object();
        channelFields(realm, c, node);
        if (includeSubscribers) {
            node.set("subscribers", Json.ints(c.subscribers));
        }
        node.putNull("desktop_notifications");
        node.putNull("email_notifications");
        node.putNull("wildcard_mentions_notify");
        node.putNull("push_notifications");
        node.putNull("audible_notifications");
        node.put("pin_to_top", false);
        node.put("is_muted", false);
        node.put("in_home_view", true);
        node.put("color", "#76ce90");
        return node;
    }

    static ObjectNode userGroup(Realm realm, Realm.GroupRec g) {
        ObjectNode node = Json.object();
        node.put("id", g.id);
        node.put("name", g.name);
        node.put("description", g.description);
        node.set("members", Json.ints(g.members));
        node.set("direct_subgroup_ids", Json.ints(g.subgroups));
        node.put("is_system_group", g.isSystem);
        if (g.dateCreated == null) {
            node.putNull("date_created");
        } else {
            node.put("date_created", g.dateCreated);
        }
        node.putNull("creator_id");
        // Group permission settings are group ids: administrators manage every group; anyone may mention a user-made one.
        int admins = realm.administratorsGroupId;
        node.put("can_add_members_group", admins);
        node.put("can_join_group", admins);
        node.put("can_leave_group", admins);
        node.put("can_manage_group", admins);
        node.put("can_mention_group", g.isSystem ? realm.nobodyGroupId : realm.everyoneGroupId);
        node.put("can_remove_members_group", admins);
        node.put("deactivated", false);
        return node;
    }

    static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
}
