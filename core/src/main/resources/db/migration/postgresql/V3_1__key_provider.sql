-- Where the key-encryption key lives (one row); see ../sqlite/V3_1__key_provider.sql.
CREATE TABLE key_provider (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    reference      TEXT    NOT NULL,
    wrapped_keyset BYTEA,
    generation     BIGINT  NOT NULL CHECK (generation >= 1),
    updated_at_ms  BIGINT  NOT NULL,
    CHECK ((reference = 'file') = (wrapped_keyset IS NULL))
);
