-- +goose Up

-- Full-text search over the catalog (name weighted above description) and
-- one view of everything sellable: legacy offers and new-commerce SKUs, with
-- the attributes the catalog page filters on.

ALTER TABLE offers ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(product_name, '') || ' ' || coalesce(category, '')), 'C') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B')) STORED;
CREATE INDEX offers_search_idx ON offers USING gin (search);

ALTER TABLE skus ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B')) STORED;
CREATE INDEX skus_search_idx ON skus USING gin (search);

CREATE INDEX availabilities_sku_idx ON availabilities (country, product_id, sku_id);
CREATE INDEX prices_item_idx ON prices (country, item_id) WHERE gone_at IS NULL;

-- kind 'offer': id is the legacy offer id; kind 'sku': id is product/sku.
CREATE VIEW catalog_items AS
SELECT o.country, 'offer'::text AS kind, o.id, o.name, o.description,
       coalesce(nullif(o.category, ''), o.product_name) AS family,
       o.billing, o.is_add_on, o.unit_type, o.min_quantity, o.max_quantity,
       CASE WHEN 'annual' = ANY (o.supported_billing_cycles) OR 'monthly' = ANY (o.supported_billing_cycles)
            THEN ARRAY['P1Y']::text[] ELSE '{}'::text[] END AS terms,
       o.supported_billing_cycles AS billing_cycles,
       o.is_available_for_purchase AS purchasable,
       coalesce((SELECT array_agg(DISTINCT p.currency) FROM prices p
                 WHERE p.country = o.country AND p.item_id = o.id AND p.gone_at IS NULL), '{}') AS currencies,
       o.search, o.synced_at, o.gone_at
FROM offers o
UNION ALL
SELECT s.country, 'sku'::text, s.product_id || '/' || s.id, s.title, s.description,
       coalesce(nullif(pr.product_type, ''), pr.title),
       CASE WHEN lower(s.consumption_type) LIKE 'usage%' OR lower(coalesce(s.raw->>'billing', '')) = 'usage'
            THEN 'usage' ELSE 'license' END,
       coalesce((s.raw->>'isAddOn')::boolean, false), 'Licenses', s.min_quantity, s.max_quantity,
       coalesce((SELECT array_agg(DISTINCT t->>'duration') FROM availabilities a, jsonb_array_elements(a.terms) t
                 WHERE a.country = s.country AND a.product_id = s.product_id AND a.sku_id = s.id AND a.gone_at IS NULL
                   AND coalesce(t->>'duration', '') <> ''), '{}'),
       coalesce((SELECT array_agg(DISTINCT lower(t->>'billingCycle')) FROM availabilities a, jsonb_array_elements(a.terms) t
                 WHERE a.country = s.country AND a.product_id = s.product_id AND a.sku_id = s.id AND a.gone_at IS NULL
                   AND coalesce(t->>'billingCycle', '') <> ''), s.supported_billing_cycles),
       EXISTS (SELECT 1 FROM availabilities a WHERE a.country = s.country AND a.product_id = s.product_id
               AND a.sku_id = s.id AND a.gone_at IS NULL AND a.is_purchasable),
       coalesce((SELECT array_agg(DISTINCT a.currency) FROM availabilities a
                 WHERE a.country = s.country AND a.product_id = s.product_id AND a.sku_id = s.id AND a.gone_at IS NULL AND a.currency <> ''), '{}'),
       s.search, s.synced_at, s.gone_at
FROM skus s
LEFT JOIN products pr ON pr.country = s.country AND pr.id = s.product_id;

-- Customer list filters.
CREATE INDEX subscriptions_suspended_idx ON subscriptions (customer_id) WHERE status = 'suspended' AND gone_at IS NULL;
CREATE INDEX agreements_customer_idx ON agreements (customer_id) WHERE gone_at IS NULL;
CREATE INDEX customers_tenant_idx ON customers (lower(tenant_id));
CREATE INDEX subscriptions_active_renewal_idx ON subscriptions (commitment_end_date, customer_id) WHERE status = 'active' AND gone_at IS NULL;

-- +goose Down
DROP INDEX subscriptions_active_renewal_idx;
DROP INDEX customers_tenant_idx;
DROP INDEX agreements_customer_idx;
DROP INDEX subscriptions_suspended_idx;
DROP VIEW catalog_items;
DROP INDEX prices_item_idx;
DROP INDEX availabilities_sku_idx;
ALTER TABLE skus DROP COLUMN search;
ALTER TABLE offers DROP COLUMN search;
