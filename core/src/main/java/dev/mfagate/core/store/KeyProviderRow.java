package dev.mfagate.core.store;

import dev.mfagate.core.crypto.KeyProviders;
import dev.mfagate.core.crypto.KeysetStorage;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code key_provider} row: where the KEK lives ({@code file} or a provider reference) and, for
 * a provider, the wrapped keyset. As a {@link KeysetStorage} it is what a provider keyring reads and
 * writes.
 */
final class KeyProviderRow implements KeysetStorage {

    /** One read of the row. */
    record Row(String reference, byte[] wrapped, long generation) {
        boolean isFile() {
            return KeyProviders.isFile(reference);
        }
    }

    private final Database database;

    KeyProviderRow(Database database) {
        this.database = database;
    }

    static Optional<Row> read(Handle h) {
        return h.createQuery("SELECT reference, wrapped_keyset, generation FROM key_provider WHERE id = 1")
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getBytes(2), rs.getLong(3)))
                .findOne();
    }

    /** Records the keyset file as where the keys live, unless a row exists (stores made before the table). */
    static void claimForFile(Handle h, long nowMs) {
        h.createUpdate("INSERT INTO key_provider (id, reference, wrapped_keyset, generation, updated_at_ms)"
                        + " VALUES (1, ?, NULL, 1, ?) ON CONFLICT (id) DO NOTHING")
                .bind(0, KeyProviders.FILE).bind(1, nowMs).execute();
    }

    /** Sets where the keys live (a migration): the row is created or replaced, its generation moves on. */
    static void set(Handle h, String reference, byte[] wrapped, long nowMs) {
        h.createUpdate("INSERT INTO key_provider (id, reference, wrapped_keyset, generation, updated_at_ms)"
                        + " VALUES (1, :ref, :wrapped, 1, :now) ON CONFLICT (id) DO UPDATE SET reference = :ref,"
                        + " wrapped_keyset = :wrapped, generation = key_provider.generation + 1, updated_at_ms = :now")
                .bind("ref", reference).bind("wrapped", wrapped).bind("now", nowMs).execute();
    }

    @Override
    public Stored load() {
        Row row = database.jdbi().withHandle(KeyProviderRow::read)
                .orElseThrow(() -> new IllegalStateException("The key_provider row of " + database.description() + " is missing"));
        if (row.wrapped() == null) {
            throw new IllegalStateException("The keys of " + database.description() + " live in the keyset file,"
                    + " not with a key provider");
        }
        return new Stored(row.generation(), row.wrapped());
    }

    @Override
    public long generation() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT generation FROM key_provider WHERE id = 1")
                .mapTo(Long.class).findOne().orElse(0L));
    }

    @Override
    public long replace(long expectedGeneration, byte[] wrapped) {
        int updated = database.jdbi().withHandle(h -> h.createUpdate("UPDATE key_provider SET wrapped_keyset = :wrapped,"
                        + " generation = generation + 1, updated_at_ms = :now WHERE id = 1 AND generation = :expected"
                        + " AND reference <> 'file'")
                .bind("wrapped", wrapped).bind("now", System.currentTimeMillis()).bind("expected", expectedGeneration)
                .execute());
        if (updated != 1) {
            throw new IllegalStateException("The wrapped keyset in " + database.description() + " was changed by another"
                    + " process (generation is no longer " + expectedGeneration + "); nothing was written, try again");
        }
        return expectedGeneration + 1;
    }

    @Override
    public String description() {
        return "the key_provider row of " + database.description();
    }
}
