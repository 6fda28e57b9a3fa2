-- mfagate store schema, version 1 (SQLite). Keep in step with ../postgresql/V1__seeds_keys_tokens.sql.
-- Times are epoch milliseconds (UTC). No column ever holds a seed or a token in clear.

-- One row per live seed. The secret exists only inside ciphertext, encrypted under a per-seed data
-- key; wrapped_key is that data key encrypted by the KEK whose id is kek_id. Both ciphertexts are
-- bound to (label, version) by their associated data. The parameters are repeated in clear for
-- listing; find() uses the authenticated copy inside the ciphertext.
CREATE TABLE seeds (
    label          TEXT    NOT NULL PRIMARY KEY,
    version        INTEGER NOT NULL CHECK (version >= 1),
    algorithm      TEXT    NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
    digits         INTEGER NOT NULL CHECK (digits BETWEEN 6 AND 8),
    period_seconds INTEGER NOT NULL CHECK (period_seconds BETWEEN 1 AND 86400),
    issuer         TEXT,
    account_name   TEXT,
    kek_id         TEXT    NOT NULL,
    wrapped_key    BLOB    NOT NULL,
    ciphertext     BLOB    NOT NULL,
    created_at_ms  INTEGER NOT NULL
) STRICT;

-- The last version handed out per label, kept after a seed is removed so that a label added again
-- gets a higher version and an old backup row cannot pass for the new seed.
CREATE TABLE seed_label_versions (
    label        TEXT    NOT NULL PRIMARY KEY,
    last_version INTEGER NOT NULL CHECK (last_version >= 1)
) STRICT;

-- The KEK every data key must be wrapped under (one row). Key rotation updates it in the same
-- transaction that re-wraps the data keys; adding a seed checks it in its own transaction, so a
-- process with an out-of-date keyset cannot store a data key under a KEK about to be destroyed.
CREATE TABLE kek_state (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    primary_kek_id TEXT    NOT NULL
) STRICT;

-- API tokens. The token is mfg_<id>_<secret>; only SHA-256 of the whole token is stored.
CREATE TABLE api_tokens (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    token_sha256  BLOB    NOT NULL CHECK (length(token_sha256) = 32),
    label_pattern TEXT    NOT NULL,
    on_behalf_of  INTEGER NOT NULL CHECK (on_behalf_of IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER,
    revoked_at_ms INTEGER
) STRICT;
