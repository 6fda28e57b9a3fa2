package dev.mfagate.bot;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.mfagate.api.LabelsResponse;
import dev.mfagate.api.TotpResponse;
import dev.mfagate.bot.gateway.GatewayClient;
import dev.mfagate.bot.gateway.GatewayResult;
import dev.mfagate.bot.gateway.RequestedLabel;
import dev.mfagate.bot.gateway.Requester;
import dev.mfagate.bot.zulip.Channel;
import dev.mfagate.bot.zulip.ZulipClient;
import dev.mfagate.bot.zulip.ZulipException;
import dev.mfagate.bot.zulip.ZulipMessage;
import dev.mfagate.bot.zulip.ZulipUser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one incoming message from start to reply: who sent it, where, what they asked, what the
 * gateway says, and where each answer may go.
 *
 * <p>The rules: codes go only into a one-to-one DM with the requester; a request in a channel (bot
 * mentioned) is answered there without the code and the answer goes by DM; a group DM gets a refusal
 * that says why; the bot ignores itself and other bots; people are matched by {@code sender_id}.
 * Logs name message and user ids and outcomes, never message content, codes or tokens.
 *
 * <p>Thread-safe: many messages are handled at once, each on its own virtual thread.
 */
final class Conversation {
    private static final Logger log = LoggerFactory.getLogger(Conversation.class);
    private static final Duration USER_CACHE_TTL = Duration.ofMinutes(10);
    /** Past the step's end, so that an edit never lands while the code is still shown as valid. */
    private static final Duration EXPIRY_GRACE = Duration.ofSeconds(1);

    private record CachedUser(ZulipUser user, long loadedNanos) {}

    private final BotConfig config;
    private final ZulipClient zulip;
    private final GatewayClient gateway;
    private final Membership membership;
    private final ReplyExpiry expiry;
    private final BotMetrics metrics;
    private final Clock clock;
    private final ZulipUser me;
    private final Map<Integer, CachedUser> users = new ConcurrentHashMap<>();

    Conversation(BotConfig config, ZulipClient zulip, GatewayClient gateway, Membership membership, ReplyExpiry expiry,
                 BotMetrics metrics, Clock clock, ZulipUser me) {
        this.config = config;
        this.zulip = zulip;
        this.gateway = gateway;
        this.membership = membership;
        this.expiry = expiry;
        this.metrics = metrics;
        this.clock = clock;
        this.me = me;
    }

    /** Where a message came from, as far as the rules care. */
    private enum Place { ONE_TO_ONE, GROUP_DM, CHANNEL }

    /** Handles {@code m}; {@code receivedNanos} is when the bot got it (for the reply-time metric). */
    void handle(ZulipMessage m, long receivedNanos) {
        if (m.senderId() == me.userId()) {
            return;
        }
        Command.Parsed parsed = Command.parse(m.content(), me.fullName());
        Place place = m.isOneToOneWith(me.userId()) ? Place.ONE_TO_ONE : m.isDirect() ? Place.GROUP_DM : Place.CHANNEL;
        boolean addressed = switch (place) {
            case ONE_TO_ONE -> true;
            case GROUP_DM -> parsed.mentionedBot() || m.flagsMention() || !(parsed.command() instanceof Command.Unrecognised);
            case CHANNEL -> parsed.mentionedBot() || m.flagsMention();
        };
        if (!addressed) {
            return;
        }
        Optional<ZulipUser> sender = user(m.senderId());
        if (sender.map(ZulipUser::isBot).orElse(false)) {
            log.debug("ignoring a message from a bot {} {}", kv("message_id", m.id()), kv("sender_id", m.senderId()));
            return;
        }
        String outcome;
        try {
            outcome = switch (place) {
                case ONE_TO_ONE -> inDirectMessage(m, parsed.command(), sender, receivedNanos);
                case GROUP_DM -> inGroupDirectMessage(m, parsed.command(), receivedNanos);
                case CHANNEL -> inChannel(m, parsed.command(), sender, receivedNanos);
            };
        } catch (ZulipException e) {
            metrics.error("reply_failed");
            log.warn("could not answer a message {} {} {} {}", kv("message_id", m.id()), kv("sender_id", m.senderId()),
                    kv("zulip_status", e.status()), kv("zulip_code", e.code()));
            return;
        }
        log.info("answered a message {} {} {} {}", kv("message_id", m.id()), kv("sender_id", m.senderId()),
                kv("place", place.name().toLowerCase(java.util.Locale.ROOT)), kv("outcome", outcome));
    }

