-- The SSO group claims of a console session (PostgreSQL). Keep in step with ../sqlite/V8__console_session_sso_groups.sql.
-- The well-formed values of the ID token's groups claim at sign-in, separated by single spaces (a
-- value never holds one: Holder.SsoGroup's rule); '' when the token carried none. Role bindings held
-- by sso-group:<value> are looked up on every request, so a binding added or removed later counts at
-- once for live sessions; the claims themselves change only at the next sign-in.
ALTER TABLE console_session ADD COLUMN sso_groups TEXT NOT NULL DEFAULT '';
