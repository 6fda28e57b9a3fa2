package dev.mfagate.core.admin;

import java.util.Objects;

/**
 * The outcome of an administrative act: {@link Done} with its value, or {@link Refused} with a kind
 * the door maps to its status. A {@link Kind#NOT_FOUND} refusal always carries
 * {@link #NOT_FOUND_MESSAGE}, whether the object is missing or is another tenant's, so that the two
 * cannot be told apart. Messages never hold a secret.
 *
 * @param <T> the value of a successful act
 */
public sealed interface AdminResult<T> {

    /** The one message of every {@link Kind#NOT_FOUND} refusal. */
    String NOT_FOUND_MESSAGE = "No such tenant or object";

    /** Why an act was refused. */
    enum Kind {
        /** The input breaks a rule; nothing was written. */
        INVALID,
        /** The caller's role does not allow the act where it may see. */
        FORBIDDEN,
        /** The object does not exist, or is in a tenant the caller may not see. */
        NOT_FOUND,
        /** The act conflicts with what is stored (a name or id taken, a label stored already). */
        CONFLICT
    }

    /** Done. @param value what the act returns @param <T> its type */
    record Done<T>(T value) implements AdminResult<T> {
        /** Validates. */
        public Done {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Refused; nothing was written.
     *
     * @param kind why
     * @param message what the caller is told
     * @param auditReason the stable reason the audit entry records (tells not-visible from missing)
     * @param <T> the value type of the act
     */
    record Refused<T>(Kind kind, String message, String auditReason) implements AdminResult<T> {
        /** Validates. */
        public Refused {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(auditReason, "auditReason");
        }

        /** Retypes the refusal. */
        @SuppressWarnings("unchecked")
        public <U> Refused<U> cast() {
            return (Refused<U>) this;
        }
    }

    /** Input breaking a rule. */
    static <T> AdminResult<T> invalid(String message) {
        return new Refused<>(Kind.INVALID, message, "invalid_input");
    }

    /** The audit reason of a batch with more seeds than one request may add ({@link Kind#INVALID}). */
    String SEED_BATCH_TOO_LARGE = "seed_batch_too_large";
    /** The audit reason of a batch that would take a tenant past its seed limit ({@link Kind#CONFLICT}). */
    String TENANT_SEED_LIMIT = "tenant_seed_limit";

    /** A missing object (the same answer as one the caller may not see). */
    static <T> AdminResult<T> notFound() {
        return new Refused<>(Kind.NOT_FOUND, NOT_FOUND_MESSAGE, "no_such_object");
    }

    /** A conflict with what is stored. */
    static <T> AdminResult<T> conflict(String message) {
        return new Refused<>(Kind.CONFLICT, message, "conflict");
    }
}