    private String inDirectMessage(ZulipMessage m, Command c, Optional<ZulipUser> sender, long receivedNanos) throws ZulipException {
        return switch (c) {
            case Command.GetCode get -> deliverCode(m, get.label(), sender, receivedNanos);
            case Command.ListLabels list -> deliverLabels(m, sender, receivedNanos);
            case Command.Help help -> directReply(m.senderId(), Replies.help(), "help", receivedNanos);
            case Command.BadLabel bad -> directReply(m.senderId(), Replies.badLabel(), "bad_label", receivedNanos);
            case Command.Unrecognised u -> directReply(m.senderId(), Replies.hint(), "hint", receivedNanos);
        };
    }

    private String inGroupDirectMessage(ZulipMessage m, Command c, long receivedNanos) throws ZulipException {
        String text = switch (c) {
            case Command.GetCode get -> Replies.groupDirectMessageRefused();
            case Command.ListLabels list -> Replies.groupDirectMessageRefused();
            case Command.Help help -> Replies.help();
            case Command.BadLabel bad -> Replies.badLabel();
            case Command.Unrecognised u -> Replies.hint();
        };
        String kind = c instanceof Command.GetCode || c instanceof Command.ListLabels ? "group_dm_refusal" : "group_dm_text";
        zulip.sendDirectToMany(m.recipientIds().stream().filter(id -> id != me.userId()).distinct().toList(), text);
        sent(kind, receivedNanos);
        return kind;
    }

    private String inChannel(ZulipMessage m, Command c, Optional<ZulipUser> sender, long receivedNanos) throws ZulipException {
        String fullName = sender.map(ZulipUser::fullName).orElse(m.senderFullName());
        return switch (c) {
            case Command.GetCode get -> {
                String outcome = deliverCode(m, get.label(), sender, receivedNanos);
                channelReply(m, Replies.sentByDirectMessage(fullName, m.senderId()), "channel_ack", receivedNanos);
                yield outcome;
            }
            case Command.ListLabels list -> {
                String outcome = deliverLabels(m, sender, receivedNanos);
                channelReply(m, Replies.sentByDirectMessage(fullName, m.senderId()), "channel_ack", receivedNanos);
                yield outcome;
            }
            case Command.Help help -> channelReply(m, Replies.help(), "help", receivedNanos);
            case Command.BadLabel bad -> channelReply(m, Replies.badLabel(), "bad_label", receivedNanos);
            case Command.Unrecognised u -> channelReply(m, Replies.hint(), "hint", receivedNanos);
        };
    }

    private String deliverCode(ZulipMessage m, RequestedLabel label, Optional<ZulipUser> sender, long receivedNanos) throws ZulipException {
        Requester who = requester(m, sender);
        GatewayResult<TotpResponse> answer = gateway.code(label, who, requestId(m));
        return switch (answer) {
            case GatewayResult.Ok<TotpResponse> ok -> {
                TotpResponse r = ok.value();
                long replyId = zulip.sendDirect(m.senderId(), Replies.code(r, label.value(), config.expiryAction()));
                sent("code", receivedNanos);
                Instant expires = expiresAt(r);
                expiry.schedule(replyId, label.value(), expires);
                auditNotice(m, sender, label);
                if (!clock.instant().isBefore(expires.minus(EXPIRY_GRACE))) {
                    // Zulip took the reply only after retries outlasted the code: it is taken down at
                    // once, and the member is told why rather than left with nothing.
                    directReply(m.senderId(), Replies.expiredBeforeDelivery(label.value()), "late_code", receivedNanos);
                    yield "code_late";
                }
                yield "code";
            }
            case GatewayResult.Refused<TotpResponse> no -> {
                directReply(m.senderId(), Replies.refused(no.refusal(), label.value(), no.retryAfter(), no.dailyCap()), "refusal", receivedNanos);
                metrics.error("gateway_" + no.refusal().name().toLowerCase(java.util.Locale.ROOT));
                yield "refused:" + no.wireCode();
            }
            case GatewayResult.Unreachable<TotpResponse> down -> {
                directReply(m.senderId(), Replies.unreachable(), "unreachable", receivedNanos);
                metrics.error("gateway_unreachable");
                log.warn("gateway unreachable {} {}", kv("message_id", m.id()), kv("reason", down.reason()));
                yield "gateway_unreachable";
            }
        };
    }

