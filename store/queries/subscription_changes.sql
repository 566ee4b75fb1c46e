-- Subscription changes by staff. Every query takes the customer id and
-- filters on it, so another customer's subscription id answers not found.

-- name: SubscriptionForChange :one
-- A subscription with the limits of its offer (legacy) or SKU (new
-- commerce), preferring the customer's country, and its base's status.
SELECT s.id, s.customer_id, s.parent_subscription_id, s.order_id, s.offer_id, s.offer_name, s.friendly_name,
    s.status, s.quantity, s.unit_type, s.term_duration, s.billing_cycle, s.billing_type, s.product_type,
    s.auto_renew_enabled, s.suspension_reasons, s.creation_date, s.effective_start_date,
    s.commitment_end_date, s.cancellation_allowed_until, s.etag, s.synced_at,
    c.company_name, c.domain,
    coalesce((SELECT o.min_quantity FROM offers o WHERE o.id = s.offer_id AND o.gone_at IS NULL
              ORDER BY (o.country = c.address_country) DESC, o.country LIMIT 1),
             (SELECT k.min_quantity FROM skus k WHERE k.product_id = split_part(s.offer_id, ':', 1)
                AND k.id = split_part(s.offer_id, ':', 2) AND k.gone_at IS NULL
              ORDER BY (k.country = c.address_country) DESC, k.country LIMIT 1), 0)::int AS min_quantity,
    coalesce((SELECT o.max_quantity FROM offers o WHERE o.id = s.offer_id AND o.gone_at IS NULL
              ORDER BY (o.country = c.address_country) DESC, o.country LIMIT 1),
             (SELECT k.max_quantity FROM skus k WHERE k.product_id = split_part(s.offer_id, ':', 1)
                AND k.id = split_part(s.offer_id, ':', 2) AND k.gone_at IS NULL
              ORDER BY (k.country = c.address_country) DESC, k.country LIMIT 1), 0)::int AS max_quantity,
    coalesce((SELECT p.status FROM subscriptions p WHERE p.id = s.parent_subscription_id
              AND p.customer_id = s.customer_id), '')::text AS parent_status,
    coalesce((SELECT coalesce(nullif(p.friendly_name, ''), p.offer_name) FROM subscriptions p
              WHERE p.id = s.parent_subscription_id AND p.customer_id = s.customer_id), '')::text AS parent_name,
    -- The licence usage of its product (PC's subscribed SKUs, matched by
    -- name as on the customer view); -1 when the mirror has none.
    coalesce(u.consumed_units, -1)::int AS licences_assigned,
    coalesce(u.active_units, -1)::int AS licences_purchased
FROM subscriptions s
JOIN customers c ON c.id = s.customer_id
LEFT JOIN LATERAL (
    SELECT k.consumed_units, k.active_units FROM subscribed_skus k
    WHERE k.customer_id = s.customer_id AND k.gone_at IS NULL AND lower(k.sku_name) = lower(s.offer_name)
    ORDER BY k.sku_id LIMIT 1
) u ON true
WHERE s.id = @id AND s.customer_id = @customer_id AND s.gone_at IS NULL;

-- name: LockSubscriptionForChange :one
-- Locks the subscription row for the change's transaction: two staff
-- confirming at once are serialized here and the second sees the first.
SELECT s.id, s.status, s.quantity, s.auto_renew_enabled, s.friendly_name, s.etag, s.cancellation_allowed_until
FROM subscriptions s
WHERE s.id = @id AND s.customer_id = @customer_id AND s.gone_at IS NULL
FOR UPDATE;

-- name: SubscriptionAddOns :many
SELECT s.id, s.offer_name, s.friendly_name, s.status, s.quantity
FROM subscriptions s
WHERE s.customer_id = @customer_id AND s.parent_subscription_id = @parent_id AND s.gone_at IS NULL
ORDER BY lower(s.offer_name), s.id;

-- name: InsertSubscriptionChange :execrows
INSERT INTO subscription_changes (token, command_id, customer_id, subscription_id, action, before, after, reason, requested_by)
VALUES (@token, @command_id, @customer_id, @subscription_id, @action, @before, @after, @reason, @requested_by)
ON CONFLICT (token) DO NOTHING;

-- name: SubscriptionChangeByToken :one
SELECT sc.token, sc.command_id, sc.customer_id, sc.subscription_id, sc.action, sc.before, sc.after, sc.reason,
    sc.created_at, c.status AS command_status, c.last_error, c.pc_error_code, c.attempts, c.ms_request_id,
    c.requested_by_label, c.finished_at
FROM subscription_changes sc
JOIN commands c ON c.id = sc.command_id
WHERE sc.token = @token AND sc.customer_id = @customer_id;

-- name: SubscriptionChanges :many
SELECT sc.token, sc.action, sc.before, sc.after, sc.reason, sc.created_at, c.status AS command_status,
    c.last_error, c.ms_request_id, c.requested_by_label
FROM subscription_changes sc
JOIN commands c ON c.id = sc.command_id
WHERE sc.customer_id = @customer_id AND sc.subscription_id = @subscription_id
ORDER BY sc.created_at DESC
LIMIT 20;

-- name: OpenSubscriptionCommands :one
SELECT count(*) FROM commands
WHERE customer_id = @customer_id AND target_id = @subscription_id AND status IN ('pending', 'delivering');

-- name: SubscriptionAudit :many
SELECT a.at, a.actor, a.action, a.outcome, a.detail, a.pc_request_id
FROM audit_log a
WHERE a.customer_id = @customer_id AND a.target_id = @subscription_id
ORDER BY a.at DESC, a.id DESC
LIMIT 50;

-- name: SetAuditBefore :exec
-- Completes the audit entry Enqueue wrote with the values the staff member
-- saw before the change and the reason they gave.
UPDATE audit_log SET before = @before, detail = @detail
WHERE id = (SELECT audit_log_id FROM commands WHERE commands.id = @command_id);
