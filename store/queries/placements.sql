-- Order placements as the mirror's jobs see them (system queries: no
-- customer user reaches these).

-- name: PlacementsAwaitingAddons :many
-- The placements whose base order is command_id and whose add-ons are
-- still to be ordered.
SELECT token, customer_id FROM order_placements
WHERE base_command_id = @command_id AND needs_addons AND addon_command_id IS NULL AND cancelled_at IS NULL;

-- name: StalledPlacements :many
-- Placements created since @since whose base order succeeded but whose
-- add-on phase was never queued (the sweep's work list).
SELECT p.token, p.customer_id FROM order_placements p
JOIN commands c ON c.id = p.base_command_id
WHERE p.needs_addons AND p.addon_command_id IS NULL AND p.cancelled_at IS NULL
    AND p.created_at >= @since AND c.status = 'succeeded'
ORDER BY p.created_at
LIMIT @max;

-- name: SetFirstOrderPlacementAddons :execrows
-- Records the add-on command unless one exists (or the placement was
-- cancelled): 0 rows means another process got there first.
UPDATE order_placements SET addon_command_id = @addon_command_id
WHERE token = @token AND addon_command_id IS NULL AND cancelled_at IS NULL;
