-- Policy, daily caps, lockout and the audit chain (SQLite).
-- Times are epoch milliseconds (audit: microseconds) in INTEGER columns, so both dialects store
-- exactly the same values and the audit MAC covers exactly what is stored.

CREATE TABLE policy_rule (
    id            TEXT    NOT NULL PRIMARY KEY,
    principal     TEXT    NOT NULL,             -- user:42, group:7, channel:acme, token:<id>
    pattern       TEXT    NOT NULL,             -- label glob, e.g. acme-*
    expires_at_ms INTEGER,                      -- NULL: never expires
    daily_cap     INTEGER CHECK (daily_cap IS NULL OR daily_cap >= 1),
    created_by    TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX policy_rule_principal ON policy_rule (principal);

-- Bumped in the same transaction as every rule change; instances poll it to refresh their cache.
CREATE TABLE policy_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO policy_version (id, version) VALUES (1, 0);

-- Uses of capped rules per rule, principal, label and UTC day (yyyy-mm-dd).
CREATE TABLE policy_daily_usage (
    rule_id       TEXT    NOT NULL,
    principal_key TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    uses          INTEGER NOT NULL,
    PRIMARY KEY (rule_id, principal_key, label, day)
);
CREATE INDEX policy_daily_usage_day ON policy_daily_usage (day);

CREATE TABLE lockout_state (
    principal_key   TEXT    NOT NULL PRIMARY KEY,
    window_start_ms INTEGER NOT NULL,
    denials         INTEGER NOT NULL,
    locked_until_ms INTEGER                     -- NULL: not locked
);

-- One row per request or admin action; never a code or a seed.
CREATE TABLE audit_entry (
    seq            INTEGER NOT NULL PRIMARY KEY,  -- contiguous from 1
    time_us        INTEGER NOT NULL,              -- epoch microseconds
    request_id     TEXT,
    route          TEXT,
    token_id       TEXT,
    zulip_user_id  INTEGER,
    zulip_email    TEXT,
    label          TEXT,
    outcome        TEXT    NOT NULL,
    reason         TEXT,
    rule_id        TEXT,
    remote_address TEXT,
    instance_id    TEXT,
    detail         TEXT,
    prev_mac       BLOB    NOT NULL,              -- mac of seq-1 (empty for seq 1)
    mac            BLOB    NOT NULL               -- ChainMac over the canonical bytes of this row
);
CREATE INDEX audit_entry_time ON audit_entry (time_us);

-- The chain head: last seq and its mac, itself MAC'd (head_mac). Updated in every batch's
-- transaction, so a truncated tail shows as head.seq > last seq. seq 0 / NULL head_mac: empty chain.
CREATE TABLE audit_head (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq      INTEGER NOT NULL,
    mac      BLOB    NOT NULL,
    head_mac BLOB
);
INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, 0, X'', NULL);
