-- +goose Up
-- The catalog page reads a page's SKUs from catalog_items by their item
-- id (product/sku), which the view builds by concatenation: this index
-- finds them without deriving every SKU of the country.
CREATE INDEX skus_item_idx ON skus (country, (product_id || '/' || id));

-- +goose Down
DROP INDEX skus_item_idx;
