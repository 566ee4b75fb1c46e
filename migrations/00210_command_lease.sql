-- +goose Up

-- A delivery attempt's lease (issue 20): an attempt owns its command until
-- lease_until, so a rescued duplicate never runs alongside a live one, and
-- only the attempt that started last (commands.attempts) may finish it.
ALTER TABLE commands ADD COLUMN lease_until timestamptz;

-- +goose Down
ALTER TABLE commands DROP COLUMN lease_until;
