-- +goose Up

-- The add-on phase of an order is advanced by River jobs: one queued when
-- the base order's command succeeds (found by base_command_id) and a sweep
-- every minute over the placements still waiting. Both look only at
-- placements that still need their add-ons, so the indexes stay small.
CREATE INDEX order_placements_awaiting_base_idx ON order_placements (base_command_id)
    WHERE needs_addons AND addon_command_id IS NULL AND cancelled_at IS NULL;
CREATE INDEX order_placements_awaiting_created_idx ON order_placements (created_at)
    WHERE needs_addons AND addon_command_id IS NULL AND cancelled_at IS NULL;

-- +goose Down
DROP INDEX order_placements_awaiting_created_idx;
DROP INDEX order_placements_awaiting_base_idx;
