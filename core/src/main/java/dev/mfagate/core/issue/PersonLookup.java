package dev.mfagate.core.issue;

import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Recognises the Zulip user a delegated request is for as a person: the one whose
 * {@code zulip:<user id>} identity is linked ({@link TenantRepository#link}), so that a
 * {@code person:<id>} rule grants that human's codes through the bot as it does in the console.
 *
 * <p>Implementations are thread-safe. {@link #cached} is the gateway's: one indexed query per
 * user, remembered (found or not) for at most its time to live, so a link or unlink made anywhere
 * takes effect within that bound, as a policy change does ({@link PolicyRepository}).
 */
@FunctionalInterface
public interface PersonLookup {

    /** The person whose {@code zulip:<userId>} identity is linked, if any; may throw a store failure. */
    Optional<PersonId> personOfZulipUser(long userId);

    /** Recognises nobody (demo mode, and issuers built without people). */
    static PersonLookup none() {
        return userId -> Optional.empty();
    }

    /** The store's links, each answer kept for the policy cache's staleness bound ({@value PolicyRepository#DEFAULT_MAX_STALENESS_MILLIS} ms). */
    static PersonLookup cached(TenantRepository tenants) {
        return cached(tenants, Duration.ofMillis(PolicyRepository.DEFAULT_MAX_STALENESS_MILLIS), System::nanoTime);
    }

    /** The store's links, each answer kept for {@code ttl} ({@link Duration#ZERO}: every request asks the store). */
    static PersonLookup cached(TenantRepository tenants, Duration ttl, LongSupplier nanoTime) {
        return new Cached(tenants, ttl, nanoTime);
    }

    /** {@link #cached}: a bounded map of user id to answer and when it goes stale. */
    final class Cached implements PersonLookup {
        private static final int MAX_ENTRIES = 100_000;

        private record Answer(Optional<PersonId> person, long staleAtNanos) {
        }

        private final TenantRepository tenants;
        private final long ttlNanos;
        private final LongSupplier nanoTime;
        private final ConcurrentHashMap<Long, Answer> answers = new ConcurrentHashMap<>();

        private Cached(TenantRepository tenants, Duration ttl, LongSupplier nanoTime) {
            this.tenants = Objects.requireNonNull(tenants, "tenants");
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("ttl " + ttl + " must not be negative");
            }
            this.ttlNanos = ttl.toNanos();
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        }

        @Override
        public Optional<PersonId> personOfZulipUser(long userId) {
            long now = nanoTime.getAsLong();
            Answer a = answers.get(userId);
            if (a != null && now - a.staleAtNanos() < 0) {
                return a.person();
            }
            Optional<PersonId> person = tenants.personOf(new Identity.ZulipUser(userId));
            if (ttlNanos > 0) {
                if (answers.size() > MAX_ENTRIES) {
                    answers.clear();
                }
                answers.put(userId, new Answer(person, now + ttlNanos));
            }
            return person;
        }
    }
}
