-- +goose Up

-- Reseller users (issue 19): staff of an indirect reseller, bound to it the
-- way a customer user is bound to its customer. Every query on their
-- routes is scoped by users.reseller_id in SQL (customers whose
-- associated_partner_id is that reseller's tenant id).
ALTER TABLE users ADD COLUMN reseller_id uuid REFERENCES resellers (tenant_id);
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'staff', 'customer', 'reseller'));
ALTER TABLE users ADD CONSTRAINT users_reseller_binding CHECK ((role = 'reseller') = (reseller_id IS NOT NULL));
CREATE INDEX users_reseller ON users (reseller_id) WHERE reseller_id IS NOT NULL;

-- +goose Down
DROP INDEX users_reseller;
ALTER TABLE users DROP CONSTRAINT users_reseller_binding;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'staff', 'customer'));
ALTER TABLE users DROP COLUMN reseller_id;
