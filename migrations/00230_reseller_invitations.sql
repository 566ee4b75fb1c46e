-- +goose Up
-- Invitations of an indirect reseller's users (issue 19): the same
-- one-time links as a customer user's, bound to the reseller instead.
ALTER TABLE invitations ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE invitations ADD COLUMN reseller_id uuid REFERENCES resellers (tenant_id);
ALTER TABLE invitations ADD CONSTRAINT invitations_one_target CHECK ((customer_id IS NULL) <> (reseller_id IS NULL));
CREATE INDEX invitations_reseller_idx ON invitations (reseller_id, created_at DESC) WHERE reseller_id IS NOT NULL;

-- +goose Down
DELETE FROM invitations WHERE reseller_id IS NOT NULL;
ALTER TABLE invitations DROP CONSTRAINT invitations_one_target;
ALTER TABLE invitations DROP COLUMN reseller_id;
ALTER TABLE invitations ALTER COLUMN customer_id SET NOT NULL;
