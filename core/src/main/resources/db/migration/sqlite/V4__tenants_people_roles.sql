-- Tenants, people and roles (SQLite). Keep in step with ../postgresql/V4__tenants_people_roles.sql.
-- A tenant is a client: the client part of its labels. Seeds belong to the tenant their label names;
-- tokens and rules carry tenant_id, NULL for the organisation (operator level). V4.1 (Java,
-- dev.mfagate.core.store.V4_1__AssignTenants) fills these from the rows already stored.

CREATE TABLE tenant (
    id            TEXT    NOT NULL PRIMARY KEY,      -- [a-z0-9][a-z0-9_.]*: a label's client part
    created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE person (
    id            TEXT    NOT NULL PRIMARY KEY,      -- [a-z0-9][a-z0-9_.-]*, chosen when added
    display_name  TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- One identity belongs to at most one person: zulip:<user id>, oidc:<issuer>#<subject>, email:<address>.
CREATE TABLE person_identity (
    kind          TEXT    NOT NULL CHECK (kind IN ('zulip', 'oidc', 'email')),
    value         TEXT    NOT NULL,
    person_id     TEXT    NOT NULL REFERENCES person (id),
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) STRICT;
CREATE INDEX person_identity_person ON person_identity (person_id);

-- holder: person:<id>, group:<Zulip group id>, sso-group:<claim> (organisation roles only).
-- tenant_id NULL: an organisation role (operator, auditor); else a tenant role (admin, approver, member).
CREATE TABLE role_binding (
    holder        TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('operator', 'auditor', 'admin', 'approver', 'member')),
    tenant_id     TEXT    REFERENCES tenant (id),
    created_by    TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    CHECK ((tenant_id IS NULL) = (role IN ('operator', 'auditor'))),
    CHECK (tenant_id IS NULL OR holder NOT LIKE 'sso-group:%')
) STRICT;
CREATE UNIQUE INDEX role_binding_key ON role_binding (holder, role, coalesce(tenant_id, ''));
CREATE INDEX role_binding_tenant ON role_binding (tenant_id);

ALTER TABLE api_tokens ADD COLUMN tenant_id TEXT REFERENCES tenant (id);
ALTER TABLE policy_rule ADD COLUMN tenant_id TEXT REFERENCES tenant (id);
CREATE INDEX policy_rule_tenant ON policy_rule (tenant_id);
