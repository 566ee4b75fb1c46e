-- Prices on the pages: a customer's subscriptions with their term prices
-- (the partner's cost per unit and billing period, from the lifecycle the
-- mirror keeps), the renewals whose price changes, a customer's price list.
-- Every read a customer can reach takes the customer id.

-- name: CustomerPricedSubscriptions :many
-- The customer's subscriptions with the current and next term's unit cost
-- (and what the customer page lists of them, so it reads them once), in
-- no order: the store sorts them by name (sortPriced), which cost Postgres
-- a third of this query for a customer of 500. None when the customer's
-- data version (CustomerDataVersion) is unless_version: the caller holds
-- them as of that version (-1: read them in any case).
SELECT s.id, s.parent_subscription_id, s.offer_id, s.offer_name, s.friendly_name, s.status, s.quantity,
    s.term_duration, s.billing_cycle, s.billing_type, s.unit_type, s.auto_renew_enabled, s.commitment_end_date,
    coalesce(l.currency, '')::text AS currency, l.current_unit_price, l.next_unit_price,
    coalesce(l.next_item_id, '')::text AS next_item_id, coalesce(l.next_quantity, 0)::int AS next_quantity,
    coalesce(l.next_term_duration, '')::text AS next_term_duration,
    coalesce(l.next_billing_cycle, '')::text AS next_billing_cycle,
    l.renews_at, coalesce(l.price_source, '')::text AS price_source
FROM subscriptions s
LEFT JOIN subscription_lifecycle l ON l.subscription_id = s.id AND l.customer_id = s.customer_id
WHERE s.customer_id = @customer_id AND s.gone_at IS NULL
  AND @unless_version::bigint <> (SELECT coalesce(max(v.version), 0) FROM customer_data_versions v
      WHERE v.customer_id IN (@customer_id, '00000000-0000-0000-0000-000000000000'));

-- name: CustomerDataVersion :one
-- The version of what a customer's page and view read (migration 00266):
-- the customer's own, or a later one of every customer (a TRUNCATE); 0
-- before any write.
SELECT coalesce(max(v.version), 0)::bigint FROM customer_data_versions v
WHERE v.customer_id IN (@customer_id, '00000000-0000-0000-0000-000000000000');

-- name: RenewalPriceCandidates :many
-- Renewing subscriptions whose next term may cost another price than the
-- current one (the cost changes, or the next term is another item, term
-- or billing plan), renewal date order, after a keyset.
SELECT l.subscription_id, l.customer_id, coalesce(c.company_name, '')::text AS company_name,
    coalesce(c.domain, '')::text AS domain,
    s.offer_id, s.offer_name, s.friendly_name, s.quantity, s.term_duration, s.billing_cycle,
    l.currency, l.current_unit_price, l.next_unit_price, l.next_item_id, l.next_title, l.next_quantity,
    l.next_term_duration, l.next_billing_cycle, l.renews_at, l.term_end, l.price_source
FROM subscription_lifecycle l
JOIN subscriptions s ON s.id = l.subscription_id AND s.customer_id = l.customer_id AND s.gone_at IS NULL
LEFT JOIN customers c ON c.id = l.customer_id
WHERE l.renews_at IS NOT NULL AND l.term_end IS NOT NULL
  AND l.current_unit_price IS NOT NULL AND l.next_unit_price IS NOT NULL
  AND (l.price_changes OR (l.next_item_id <> '' AND upper(l.next_item_id) <> upper(s.offer_id))
       OR (l.next_billing_cycle <> '' AND lower(l.next_billing_cycle) <> lower(s.billing_cycle))
       OR (l.next_term_duration <> '' AND l.next_term_duration <> s.term_duration))
  AND (l.term_end, l.subscription_id) > (@after_end::timestamptz, @after_id::text)
ORDER BY l.term_end, l.subscription_id
LIMIT @max_rows;

-- name: CustomerPriceList :many
-- The market's price list (the current sheet as the prices table holds
-- it) with the catalog's titles and each item's markup family.
SELECT p.item_id, p.term_duration, p.billing_cycle, p.currency, p.unit_price, p.erp_price,
    coalesce(pr.title, '')::text AS product_title, coalesce(sk.title, '')::text AS sku_title,
    coalesce(nullif(pr.product_type, ''), pr.title, '')::text AS family
FROM prices p
JOIN availabilities a ON a.country = p.country AND a.catalog_item_id = p.item_id AND a.gone_at IS NULL
LEFT JOIN skus sk ON sk.country = a.country AND sk.product_id = a.product_id AND sk.id = a.sku_id
LEFT JOIN products pr ON pr.country = a.country AND pr.id = a.product_id
WHERE p.country = @country AND p.gone_at IS NULL
ORDER BY lower(coalesce(pr.title, '')), lower(coalesce(sk.title, '')), p.item_id, p.term_duration, p.billing_cycle, p.currency;

-- name: CustomerPriceMarket :one
-- The market a customer buys in: its country, else the portal's default.
SELECT upper(coalesce(nullif(c.address_country, ''), st.default_country, 'US'))::text AS market
FROM customers c LEFT JOIN settings st ON st.id = 1
WHERE c.id = @customer_id;
