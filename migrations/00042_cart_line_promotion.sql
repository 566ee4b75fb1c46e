-- +goose Up

-- The NCE promotion staff chose for a cart line ('' for none), and its
-- name and discount in words as PC listed them then; the order line
-- carries the id to PC as promotionId.
ALTER TABLE cart_lines ADD COLUMN promotion_id text NOT NULL DEFAULT '',
    ADD COLUMN promotion_label text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE cart_lines DROP COLUMN promotion_id, DROP COLUMN promotion_label;
