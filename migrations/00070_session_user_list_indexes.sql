-- +goose Up

-- The signed-in user of a session, so one query loads a request's session
-- and its user (role, disabled) together. NULL for anonymous sessions
-- (setup token, OIDC round trip, flash). Deleting a user deletes its
-- sessions.
ALTER TABLE sessions ADD COLUMN user_id bigint REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;

-- The customer list's per-row summary (subscriptions, suspended, next
-- renewal) as an index-only scan instead of a heap visit per subscription.
CREATE INDEX subscriptions_customer_list_idx ON subscriptions (customer_id)
    INCLUDE (status, commitment_end_date) WHERE gone_at IS NULL;

-- +goose Down
DROP INDEX subscriptions_customer_list_idx;
DROP INDEX sessions_user_idx;
ALTER TABLE sessions DROP COLUMN user_id;
