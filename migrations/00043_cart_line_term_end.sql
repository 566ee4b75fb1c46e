-- +goose Up

-- A cart line's custom term end date (co-terming with an existing
-- subscription or the calendar month's end), NULL for a full term; the
-- order line carries it to PC as customTermEndDate.
ALTER TABLE cart_lines ADD COLUMN custom_term_end date;

-- +goose Down
ALTER TABLE cart_lines DROP COLUMN custom_term_end;
