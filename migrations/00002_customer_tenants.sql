-- +goose Up

-- Binds an Entra tenant (the id token's tid claim) to a customer record, so
-- a customer's users who sign in with OIDC land on their own customer. The
-- customers table arrives with the mirror; customer_id is its PC id.
CREATE TABLE customer_tenants (
    tenant_id   text PRIMARY KEY,
    customer_id uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_tenants_customer_idx ON customer_tenants (customer_id);

-- +goose Down
DROP TABLE customer_tenants;
