-- +goose Up

-- One row per confirmed subscription change (seats, suspend, reactivate,
-- auto-renew, friendly name). token is the idempotency key the
-- confirmation form carries, so a double submit maps to one outbox command.
-- before/after are the values the staff member saw and asked for.
CREATE TABLE subscription_changes (
    token            uuid PRIMARY KEY,
    command_id       bigint NOT NULL REFERENCES commands (id),
    customer_id      uuid NOT NULL,
    subscription_id  text NOT NULL,
    action           text NOT NULL CHECK (action IN ('quantity', 'suspend', 'reactivate', 'autorenew', 'name')),
    before           jsonb NOT NULL,
    after            jsonb NOT NULL,
    reason           text NOT NULL DEFAULT '',
    requested_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscription_changes_sub_idx ON subscription_changes (customer_id, subscription_id, created_at DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, at DESC) WHERE target_id <> '';

-- +goose Down
DROP INDEX audit_log_target_idx;
DROP TABLE subscription_changes;
