-- +goose Up

-- One row per submitted onboarding wizard. token is the idempotency key the
-- wizard's form carries, so a double submit or a retry maps to the same
-- create-customer command. The new tenant's admin password is never here.
CREATE TABLE onboardings (
    token                 uuid PRIMARY KEY,
    create_command_id     bigint NOT NULL REFERENCES commands (id),
    agreement_command_id  bigint REFERENCES commands (id),
    customer_id           uuid,
    company_name          text NOT NULL,
    domain                text NOT NULL,
    -- The MCA attestation to send once the customer exists (PC's Agreement).
    agreement             jsonb NOT NULL,
    requested_by          bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX onboardings_customer_idx ON onboardings (customer_id) WHERE customer_id IS NOT NULL;

-- +goose Down
DROP TABLE onboardings;
