-- +goose Up

-- Email (issue 17): the SMTP server the portal sends through, set on the
-- settings page (the password sealed like the other secrets).
ALTER TABLE settings
    ADD COLUMN smtp_host         text NOT NULL DEFAULT '',
    ADD COLUMN smtp_port         integer NOT NULL DEFAULT 587,
    ADD COLUMN smtp_security     text NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('none', 'starttls', 'tls')),
    ADD COLUMN smtp_username     text NOT NULL DEFAULT '',
    ADD COLUMN smtp_password_enc bytea,
    ADD COLUMN smtp_from         text NOT NULL DEFAULT '',
    ADD COLUMN smtp_from_name    text NOT NULL DEFAULT 'CSP Portal';

-- The mail outbox: every mail is queued here in the transaction of the
-- change that sends it and sent by a River job with retries, never inline
-- in a request. Bodies are sealed (they can carry one-time links) and
-- erased once sent; dedupe_key makes "one mail per event" a constraint.
CREATE TABLE mail_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    dedupe_key   text UNIQUE,
    recipients   text[] NOT NULL,
    subject      text NOT NULL,
    body_enc     bytea,
    message_id   text NOT NULL UNIQUE,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);
CREATE INDEX mail_outbox_open_idx ON mail_outbox (created_at) WHERE status IN ('pending', 'sending');

-- Password reset for local accounts: only the token's hash, single use,
-- one hour.
CREATE TABLE password_resets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at DESC);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE mail_outbox;
ALTER TABLE settings
    DROP COLUMN smtp_host, DROP COLUMN smtp_port, DROP COLUMN smtp_security, DROP COLUMN smtp_username,
    DROP COLUMN smtp_password_enc, DROP COLUMN smtp_from, DROP COLUMN smtp_from_name;
