-- mfagate store schema, version 1 (PostgreSQL). Keep in step with ../sqlite/V1__seeds_keys_tokens.sql.
-- Times are epoch milliseconds (UTC), as in SQLite, so both dialects share one mapping.
-- No column ever holds a seed or a token in clear.

-- One row per live seed; see the SQLite file for the envelope layout.
CREATE TABLE seeds (
    label          TEXT    NOT NULL PRIMARY KEY,
    version        INTEGER NOT NULL CHECK (version >= 1),
    algorithm      TEXT    NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
    digits         INTEGER NOT NULL CHECK (digits BETWEEN 6 AND 8),
    period_seconds INTEGER NOT NULL CHECK (period_seconds BETWEEN 1 AND 86400),
    issuer         TEXT,
    account_name   TEXT,
    kek_id         TEXT    NOT NULL,
    wrapped_key    BYTEA   NOT NULL,
    ciphertext     BYTEA   NOT NULL,
    created_at_ms  BIGINT  NOT NULL
);

-- The last version handed out per label, kept after removal (versions never repeat).
CREATE TABLE seed_label_versions (
    label        TEXT    NOT NULL PRIMARY KEY,
    last_version INTEGER NOT NULL CHECK (last_version >= 1)
);

-- The KEK every data key must be wrapped under (one row); adders read it FOR SHARE, rotation
-- updates it in the re-wrap transaction.
CREATE TABLE kek_state (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    primary_kek_id TEXT    NOT NULL
);

-- API tokens. The token is mfg_<id>_<secret>; only SHA-256 of the whole token is stored.
CREATE TABLE api_tokens (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    token_sha256  BYTEA   NOT NULL CHECK (octet_length(token_sha256) = 32),
    label_pattern TEXT    NOT NULL,
    on_behalf_of  BOOLEAN NOT NULL,
    created_at_ms BIGINT  NOT NULL,
    expires_at_ms BIGINT,
    revoked_at_ms BIGINT
);
