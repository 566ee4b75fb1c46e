-- +goose Up

-- A staff user's view of a customer ("view as customer") is recorded once
-- per session and customer. The session used to remember the customers
-- it had recorded, so the first view of each rewrote the session's row
-- (and, through its trigger, notified every instance's session cache);
-- the audit row now names its session instead, by the SHA-256 of the
-- session's token (never the token), and this index keeps one per session
-- and customer: the insert is skipped on conflict, race-free, and the
-- session is left as it was.
ALTER TABLE audit_log ADD COLUMN session_ref text;

CREATE UNIQUE INDEX audit_log_view_session_idx ON audit_log (session_ref, customer_id)
    WHERE action = 'customer_view.viewed_as' AND session_ref IS NOT NULL;

-- +goose Down
DROP INDEX audit_log_view_session_idx;
ALTER TABLE audit_log DROP COLUMN session_ref;
