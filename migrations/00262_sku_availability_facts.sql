-- +goose Up

-- What the catalog shows and filters on of a SKU's availabilities (its
-- terms, billing cycles, currencies and whether any is purchasable) was
-- derived through catalog_items on every read, unpacking each
-- availability's terms JSON: most of a catalog page's Postgres time. It
-- changes only when an availability does, so it is kept per SKU,
-- refreshed by triggers. A table of its own, not columns of skus: each
-- refresh then rewrites a narrow row, not a SKU with its search vector
-- and indexes.
CREATE TABLE sku_availability (
    country     text NOT NULL,
    product_id  text NOT NULL,
    sku_id      text NOT NULL,
    terms       text[] NOT NULL,
    cycles      text[], -- NULL: none listed, the SKU's own cycles count
    purchasable boolean NOT NULL,
    currencies  text[] NOT NULL,
    PRIMARY KEY (country, product_id, sku_id)
);

-- +goose StatementBegin
-- PL/pgSQL, not SQL: its plan is kept across the trigger's calls.
CREATE FUNCTION refresh_sku_availability(c text, p text, k text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO sku_availability AS f (country, product_id, sku_id, terms, cycles, purchasable, currencies)
SELECT c, p, k,
       coalesce((SELECT array_agg(DISTINCT t->>'duration') FROM availabilities a, jsonb_array_elements(a.terms) t
                 WHERE a.country = c AND a.product_id = p AND a.sku_id = k AND a.gone_at IS NULL
                   AND coalesce(t->>'duration', '') <> ''), '{}'),
       (SELECT array_agg(DISTINCT lower(t->>'billingCycle')) FROM availabilities a, jsonb_array_elements(a.terms) t
        WHERE a.country = c AND a.product_id = p AND a.sku_id = k AND a.gone_at IS NULL
          AND coalesce(t->>'billingCycle', '') <> ''),
       EXISTS (SELECT 1 FROM availabilities a WHERE a.country = c AND a.product_id = p
               AND a.sku_id = k AND a.gone_at IS NULL AND a.is_purchasable),
       coalesce((SELECT array_agg(DISTINCT a.currency) FROM availabilities a
                 WHERE a.country = c AND a.product_id = p AND a.sku_id = k AND a.gone_at IS NULL AND a.currency <> ''), '{}')
ON CONFLICT (country, product_id, sku_id) DO UPDATE SET
    terms = excluded.terms, cycles = excluded.cycles, purchasable = excluded.purchasable, currencies = excluded.currencies
WHERE (f.terms, f.cycles, f.purchasable, f.currencies) IS DISTINCT FROM
      (excluded.terms, excluded.cycles, excluded.purchasable, excluded.currencies);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE sku_availability;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM refresh_sku_availability(OLD.country, OLD.product_id, OLD.sku_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.country, NEW.product_id, NEW.sku_id) IS DISTINCT FROM (OLD.country, OLD.product_id, OLD.sku_id)) THEN
        PERFORM refresh_sku_availability(NEW.country, NEW.product_id, NEW.sku_id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER availabilities_insert_delete AFTER INSERT OR DELETE ON availabilities
    FOR EACH ROW EXECUTE FUNCTION availability_changed();
-- A sync rewrites every availability (its synced_at): only changes of
-- what is kept refresh it.
CREATE TRIGGER availabilities_update AFTER UPDATE ON availabilities
    FOR EACH ROW WHEN (OLD.terms IS DISTINCT FROM NEW.terms OR OLD.is_purchasable IS DISTINCT FROM NEW.is_purchasable
        OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.gone_at IS DISTINCT FROM NEW.gone_at
        OR (OLD.country, OLD.product_id, OLD.sku_id) IS DISTINCT FROM (NEW.country, NEW.product_id, NEW.sku_id))
    EXECUTE FUNCTION availability_changed();
CREATE TRIGGER availabilities_truncate AFTER TRUNCATE ON availabilities
    FOR EACH STATEMENT EXECUTE FUNCTION availability_changed();

SELECT refresh_sku_availability(country, product_id, sku_id)
FROM (SELECT DISTINCT country, product_id, sku_id FROM availabilities) a;

CREATE OR REPLACE VIEW catalog_items AS
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
       coalesce(f.terms, '{}'), coalesce(f.cycles, s.supported_billing_cycles), coalesce(f.purchasable, false),
       coalesce(f.currencies, '{}'),
       s.search, s.synced_at, s.gone_at
FROM skus s
LEFT JOIN products pr ON pr.country = s.country AND pr.id = s.product_id
LEFT JOIN sku_availability f ON f.country = s.country AND f.product_id = s.product_id AND f.sku_id = s.id;

-- +goose Down
CREATE OR REPLACE VIEW catalog_items AS
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
DROP TRIGGER availabilities_truncate ON availabilities;
DROP TRIGGER availabilities_update ON availabilities;
DROP TRIGGER availabilities_insert_delete ON availabilities;
DROP FUNCTION availability_changed();
DROP FUNCTION refresh_sku_availability(text, text, text);
DROP TABLE sku_availability;
