-- +goose Up

-- The catalog's first page (a country's items by name, no filter) reads
-- offers and SKUs each in this order and merges the two, instead of
-- sorting every item of the country through catalog_items; the same
-- indexes count the country's items by index alone.
CREATE INDEX offers_name_order_idx ON offers (country, lower(name), id) WHERE gone_at IS NULL;
CREATE INDEX skus_name_order_idx ON skus (country, lower(title), (product_id || '/' || id)) WHERE gone_at IS NULL;

-- +goose Down
DROP INDEX skus_name_order_idx;
DROP INDEX offers_name_order_idx;