    private String deliverLabels(ZulipMessage m, Optional<ZulipUser> sender, long receivedNanos) throws ZulipException {
        GatewayResult<LabelsResponse> answer = gateway.labels(requester(m, sender), requestId(m));
        return switch (answer) {
            case GatewayResult.Ok<LabelsResponse> ok -> directReply(m.senderId(), Replies.labels(ok.value().labels()), "labels", receivedNanos);
            case GatewayResult.Refused<LabelsResponse> no -> {
                directReply(m.senderId(), Replies.listRefused(no.refusal(), no.retryAfter()), "refusal", receivedNanos);
                yield "refused:" + no.wireCode();
            }
            case GatewayResult.Unreachable<LabelsResponse> down -> {
                metrics.error("gateway_unreachable");
                directReply(m.senderId(), Replies.unreachable(), "unreachable", receivedNanos);
                yield "gateway_unreachable";
            }
        };
    }

    private Requester requester(ZulipMessage m, Optional<ZulipUser> sender) {
        String email = sender.map(ZulipUser::email).filter(e -> !e.isEmpty()).orElse(m.senderEmail());
        List<Long> channels;
        try {
            channels = membership.channelsOf(m.senderId());
        } catch (ZulipException e) {
            // Fewer claims can only mean less access: the gateway denies by default.
            metrics.error("membership_unavailable");
            log.warn("channel membership unavailable; asking without channels {} {}", kv("sender_id", m.senderId()), kv("zulip_code", e.code()));
            channels = List.of();
        }
        return new Requester(m.senderId(), email, membership.groupsOf(m.senderId()), channels);
    }

    private void auditNotice(ZulipMessage m, Optional<ZulipUser> sender, RequestedLabel label) {
        if (config.auditMode() == AuditMode.OFF) {
            return;
        }
        String channel = config.auditChannel();
        try {
            if (config.auditMode() == AuditMode.CLIENT) {
                channel = membership.channelNamed(label.client()).map(Channel::name).orElse(config.auditChannel());
            }
            String fullName = sender.map(ZulipUser::fullName).orElse(m.senderFullName());
            zulip.sendToChannel(channel, config.auditTopic(), Replies.auditNotice(fullName, m.senderId(), label.value()));
            metrics.replySent("audit_notice");
        } catch (ZulipException e) {
            metrics.error("audit_notice_failed");
            log.warn("could not post the audit notice {} {}", kv("message_id", m.id()), kv("zulip_code", e.code()));
        }
    }

    private String directReply(int userId, String text, String kind, long receivedNanos) throws ZulipException {
        zulip.sendDirect(userId, text);
        sent(kind, receivedNanos);
        return kind;
    }

    private String channelReply(ZulipMessage m, String text, String kind, long receivedNanos) throws ZulipException {
        String to = m.channelName() != null ? m.channelName() : String.valueOf(m.streamId());
        zulip.sendToChannel(to, m.topic(), text);
        sent(kind, receivedNanos);
        return kind;
    }

    private void sent(String kind, long receivedNanos) {
        metrics.replySent(kind);
        metrics.replyTime().record(System.nanoTime() - receivedNanos, TimeUnit.NANOSECONDS);
    }

    /** When every code in the reply has expired: end of the current step, plus the next step if shown. */
    private Instant expiresAt(TotpResponse r) {
        Instant at;
        try {
            at = r.timestamp() == null ? clock.instant() : Instant.parse(r.timestamp());
        } catch (DateTimeParseException e) {
            at = clock.instant();
        }
        long seconds = r.validForSeconds() + (r.nextCode() != null && r.nextValidForSeconds() != null ? r.nextValidForSeconds() : 0);
        return at.plusSeconds(seconds).plus(EXPIRY_GRACE);
    }

    private Optional<ZulipUser> user(int userId) {
        CachedUser c = users.get(userId);
        if (c != null && System.nanoTime() - c.loadedNanos() < USER_CACHE_TTL.toNanos()) {
            return Optional.of(c.user());
        }
        try {
            ZulipUser u = zulip.user(userId);
            users.put(userId, new CachedUser(u, System.nanoTime()));
            return Optional.of(u);
        } catch (ZulipException e) {
            metrics.error("user_lookup_failed");
            log.warn("could not look up a sender; treating them as a person {} {}", kv("sender_id", userId), kv("zulip_code", e.code()));
            return Optional.empty();
        }
    }

    private static String requestId(ZulipMessage m) {
        return "zulip-message-" + m.id();
    }
}
