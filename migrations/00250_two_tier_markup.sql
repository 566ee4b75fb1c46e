-- +goose Up

-- Two-tier prices (issue 19). A markup rule is the provider's (by_reseller
-- false) or an indirect reseller's own (by_reseller true, reseller_id the
-- reseller). The provider's rules price what it bills: its direct
-- customers, and its resellers, where reseller_id narrows a rule to one
-- reseller. A reseller's rules price what its customers pay on top of its
-- cost, the provider's price; neither party reads the other's rules.
ALTER TABLE markup_rules
    ADD COLUMN reseller_id uuid REFERENCES resellers (tenant_id) ON DELETE CASCADE,
    ADD COLUMN by_reseller boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT markup_rules_owner CHECK (NOT by_reseller OR reseller_id IS NOT NULL);
DROP INDEX markup_rules_scope_idx;
CREATE UNIQUE INDEX markup_rules_scope_idx ON markup_rules
    (by_reseller, coalesce(reseller_id, '00000000-0000-0000-0000-000000000000'::uuid),
     coalesce(customer_id, '00000000-0000-0000-0000-000000000000'::uuid), family, product_id, sku_id);

-- +goose Down
DELETE FROM markup_rules WHERE reseller_id IS NOT NULL;
DROP INDEX markup_rules_scope_idx;
ALTER TABLE markup_rules DROP CONSTRAINT markup_rules_owner, DROP COLUMN by_reseller, DROP COLUMN reseller_id;
CREATE UNIQUE INDEX markup_rules_scope_idx ON markup_rules
    (coalesce(customer_id, '00000000-0000-0000-0000-000000000000'::uuid), family, product_id, sku_id);
