-- +goose Up

-- Staff invitations of customer users: a one-time link (only its SHA-256
-- is stored) that lets the invitee set a local password for an account
-- bound to the customer. Accepted, revoked or expired invitations stay as
-- the record of who invited whom.
CREATE TABLE invitations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        text NOT NULL,
    customer_id  uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    revoked_at   timestamptz,
    user_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_customer_idx ON invitations (customer_id, created_at DESC);

-- +goose Down
DROP TABLE invitations;
