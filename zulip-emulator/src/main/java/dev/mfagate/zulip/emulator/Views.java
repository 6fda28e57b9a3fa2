package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Zulip's objects ({@link Wire} records: message, user, channel, subscription, user group) made from the realm's
 * state as one viewer sees them, and the small renderings they need (Markdown, Gravatar URLs, dates). Callers
 * hold the realm's lock; the records returned are snapshots.
 */
final class Views {
    /** Zulip's {@code sender_realm_str}: the organisation's subdomain. */
    static final String REALM_STRING = "zulip";

    private Views() {}

    /** The message as Zulip sends it; {@code withEditHistory} adds the history (newest first) once edited. */
    static Wire.Message message(Directory directory, MessageStore.Message m, boolean applyMarkdown, boolean clientGravatar,
            boolean withEditHistory) {
        Directory.User sender = directory.user(m.senderId);
        List<Wire.Reaction> reactions = m.reactions.stream()
                .map(r -> new Wire.Reaction(r.emojiName(), r.emojiCode(), r.reactionType(), r.userId())).toList();
        Object displayRecipient;
        if (m.isDm()) {
            displayRecipient = m.participants().stream().map(directory::user)
                    .map(u -> new Wire.DirectRecipient(u.id, u.email, u.fullName)).toList();
        } else {
            displayRecipient = directory.channel(m.channelId).name;
        }
        List<Wire.EditHistoryEntry> history = null;
        if (withEditHistory && !m.edits.isEmpty()) {
            history = new ArrayList<>();
            for (int i = m.edits.size() - 1; i >= 0; i--) {
                MessageStore.Edit edit = m.edits.get(i);
                history.add(new Wire.EditHistoryEntry(edit.prevContent(), render(edit.prevContent()), edit.timestamp(), edit.userId()));
            }
        }
        return new Wire.Message(m.id, sender.id, applyMarkdown ? render(m.content) : m.content,
                applyMarkdown ? "text/html" : "text/x-markdown", m.recipientId, m.timestamp, m.client, m.topic,
                isMeMessage(m.content), reactions, sender.fullName, sender.email, displayRecipient,
                m.isDm() ? "private" : "stream", m.isDm() ? null : m.channelId, clientGravatar ? null : avatarUrl(sender),
                m.lastEditTimestamp, history, null);
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

    static String avatarUrl(Directory.User user) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(user.email.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return "https://secure.gravatar.com/avatar/" + HexFormat.of().formatHex(digest) + "?d=identicon&version=1";
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK provides MD5", e);
        }
    }

    /** Zulip's {@code date_joined}: ISO 8601 with offset, in UTC. */
    static String dateJoined(Directory.User user) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(user.dateJoined.atOffset(ZoneOffset.UTC));
    }

    static Wire.User user(Directory.User user, boolean clientGravatar) {
        return new Wire.User(user.id, user.email, user.email, user.fullName, dateJoined(user), user.active,
                user.role == Role.OWNER, user.role.isAdministrator(), user.role == Role.GUEST, user.isBot,
                user.isBot ? 1 : null, user.isBot ? NullNode.getInstance() : null, user.role.apiValue(),
                clientGravatar ? null : avatarUrl(user));
    }

    /**
     * The channel as {@code GET /streams} and {@code never_subscribed} show it: administrators manage subscribers and
     * the channel, everyone may post, nobody may subscribe others.
     */
    static Wire.Channel channel(Directory directory, Directory.Channel c, boolean withSubscribers) {
        int admins = directory.administratorsGroupId;
        return new Wire.Channel(c.id, c.name, c.description, c.description.isEmpty() ? "" : render(c.description),
                c.dateCreated, c.inviteOnly, c.firstMessageId, admins, admins, admins, directory.everyoneGroupId,
                directory.nobodyGroupId, withSubscribers ? List.copyOf(c.subscribers) : null);
    }

    static Wire.Subscription subscription(Directory directory, Directory.Channel c, boolean withSubscribers) {
        return new Wire.Subscription(channel(directory, c, withSubscribers));
    }

    /** The group: administrators manage every group; anyone may mention a group made by the test, nobody a system group. */
    static Wire.UserGroup userGroup(Directory directory, Directory.Group g) {
        int admins = directory.administratorsGroupId;
        return new Wire.UserGroup(g.id, g.name, g.description, List.copyOf(g.members), g.subgroups, g.isSystem,
                g.dateCreated, admins, admins, admins, admins, g.isSystem ? directory.nobodyGroupId : directory.everyoneGroupId,
                admins);
    }

    static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
}
