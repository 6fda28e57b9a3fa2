-- Channel rules take Zulip stream ids (channel:<id>) from now on. A stored channel:<name> rule named
-- a channel, and a name can be imitated (a channel named #ops, look-alike letters), so it becomes the
-- inert channel-name:<name>: 'mfagate policy show' and 'mfagate serve' list it, nothing matches it.
-- The operator re-grants it by stream id (docs/architecture.md, "Policy"). No id can be guessed here.
UPDATE policy_rule SET principal = 'channel-name:' || substr(principal, 9) WHERE principal LIKE 'channel:%';
UPDATE policy_version SET version = version + 1
    WHERE id = 1 AND EXISTS (SELECT 1 FROM policy_rule WHERE principal LIKE 'channel-name:%');

-- Lockout denials age out of a sliding window instead of being cleared by a success: the epoch
-- milliseconds of the denials still in the window, comma-separated, oldest first (NULL: none).
ALTER TABLE lockout_state ADD COLUMN recent_denials_ms TEXT;
