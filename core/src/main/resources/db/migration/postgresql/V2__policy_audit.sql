-- Policy, daily caps, lockout, rate-limit buckets and the audit chain (PostgreSQL).
-- Times are epoch milliseconds (audit: microseconds) in BIGINT columns, so both dialects store
-- exactly the same values and the audit MAC covers exactly what is stored.

CREATE TABLE policy_rule (
    id            VARCHAR(64)  NOT NULL PRIMARY KEY,
    principal     VARCHAR(200) NOT NULL,        -- user:42, group:7, channel:acme, token:<id>
    pattern       VARCHAR(200) NOT NULL,        -- label glob, e.g. acme-*
    expires_at_ms BIGINT,                       -- NULL: never expires
    daily_cap     INTEGER CHECK (daily_cap IS NULL OR daily_cap >= 1),
    created_by    VARCHAR(128) NOT NULL,
    created_at_ms BIGINT       NOT NULL
);
CREATE INDEX policy_rule_principal ON policy_rule (principal);

-- Bumped in the same transaction as every rule change; instances poll it to refresh their cache.
CREATE TABLE policy_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO policy_version (id, version) VALUES (1, 0);

-- Uses of capped rules per rule, principal, label and UTC day (yyyy-mm-dd).
CREATE TABLE policy_daily_usage (
    rule_id       VARCHAR(64)  NOT NULL,
    principal_key VARCHAR(200) NOT NULL,
    label         VARCHAR(200) NOT NULL,
    day           CHAR(10)     NOT NULL,
    uses          INTEGER      NOT NULL,
    PRIMARY KEY (rule_id, principal_key, label, day)
);
CREATE INDEX policy_daily_usage_day ON policy_daily_usage (day);

CREATE TABLE lockout_state (
    principal_key   VARCHAR(200) NOT NULL PRIMARY KEY,
    window_start_ms BIGINT       NOT NULL,
    denials         INTEGER      NOT NULL,
    locked_until_ms BIGINT                      -- NULL: not locked
);

-- Bucket4j's JDBC layout (id, state, expires_at) for PostgreSQLSelectForUpdateBasedProxyManager
-- with String keys; expires_at lets expired buckets be removed.
CREATE TABLE rate_limit_bucket (
    id         VARCHAR(512) NOT NULL PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);
CREATE INDEX rate_limit_bucket_expires_at ON rate_limit_bucket (expires_at);

-- One row per request or admin action; never a code or a seed.
CREATE TABLE audit_entry (
    seq            BIGINT      NOT NULL PRIMARY KEY,  -- contiguous from 1
    time_us        BIGINT      NOT NULL,              -- epoch microseconds
    request_id     TEXT,
    route          TEXT,
    token_id       TEXT,
    zulip_user_id  BIGINT,
    zulip_email    TEXT,
    label          TEXT,
    outcome        VARCHAR(32) NOT NULL,
    reason         TEXT,
    rule_id        TEXT,
    remote_address TEXT,
    instance_id    TEXT,
    detail         TEXT,
    prev_mac       BYTEA       NOT NULL,              -- mac of seq-1 (empty for seq 1)
    mac            BYTEA       NOT NULL               -- ChainMac over the canonical bytes of this row
);
CREATE INDEX audit_entry_time ON audit_entry (time_us);

-- The chain head: last seq and its mac, itself MAC'd (head_mac). Every batch locks it
-- (SELECT ... FOR UPDATE), so several instances append to one gap-free chain, and updates it in
-- the same transaction, so a truncated tail shows as head.seq > last seq.
-- seq 0 / NULL head_mac: empty chain.
CREATE TABLE audit_head (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq      BIGINT  NOT NULL,
    mac      BYTEA   NOT NULL,
    head_mac BYTEA
);
INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, 0, '\x', NULL);
