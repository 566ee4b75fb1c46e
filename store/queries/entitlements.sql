-- The customer view's queries. Every one takes the customer id and filters
-- on it in SQL: a customer user can never read another customer's rows.

-- name: CustomerEntitlements :many
-- A customer's subscriptions with what the entitlement rule needs: the
-- creating order's status, a newer subscription migrated from it, and the
-- license usage of its product (PC's subscribed SKUs, matched by name),
-- and what its run rate needs (as CustomerPricedSubscriptions gives it),
-- so the view reads its subscriptions once. In no order: the store sorts.
-- None when the customer's data version is unless_version (as
-- CustomerPricedSubscriptions).
WITH repl AS (
    SELECT n.raw->>'migratedFromSubscriptionId' AS old_id, min(n.id) AS new_id
    FROM subscriptions n
    WHERE n.customer_id = @customer_id AND n.gone_at IS NULL AND n.raw->>'migratedFromSubscriptionId' <> ''
    GROUP BY 1
), usage AS (
    SELECT DISTINCT ON (lower(u.sku_name)) lower(u.sku_name) AS name, u.consumed_units, u.active_units
    FROM subscribed_skus u WHERE u.customer_id = @customer_id AND u.gone_at IS NULL
    ORDER BY lower(u.sku_name), u.sku_id
)
SELECT m.id, m.parent_subscription_id, m.order_id, m.offer_id, m.offer_name, m.friendly_name, m.status,
    m.suspension_reasons, m.quantity, m.unit_type, m.term_duration, m.billing_cycle, m.auto_renew_enabled,
    m.is_trial, m.effective_start_date, m.commitment_end_date,
    coalesce(o.status, '')::text AS order_status,
    coalesce(r.new_id, '')::text AS replaced_by,
    (u.name IS NOT NULL)::boolean AS has_usage,
    coalesce(u.consumed_units, 0)::int AS assigned,
    coalesce(u.active_units, 0)::int AS purchased,
    m.billing_type,
    coalesce(l.currency, '')::text AS currency, l.current_unit_price, l.next_unit_price,
    coalesce(l.next_item_id, '')::text AS next_item_id, coalesce(l.next_quantity, 0)::int AS next_quantity,
    coalesce(l.next_term_duration, '')::text AS next_term_duration,
    coalesce(l.next_billing_cycle, '')::text AS next_billing_cycle,
    l.renews_at, coalesce(l.price_source, '')::text AS price_source
FROM subscriptions m
LEFT JOIN orders o ON o.id = m.order_id AND o.customer_id = @customer_id
LEFT JOIN subscription_lifecycle l ON l.subscription_id = m.id AND l.customer_id = m.customer_id
LEFT JOIN repl r ON r.old_id = m.id
LEFT JOIN usage u ON u.name = lower(m.offer_name)
WHERE m.customer_id = @customer_id AND m.gone_at IS NULL
  AND @unless_version::bigint <> (SELECT coalesce(max(v.version), 0) FROM customer_data_versions v
      WHERE v.customer_id IN (@customer_id, '00000000-0000-0000-0000-000000000000'));

-- name: CustomerOrders :many
SELECT o.id, o.status, o.billing_cycle, o.currency_code, o.total_price, o.creation_date,
    (SELECT count(*) FROM order_line_items l WHERE l.order_id = o.id AND l.gone_at IS NULL)::bigint AS lines
FROM orders o
WHERE o.customer_id = @customer_id AND o.gone_at IS NULL
ORDER BY o.creation_date DESC NULLS LAST, o.id
LIMIT 500;

-- name: CustomerOrder :one
SELECT o.id, o.status, o.billing_cycle, o.currency_code, o.total_price, o.creation_date
FROM orders o WHERE o.id = @id AND o.customer_id = @customer_id AND o.gone_at IS NULL;

-- name: CustomerOrderLines :many
SELECT l.line_item_number, l.offer_id, l.subscription_id, l.parent_subscription_id, l.friendly_name,
    l.quantity, l.term_duration, l.transaction_type, l.unit_price
FROM order_line_items l JOIN orders o ON o.id = l.order_id
WHERE l.order_id = @order_id AND o.customer_id = @customer_id AND l.gone_at IS NULL
ORDER BY l.line_item_number;
