-- Order placements from carts; every query takes the customer id.

-- name: InsertOrderPlacement :execrows
INSERT INTO order_placements (token, customer_id, user_id, lines, base_command_id, needs_addons)
VALUES (@token, @customer_id, @user_id, @lines, @base_command_id, @needs_addons)
ON CONFLICT (token) DO NOTHING;

-- name: OrderPlacement :one
SELECT * FROM order_placements WHERE token = @token AND customer_id = @customer_id;

-- name: LockOrderPlacement :one
SELECT * FROM order_placements WHERE token = @token AND customer_id = @customer_id FOR UPDATE;

-- name: SetOrderPlacementAddons :exec
UPDATE order_placements SET addon_command_id = @addon_command_id WHERE token = @token;

-- name: SetOrderPlacementBase :exec
UPDATE order_placements SET base_command_id = @base_command_id WHERE token = @token;

-- name: CancelOrderPlacement :exec
UPDATE order_placements SET cancelled_at = now() WHERE token = @token AND cancelled_at IS NULL;

-- name: OrderSubscriptions :many
-- The mirrored subscriptions of orders placed.
SELECT id, order_id, offer_name, friendly_name, status, quantity, parent_subscription_id
FROM subscriptions WHERE customer_id = @customer_id AND order_id = ANY(@order_ids::text[]) AND gone_at IS NULL
ORDER BY order_id, id;

-- name: RecentOrderPlacements :many
SELECT p.token, p.created_at, p.needs_addons, p.addon_command_id, p.cancelled_at, c.status AS base_status,
    coalesce(a.status, '')::text AS addon_status, c.requested_by_label
FROM order_placements p
JOIN commands c ON c.id = p.base_command_id
LEFT JOIN commands a ON a.id = p.addon_command_id
WHERE p.customer_id = @customer_id
ORDER BY p.created_at DESC
LIMIT 20;
