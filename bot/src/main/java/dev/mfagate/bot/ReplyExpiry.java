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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes codes out of Zulip once they expired: edits each code reply to say so, or deletes it
 * ({@link ExpiryAction}). An organisation may forbid editing or deleting (or limit it in time); the
 * first refusal of each kind is logged once as a warning and the bot carries on. Its requests go through
 * the housekeeping lane of the rate guard (the client it is given), behind replies to people.
 *
 * <p>A reply counts as pending (still showing a code) until Zulip confirmed the edit or deletion; one whose
 * expiry failed even after the client's retries stays pending, so that shutdown tries it again.
 * On {@link #close(Duration)} every pending reply is expired at once, within the grace; the ones Zulip did
 * not take down in time are logged in one warning, by count and message id (never their content).
 * Thread-safe.
 */
final class ReplyExpiry {
    private static final Logger log = LoggerFactory.getLogger(ReplyExpiry.class);

    private final ZulipClient zulip;
    private final ExpiryAction action;
    private final BotMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    /** Message id → label of every reply still showing a code. */
    private final Map<Long, String> pending = new ConcurrentHashMap<>();
    /** Replies a worker is expiring now, so that close() does not send the same request twice. */
    private final Set<Long> claimed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean warnedRefusal = new AtomicBoolean();
    private volatile boolean closing;
    private volatile boolean abandoned;

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

    /** Expires reply {@code messageId} (about {@code label}) at {@code when}; at once if shutdown has begun. */
    void schedule(long messageId, String label, Instant when) {
        pending.put(messageId, label);
        if (!closing) {
            long delayMillis = Math.max(0, Duration.between(clock.instant(), when).toMillis());
            try {
                timer.schedule(() -> submit(messageId), delayMillis, TimeUnit.MILLISECONDS);
                return;
            } catch (RejectedExecutionException e) {
                // close() began between the check and here: expire it now, as close() does.
            }
        }
        if (!submit(messageId)) {
            log.warn("a code reply was sent after shutdown finished expiring replies; it still shows a code {}",
                    kv("message_id", messageId));
        }
    }

    /** How many replies still hold a code. */
    int pendingCount() {
        return pending.size();
    }

    private boolean submit(long messageId) {
        try {
            workers.execute(() -> expire(messageId));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void expire(long messageId) {
        if (!claimed.add(messageId)) {
            return; // another worker is on it
        }
        try {
            String label = pending.get(messageId);
            if (label != null && takeDown(messageId, label)) {
                pending.remove(messageId);
            }
        } finally {
            claimed.remove(messageId);
        }
    }

    /** Edits or deletes the reply; true when nothing more can be done (done, or refused by the organisation). */
    private boolean takeDown(long messageId, String label) {
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
                    return true;
                }
                r = edited;
            }
            if (r instanceof ChangeResult.Refused refused) {
                metrics.error("expiry_refused");
                if (warnedRefusal.compareAndSet(false, true)) {
                    log.warn("Zulip refused to {} an expired code reply; the organisation's settings forbid it. Carrying on; codes stay visible until they are removed by hand. {} {} {}",
                            action == ExpiryAction.DELETE ? "delete" : "edit", kv("message_id", messageId), kv("status", refused.status()),
                            kv("zulip_code", refused.code()));
                } else {
                    // Each one, by id: the operator removes them by hand, so needs to know which.
                    log.warn("expired code reply left showing its code {}", kv("message_id", messageId));
                }
            } else {
                metrics.replySent(action == ExpiryAction.DELETE ? "expiry_delete" : "expiry_edit");
            }
            return true;
        } catch (ZulipException e) {
            if (!abandoned) {
                metrics.error("expiry_failed");
                log.warn("could not expire a code reply {} {}", kv("message_id", messageId), kv("zulip_code", e.code()));
            }
            return false;
        }
    }

    /**
     * Expires every pending reply now and waits up to {@code grace} for Zulip to confirm. Then requests still
     * waiting in the rate guard are dropped, and those on the wire get up to {@code inFlightLimit} to answer,
     * so that the log is exact: what is left is logged in one warning (how many, which message ids).
     * The client given at construction, a view of the bot's, is closed here.
     */
    void close(Duration grace, Duration inFlightLimit) {
        closing = true;
        timer.shutdownNow();
        int due = pending.size();
        List<Long> ids = new ArrayList<>(pending.keySet());
        ids.forEach(this::submit);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                abandoned = true;
                zulip.close(); // waiting requests give up unsent; a request on the wire finishes
                if (!workers.awaitTermination(inFlightLimit.toMillis(), TimeUnit.MILLISECONDS)) {
                    workers.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        abandoned = true;
        zulip.close();
        List<Long> left = pending.keySet().stream().sorted().toList();
        if (!left.isEmpty()) {
            metrics.error("expiry_left_at_shutdown");
            log.warn("{} code replies still show a code: Zulip did not take them down within the shutdown grace"
                    + " (MFAGATE_BOT_SHUTDOWN_GRACE_MS); remove them by hand {} {} {}", left.size(), kv("left", left.size()),
                    kv("message_ids", left), kv("grace_ms", grace.toMillis()));
        } else if (due > 0) {
            log.info("every code reply still showing was taken down before shutdown {}", kv("expired", due));
        }
    }
}
