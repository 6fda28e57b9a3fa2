-- Per-tenant keys (PostgreSQL); see ../sqlite/V6__tenant_keys.sql.
CREATE TABLE tenant_key (
    tenant_id           TEXT    NOT NULL PRIMARY KEY REFERENCES tenant (id),
    reference           TEXT    NOT NULL CHECK (reference <> 'file'),
    state               TEXT    NOT NULL CHECK (state IN ('active', 'revoked')),
    wrapped_keyset      BYTEA,
    primary_kek_id      TEXT    NOT NULL,
    installation_kek_id TEXT,
    generation          BIGINT  NOT NULL CHECK (generation >= 1),
    updated_at_ms       BIGINT  NOT NULL,
    CHECK ((state = 'active') = (wrapped_keyset IS NOT NULL)),
    CHECK ((reference = 'keyset' AND state = 'active') = (installation_kek_id IS NOT NULL))
);
