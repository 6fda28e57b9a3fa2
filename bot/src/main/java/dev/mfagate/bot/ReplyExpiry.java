package dev.mfagate.bot;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.mfagate.bot.zulip.ChangeResult;
import dev.mfagate.bot.zulip.ZulipClient;
import dev.mfagate.bot.zulip.ZulipException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes codes out of Zulip once they expired: edits each code reply to say so, or deletes it
 * ({@link ExpiryAction}). An organisation may forbid editing or deleting (or limit it in time); the
 * first refusal of each kind is logged once as a warning and the bot carries on.
 *
 * <p>On {@link #close()} every pending reply is expired at once, so that no code outlives the bot's
 * watch in the conversation. Thread-safe.
 */
final class ReplyExpiry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplyExpiry.class);

    private final ZulipClient zulip;
    private final ExpiryAction action;
    private final BotMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Long, String> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean warnedRefusal = new AtomicBoolean();

    ReplyExpiry(ZulipClient zulip, ExpiryAction action, BotMetrics metrics, Clock clock) {
        this.zulip = zulip;
        this.action = action;
        this.metrics = metrics;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reply-expiry");
            t.setDaemon(true);
            return t;
        });
    }

    /** Expires reply {@code messageId} (about {@code label}) at {@code when}. */
    void schedule(long messageId, String label, Instant when) {
        pending.put(messageId, label);
        long delayMillis = Math.max(0, Duration.between(clock.instant(), when).toMillis());
        timer.schedule(() -> workers.execute(() -> expire(messageId)), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** How many replies still hold a code. */
    int pendingCount() {
        return pending.size();
    }

    private void expire(long messageId) {
        String label = pending.remove(messageId);
        if (label == null) {
            return; // already done by close()
        }
        try {
            ChangeResult r = action == ExpiryAction.DELETE ? zulip.deleteMessage(messageId) : zulip.editMessage(messageId, Replies.expired(label));
            if (action == ExpiryAction.DELETE && r instanceof ChangeResult.Refused) {
                // Deleting is forbidden here: an edit at least takes the code out of the visible message.
                ChangeResult edited = zulip.editMessage(messageId, Replies.expired(label));
                if (!(edited instanceof ChangeResult.Refused)) {
                    if (warnedRefusal.compareAndSet(false, true)) {
                        log.warn("Zulip refused to delete an expired code reply; edited it instead. The code stays in the"
                                + " message's edit history; allow bots to delete their own messages to avoid that. {}",
                                kv("zulip_code", ((ChangeResult.Refused) r).code()));
                    }
                    metrics.replySent("expiry_edit");
                    return;
                }
                r = edited;
            }
            if (r instanceof ChangeResult.Refused refused) {
                metrics.error("expiry_refused");
                if (warnedRefusal.compareAndSet(false, true)) {
                    log.warn("Zulip refused to {} an expired code reply; the organisation's settings forbid it. Carrying on; codes stay visible until they are removed by hand. {} {}",
                            action == ExpiryAction.DELETE ? "delete" : "edit", kv("status", refused.status()), kv("zulip_code", refused.code()));
                }
            } else {
                metrics.replySent(action == ExpiryAction.DELETE ? "expiry_delete" : "expiry_edit");
            }
        } catch (ZulipException e) {
            metrics.error("expiry_failed");
            log.warn("could not expire a code reply {} {}", kv("message_id", messageId), kv("zulip_code", e.code()));
        }
    }

    /** Expires every pending reply now and waits (up to {@code grace}) for the edits to finish. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    void close(Duration grace) {
        timer.shutdownNow();
        List<Long> ids = new ArrayList<>(pending.keySet());
        ids.forEach(id -> workers.execute(() -> expire(id)));
        workers.shutdown();
        try {
            workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
