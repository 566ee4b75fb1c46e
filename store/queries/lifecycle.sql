-- The subscription lifecycle: tranches, scheduled changes, transitions,
-- the calendar and next term of each subscription, the terms seen. Page
-- reads take the customer id and filter on it.

-- name: LifecycleBefore :many
-- What the mirror knew of subscriptions before writing them again: the
-- status it saw, when it saw a suspension and a reactivation, the term and
-- its prices.
SELECT l.subscription_id, l.status, l.commitment_end_date, l.suspended_at, l.reactivated_at, l.path,
    l.currency, l.current_unit_price, l.next_unit_price, l.price_source, l.next_quantity, l.next_item_id,
    l.next_term_duration, l.next_billing_cycle,
    coalesce((SELECT sc.removed_at IS NULL FROM subscription_scheduled_changes sc WHERE sc.subscription_id = l.subscription_id), false)::boolean AS had_scheduled
FROM subscription_lifecycle l
WHERE l.subscription_id = ANY(@ids::text[]);

-- name: DeleteTranches :exec
-- The open tranches of these subscriptions (a read returns them again)
-- and the ones closed more than a year ago.
DELETE FROM subscription_tranches
WHERE subscription_id = ANY(@ids::text[])
  AND (allowed_until >= @open_from OR allowed_until < @closed_before);

-- name: MarkScheduledRemoved :exec
-- Instructions PC no longer returns for these subscriptions.
UPDATE subscription_scheduled_changes SET removed_at = @at, removed_reason = @reason, synced_at = @at
WHERE subscription_id = ANY(@ids::text[]) AND removed_at IS NULL;

-- name: UpsertScheduledChange :batchexec
INSERT INTO subscription_scheduled_changes (subscription_id, customer_id, catalog_item_id, product_id, sku_id,
    availability_id, title, term_duration, billing_cycle, promotion_id, quantity, custom_term_end_date,
    first_seen_at, removed_at, removed_reason, synced_at)
VALUES (@subscription_id, @customer_id, @catalog_item_id, @product_id, @sku_id, @availability_id, @title,
    @term_duration, @billing_cycle, @promotion_id, @quantity, @custom_term_end_date, @synced_at, NULL, '', @synced_at)
ON CONFLICT (subscription_id) DO UPDATE SET
    customer_id = excluded.customer_id, catalog_item_id = excluded.catalog_item_id, product_id = excluded.product_id,
    sku_id = excluded.sku_id, availability_id = excluded.availability_id, title = excluded.title,
    term_duration = excluded.term_duration, billing_cycle = excluded.billing_cycle,
    promotion_id = excluded.promotion_id, quantity = excluded.quantity,
    custom_term_end_date = excluded.custom_term_end_date,
    first_seen_at = CASE WHEN subscription_scheduled_changes.removed_at IS NULL
        THEN subscription_scheduled_changes.first_seen_at ELSE excluded.first_seen_at END,
    removed_at = NULL, removed_reason = '', synced_at = excluded.synced_at;

-- name: InsertSubscriptionTerm :batchexec
INSERT INTO subscription_terms (subscription_id, commitment_end_date, customer_id, term_start, item_id, quantity,
    term_duration, billing_cycle, currency, unit_price, renewal, observed_at)
VALUES (@subscription_id, @commitment_end_date, @customer_id, @term_start, @item_id, @quantity, @term_duration,
    @billing_cycle, @currency, @unit_price, @renewal, @observed_at)
ON CONFLICT (subscription_id, commitment_end_date) DO UPDATE SET
    quantity = excluded.quantity, item_id = excluded.item_id, term_duration = excluded.term_duration,
    billing_cycle = excluded.billing_cycle,
    currency = CASE WHEN subscription_terms.unit_price IS NULL THEN excluded.currency ELSE subscription_terms.currency END,
    unit_price = coalesce(subscription_terms.unit_price, excluded.unit_price);

-- name: UpsertTransition :batchexec
INSERT INTO subscription_transitions (operation_id, customer_id, subscription_id, from_catalog_item_id,
    to_catalog_item_id, to_subscription_id, quantity, term_duration, billing_cycle, transition_type, status,
    errors, started_at, updated_at, synced_at)
