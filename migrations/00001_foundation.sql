-- +goose Up

-- Local and OIDC accounts. A customer user is bound to exactly one customer
-- (by Entra tenant id or by invitation); staff and admins to none.
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text NOT NULL,
    display_name    text NOT NULL DEFAULT '',
    role            text NOT NULL CHECK (role IN ('admin', 'staff', 'customer')),
    password_hash   text,
    oidc_issuer     text,
    oidc_subject    text,
    customer_id     uuid,
    customer_via    text CHECK (customer_via IN ('tenant', 'invitation')),
    disabled_at     timestamptz,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_customer_binding CHECK ((role = 'customer') = (customer_id IS NOT NULL)),
    CONSTRAINT users_oidc_pair CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_oidc_key ON users (oidc_issuer, oidc_subject) WHERE oidc_issuer IS NOT NULL;
CREATE INDEX users_customer_idx ON users (customer_id) WHERE customer_id IS NOT NULL;

-- Sessions for scs (pgxstore's schema).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-in attempts, for throttling per account and per IP.
CREATE TABLE login_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    ip         text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (lower(email), at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);

-- The instance's settings: one row. Secrets are AES-GCM ciphertexts under
-- PORTAL_SECRET_KEY; they are never stored or shown in clear.
CREATE TABLE settings (
    id                      int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    setup_token_hash        bytea,
    setup_step              int NOT NULL DEFAULT 1,
    setup_completed_at      timestamptz,
    pc_tenant_id            text NOT NULL DEFAULT '',
    pc_client_id            text NOT NULL DEFAULT '',
    pc_client_secret_enc    bytea,
    pc_api_url              text NOT NULL DEFAULT '',
    pc_token_url            text NOT NULL DEFAULT '',
    pc_refresh_token_enc    bytea,
    oidc_enabled            boolean NOT NULL DEFAULT false,
    oidc_issuer             text NOT NULL DEFAULT '',
    oidc_client_id          text NOT NULL DEFAULT '',
    oidc_client_secret_enc  bytea,
    oidc_allowed_tenants    text[] NOT NULL DEFAULT '{}',
    default_country         text NOT NULL DEFAULT 'US',
    default_currency        text NOT NULL DEFAULT 'USD',
    default_language        text NOT NULL DEFAULT 'en',
    updated_at              timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (id) VALUES (1);

-- The portal's own audit trail: who did what, before and after, with the
-- Partner Center request id and the outcome.
CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_user_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    actor          text NOT NULL,
    action         text NOT NULL,
    target_type    text NOT NULL DEFAULT '',
    target_id      text NOT NULL DEFAULT '',
    customer_id    uuid,
    before         jsonb,
    after          jsonb,
    pc_request_id  uuid,
    outcome        text NOT NULL DEFAULT 'ok',
    detail         text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at DESC);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE settings;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE users;
