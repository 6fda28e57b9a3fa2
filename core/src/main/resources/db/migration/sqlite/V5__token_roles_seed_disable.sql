-- Admin tokens and disabled seeds (SQLite). Keep in step with ../postgresql/V5__token_roles_seed_disable.sql.
-- A token may carry a role: an organisation role (operator, auditor) for a token of the
-- organisation (tenant_id NULL), a tenant role (admin, approver, member) for a tenant's token.
-- NULL: a code token, which reaches no administrative route. The pairing of role and tenant is
-- checked by the code (TokenInfo); SQLite cannot add a table constraint to an existing table.
ALTER TABLE api_tokens ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('operator', 'auditor', 'admin', 'approver', 'member'));

-- A disabled seed stays stored but issues no code (its label answers as unknown) until removed.
ALTER TABLE seeds ADD COLUMN disabled_at_ms INTEGER;

-- A token's last use is the newest audit entry that names it (the admin API lists it).
CREATE INDEX audit_entry_token ON audit_entry (token_id, time_us);
