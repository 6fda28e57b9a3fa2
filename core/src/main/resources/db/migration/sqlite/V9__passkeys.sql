-- Passkeys (WebAuthn) for console step-up and the break-glass operator (SQLite). Keep in step with
-- ../postgresql/V9__passkeys.sql. Nothing here is secret: a passkey's private key never leaves the
-- authenticator; the store keeps the public key (inside attested_data) and the signature counter.

-- A registered passkey. credential_id is the WebAuthn credential id, base64url without padding.
CREATE TABLE passkey (
    credential_id  TEXT    NOT NULL PRIMARY KEY,
    person_id      TEXT    NOT NULL REFERENCES person (id),
    name           TEXT    NOT NULL,
    attested_data  BLOB    NOT NULL,                 -- attested credential data (AAGUID, id, COSE public key)
    sign_count     INTEGER NOT NULL,                 -- the authenticator's signature counter, last seen
    created_at_ms  INTEGER NOT NULL,
    last_used_ms   INTEGER
) STRICT;
CREATE INDEX passkey_person ON passkey (person_id);

-- A WebAuthn challenge handed out and not yet answered; taken (deleted) by its answer, so used once.
-- bound_to is the session's id hash (step-up, registration) or the purpose alone (break-glass).
CREATE TABLE webauthn_challenge (
    challenge      TEXT    NOT NULL PRIMARY KEY,     -- base64url, 256 random bits
    purpose        TEXT    NOT NULL,
    bound_to       TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL
) STRICT;

-- A one-time code that lets whoever holds it register a passkey for the break-glass operator.
CREATE TABLE break_glass_enrolment (
    code_hash      TEXT    NOT NULL PRIMARY KEY,     -- hex SHA-256 of the code
    expires_at_ms  INTEGER NOT NULL
) STRICT;

-- Labels whose codes the console reveals only after a passkey step-up.
CREATE TABLE sensitive_label (
    label          TEXT    NOT NULL PRIMARY KEY,
    marked_at_ms   INTEGER NOT NULL
) STRICT;

-- Until when a session's passkey step-up holds (that session only).
ALTER TABLE console_session ADD COLUMN step_up_until_ms INTEGER;
