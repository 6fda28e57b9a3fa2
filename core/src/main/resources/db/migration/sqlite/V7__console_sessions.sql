-- Web console sign-ins and sessions (SQLite). Keep in step with ../postgresql/V7__console_sessions.sql.
-- Both are kept in the store so that every instance sharing it knows them. Only SHA-256 hashes of
-- the cookie values are stored: a reader of the database cannot take over a session with them.

-- A sign-in under way: the browser was sent to the identity provider and has not come back yet.
CREATE TABLE console_login (
    id_hash       TEXT    NOT NULL PRIMARY KEY,      -- hex SHA-256 of the sign-in cookie's value
    state         TEXT    NOT NULL,                  -- OAuth 2.0 state sent to the provider
    nonce         TEXT    NOT NULL,                  -- OpenID Connect nonce the ID token must carry
    code_verifier TEXT    NOT NULL,                  -- PKCE verifier (RFC 7636), sent only with the code
    created_at_ms INTEGER NOT NULL
) STRICT;

-- A signed-in person. ended_at_ms is set at sign-out; a row past its idle or absolute limit is dead.
CREATE TABLE console_session (
    id_hash        TEXT    NOT NULL PRIMARY KEY,     -- hex SHA-256 of the session cookie's value
    person_id      TEXT    NOT NULL REFERENCES person (id),
    identity       TEXT    NOT NULL,                 -- oidc:<issuer>#<subject> it signed in with
    csrf_token     TEXT    NOT NULL,                 -- echoed in every form that changes something
    created_at_ms  INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,                 -- the absolute lifetime's end
    ended_at_ms    INTEGER
) STRICT;
CREATE INDEX console_session_person ON console_session (person_id);
