-- +goose Up

-- The reseller API (issue 19): bearer tokens of reseller users. Only the
-- SHA-256 of a token is kept, so a database leak discloses no credential;
-- the token itself is shown once, when it is created.
CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope         text NOT NULL CHECK (scope IN ('read', 'read_write')),
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at DESC);

-- Idempotency-Key of the API's writes: the first request's body hash and
-- answer, so a retried write answers the same and changes nothing twice.
-- status_code is NULL while the first request is still running.
CREATE TABLE api_idempotency (
    token_id      bigint NOT NULL REFERENCES api_tokens (id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  bytea NOT NULL,
    status_code   int,
    response      bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    PRIMARY KEY (token_id, key)
);

-- +goose Down
DROP TABLE api_idempotency;
DROP TABLE api_tokens;
