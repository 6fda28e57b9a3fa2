-- Per-tenant keys (SQLite). Keep in step with ../postgresql/V6__tenant_keys.sql.
-- A tenant with a row here has its own key-encryption key: the data keys of its seeds (the seeds whose
-- label's client part is tenant_id) are wrapped under it, not under the installation's KEK, so its key
-- can be rotated, or revoked, without touching another tenant's. A tenant without a row uses the
-- installation's KEK.
-- reference is 'keyset' (the tenant's keyset wrapped under the installation's KEK, whose id is
-- installation_kek_id) or a provider reference (pkcs11:..., awskms:..., transit:...; never a secret),
-- whose key wraps the tenant's keyset. wrapped_keyset is ciphertext only. primary_kek_id is the KEK
-- every data key of the tenant must be wrapped under (the tenant's kek_state). generation grows with
-- every change, so other instances reload. Revoking erases the wrapped keyset: the tenant's seeds then
-- open nowhere (their codes are refused with 503 tenant_key_revoked) until they are removed.
CREATE TABLE tenant_key (
    tenant_id           TEXT    NOT NULL PRIMARY KEY REFERENCES tenant (id),
    reference           TEXT    NOT NULL CHECK (reference <> 'file'),
    state               TEXT    NOT NULL CHECK (state IN ('active', 'revoked')),
    wrapped_keyset      BLOB,
    primary_kek_id      TEXT    NOT NULL,
    installation_kek_id TEXT,
    generation          INTEGER NOT NULL CHECK (generation >= 1),
    updated_at_ms       INTEGER NOT NULL,
    CHECK ((state = 'active') = (wrapped_keyset IS NOT NULL)),
    CHECK ((reference = 'keyset' AND state = 'active') = (installation_kek_id IS NOT NULL))
) STRICT;