VALUES (@operation_id, @customer_id, @subscription_id, @from_catalog_item_id, @to_catalog_item_id,
    @to_subscription_id, @quantity, @term_duration, @billing_cycle, @transition_type, @status, @errors,
    @started_at, @updated_at, @synced_at)
ON CONFLICT (operation_id) DO UPDATE SET
    to_subscription_id = excluded.to_subscription_id, quantity = excluded.quantity, status = excluded.status,
    errors = excluded.errors, updated_at = excluded.updated_at, synced_at = excluded.synced_at;

-- name: SubscriptionLifecycle :one
SELECT * FROM subscription_lifecycle WHERE subscription_id = @subscription_id AND customer_id = @customer_id;

-- name: SubscriptionTranches :many
SELECT quantity, allowed_until FROM subscription_tranches
WHERE subscription_id = @subscription_id AND customer_id = @customer_id
ORDER BY allowed_until, ordinal;

-- name: SubscriptionScheduledChange :one
SELECT * FROM subscription_scheduled_changes WHERE subscription_id = @subscription_id AND customer_id = @customer_id;

-- name: SubscriptionTransitions :many
SELECT * FROM subscription_transitions
WHERE customer_id = @customer_id AND (subscription_id = @subscription_id OR to_subscription_id = @subscription_id)
ORDER BY started_at DESC NULLS LAST, operation_id
LIMIT 20;

-- name: SubscriptionTerms :many
SELECT * FROM subscription_terms
WHERE subscription_id = @subscription_id AND customer_id = @customer_id
ORDER BY commitment_end_date DESC
LIMIT 10;

-- name: TransitionsRunning :many
-- Transitions PC has not finished, to watch.
SELECT operation_id, customer_id, subscription_id FROM subscription_transitions
WHERE status NOT IN ('Completed', 'Failed') ORDER BY started_at NULLS FIRST LIMIT 200;

-- name: LifecycleForPricing :many
-- A batch of subscriptions whose next term is priced again (keyset order).
SELECT l.subscription_id, l.customer_id, s.order_id, s.offer_id, s.term_duration, s.billing_cycle, s.quantity,
    l.next_item_id, l.next_quantity, l.next_term_duration, l.next_billing_cycle, l.term_end,
    l.currency, l.current_unit_price, l.next_unit_price, l.price_source,
    c.address_country
FROM subscription_lifecycle l
JOIN subscriptions s ON s.id = l.subscription_id
JOIN customers c ON c.id = l.customer_id
WHERE l.subscription_id > @after AND l.status IN ('active', 'suspended') AND l.term_end IS NOT NULL
ORDER BY l.subscription_id
LIMIT @lim;

-- name: SetNextTermPrice :batchexec
UPDATE subscription_lifecycle SET currency = @currency, current_unit_price = @current_unit_price,
    next_unit_price = @next_unit_price, price_source = @price_source
WHERE subscription_id = @subscription_id;

-- name: DefaultTermPrices :many
-- The portal's default pricer: the current term's unit price is the one
-- the subscription's order line was bought at (in the order's currency)
-- or the mirrored price list's for its item, term and billing plan; the
-- next term's is the price list's for the item, term and billing plan it
-- renews into. Prices are looked up in the customer's country.
SELECT q.subscription_id::text AS subscription_id,
    coalesce(o.currency_code, '')::text AS order_currency,
    coalesce(li.unit_price::text, '')::text AS line_price,
    coalesce(cp.currency, '')::text AS current_currency,
    coalesce(cp.unit_price::text, '')::text AS current_price,
    coalesce(np.currency, '')::text AS next_currency,
    coalesce(np.unit_price::text, '')::text AS next_price
FROM (SELECT x.subscription_id, x.order_id, x.cur_item, x.cur_term, x.cur_cycle, x.next_item, x.next_term, x.next_cycle,
        coalesce(nullif(x.country, ''), (SELECT c.address_country FROM subscriptions s JOIN customers c ON c.id = s.customer_id
            WHERE s.id = x.subscription_id), '') AS country
    FROM (SELECT unnest(@subscription_ids::text[]) AS subscription_id, unnest(@order_ids::text[]) AS order_id,
        unnest(@countries::text[]) AS country,
        unnest(@cur_items::text[]) AS cur_item, unnest(@cur_terms::text[]) AS cur_term, unnest(@cur_cycles::text[]) AS cur_cycle,
        unnest(@next_items::text[]) AS next_item, unnest(@next_terms::text[]) AS next_term,
        unnest(@next_cycles::text[]) AS next_cycle) x) q
