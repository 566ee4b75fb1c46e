-- +goose Up

-- The price list keeps Microsoft's estimated retail price (ERP) of the
-- current sheet beside the partner's cost, so pages and the customers'
-- price lists can show it next to the sale price.
ALTER TABLE prices ADD COLUMN erp_price numeric;

-- +goose Down
ALTER TABLE prices DROP COLUMN erp_price;
