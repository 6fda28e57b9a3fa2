package dev.mfagate.core.crypto;

import java.util.Objects;

/**
 * Where a provider-wrapped keyset is kept: the store's {@code key_provider} row, so that every
 * instance on the same database reads the same keyset, and a rotation made on one host reaches the
 * others on their next reload. Holds ciphertext only: without the provider's key it opens nothing.
 *
 * <p>Implementations are thread-safe. {@link #generation()} must be cheap (one indexed read): a
 * keyring calls it to decide whether to reload.
 */
public interface KeysetStorage {

    /**
     * A stored wrapped keyset.
     *
     * @param generation increases with every change
     * @param wrapped the envelope from {@link Keyset#wrap}
     */
    record Stored(long generation, byte[] wrapped) {
        /** Copies the array. */
        public Stored {
            wrapped = Objects.requireNonNull(wrapped, "wrapped").clone();
        }

        /** A copy of the envelope. */
        @Override
        public byte[] wrapped() {
            return wrapped.clone();
        }
    }

    /** The wrapped keyset and its generation. */
    Stored load();

    /** The current generation. */
    long generation();

    /**
     * Replaces the wrapped keyset if its generation is still {@code expectedGeneration}.
     *
     * @return the new generation
     * @throws IllegalStateException if another process changed it first (nothing is written)
     */
    long replace(long expectedGeneration, byte[] wrapped);

    /** Where this is, for messages. */
    String description();
}