LEFT JOIN orders o ON o.id = q.order_id
LEFT JOIN LATERAL (SELECT l.unit_price FROM order_line_items l
    WHERE l.order_id = q.order_id AND lower(l.subscription_id) = lower(q.subscription_id) AND l.unit_price IS NOT NULL
    ORDER BY l.line_item_number LIMIT 1) li ON true
LEFT JOIN LATERAL (SELECT pr.currency, pr.unit_price FROM prices pr
    WHERE pr.country = upper(q.country) AND upper(pr.item_id) = upper(q.cur_item)
      AND pr.term_duration = q.cur_term AND pr.billing_cycle = lower(q.cur_cycle) AND pr.gone_at IS NULL
    ORDER BY pr.currency LIMIT 1) cp ON true
LEFT JOIN LATERAL (SELECT pr.currency, pr.unit_price FROM prices pr
    WHERE pr.country = upper(q.country) AND upper(pr.item_id) = upper(q.next_item)
      AND pr.term_duration = q.next_term AND pr.billing_cycle = lower(q.next_cycle) AND pr.gone_at IS NULL
    ORDER BY pr.currency LIMIT 1) np ON true;

-- name: CustomerSettings :one
SELECT coalesce((SELECT cs.show_renewal_prices FROM customer_settings cs WHERE cs.customer_id = @customer_id), false)::boolean AS show_renewal_prices;

-- name: SetCustomerRenewalPrices :exec
INSERT INTO customer_settings (customer_id, show_renewal_prices, updated_at, updated_by)
VALUES (@customer_id, @show, now(), @updated_by)
ON CONFLICT (customer_id) DO UPDATE SET show_renewal_prices = excluded.show_renewal_prices,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by;

-- name: LiveCalendarFeed :one
SELECT id, created_at, last_used_at FROM calendar_feeds WHERE user_id = @user_id AND revoked_at IS NULL;

-- name: RevokeCalendarFeeds :execrows
UPDATE calendar_feeds SET revoked_at = now() WHERE user_id = @user_id AND revoked_at IS NULL;

-- name: InsertCalendarFeed :one
INSERT INTO calendar_feeds (user_id, token_hash) VALUES (@user_id, @token_hash) RETURNING id, created_at;

-- name: CalendarFeedUser :one
-- The user of a live feed by its token's hash, if still allowed to see the
-- renewal calendar; marks the feed used.
UPDATE calendar_feeds f SET last_used_at = now()
FROM users u
WHERE f.token_hash = @token_hash AND f.revoked_at IS NULL AND u.id = f.user_id AND u.disabled_at IS NULL
  AND u.role IN ('admin', 'staff')
RETURNING u.id, u.email;

-- name: SkuTitles :many
-- Titles of new-commerce SKUs by productId:skuId (upper case).
SELECT DISTINCT ON (upper(k.product_id), upper(k.id)) (upper(k.product_id) || ':' || upper(k.id))::text AS sku_key, k.title
FROM skus k
WHERE (upper(k.product_id) || ':' || upper(k.id)) = ANY(@keys::text[]) AND k.gone_at IS NULL
ORDER BY upper(k.product_id), upper(k.id), k.country;

-- name: CatalogItemsByID :many
-- New-commerce catalog items by id (any case) with their SKU's title,
-- limits and terms, preferring the given country.
SELECT DISTINCT ON (upper(a.catalog_item_id)) a.catalog_item_id, k.title, k.min_quantity, k.max_quantity, a.terms
FROM availabilities a
JOIN skus k ON k.country = a.country AND k.product_id = a.product_id AND k.id = a.sku_id AND k.gone_at IS NULL
WHERE upper(a.catalog_item_id) = ANY(@ids::text[]) AND a.gone_at IS NULL
ORDER BY upper(a.catalog_item_id), (a.country = @country) DESC, a.country;
