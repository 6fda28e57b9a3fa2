-- Where the key-encryption key lives (one row). Keep in step with ../postgresql/V3_1__key_provider.sql.
-- reference is 'file' (keyset.json or MFAGATE_KEYSET holds the keyset in clear, never the database)
-- or a provider reference (pkcs11:..., awskms:..., transit:...; never a secret). For a provider,
-- wrapped_keyset is the keyset (KEK and audit MAC key) encrypted under a key that never leaves the
-- HSM or KMS: useless without it. generation grows with every change (rotation, retirement,
-- migration), so other instances reload when it moves. A store made before this table gets its
-- 'file' row when it is next opened.
CREATE TABLE key_provider (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    reference      TEXT    NOT NULL,
    wrapped_keyset BLOB,
    generation     INTEGER NOT NULL CHECK (generation >= 1),
    updated_at_ms  INTEGER NOT NULL,
    CHECK ((reference = 'file') = (wrapped_keyset IS NULL))
) STRICT;
