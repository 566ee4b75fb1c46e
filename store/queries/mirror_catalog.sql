-- Mirror of the catalog, per country.

-- name: UpsertOffer :batchexec
INSERT INTO offers (country, id, name, description, category, product_id, product_name, billing,
    unit_type, min_quantity, max_quantity, is_add_on, has_add_ons, is_available_for_purchase,
    is_auto_renewable, is_trial, supported_billing_cycles, raw, synced_at, gone_at)
VALUES (@country, @id, @name, @description, @category, @product_id, @product_name, @billing,
    @unit_type, @min_quantity, @max_quantity, @is_add_on, @has_add_ons, @is_available_for_purchase,
    @is_auto_renewable, @is_trial, @supported_billing_cycles, @raw, @synced_at, NULL)
ON CONFLICT (country, id) DO UPDATE SET
    name = excluded.name, description = excluded.description, category = excluded.category,
    product_id = excluded.product_id, product_name = excluded.product_name, billing = excluded.billing,
    unit_type = excluded.unit_type, min_quantity = excluded.min_quantity,
    max_quantity = excluded.max_quantity, is_add_on = excluded.is_add_on,
    has_add_ons = excluded.has_add_ons, is_available_for_purchase = excluded.is_available_for_purchase,
    is_auto_renewable = excluded.is_auto_renewable, is_trial = excluded.is_trial,
    supported_billing_cycles = excluded.supported_billing_cycles, raw = excluded.raw,
    synced_at = excluded.synced_at, gone_at = NULL;

-- name: UpsertOfferRelation :batchexec
INSERT INTO offer_relations (country, offer_id, kind, related_id, synced_at, gone_at)
VALUES (@country, @offer_id, @kind, @related_id, @synced_at, NULL)
ON CONFLICT (country, offer_id, kind, related_id) DO UPDATE SET synced_at = excluded.synced_at, gone_at = NULL;

-- name: UpsertProduct :batchexec
INSERT INTO products (country, id, title, description, product_type, product_subtype, publisher_name,
    is_microsoft_product, raw, synced_at, gone_at)
VALUES (@country, @id, @title, @description, @product_type, @product_subtype, @publisher_name,
    @is_microsoft_product, @raw, @synced_at, NULL)
ON CONFLICT (country, id) DO UPDATE SET
    title = excluded.title, description = excluded.description, product_type = excluded.product_type,
    product_subtype = excluded.product_subtype, publisher_name = excluded.publisher_name,
    is_microsoft_product = excluded.is_microsoft_product, raw = excluded.raw,
    synced_at = excluded.synced_at, gone_at = NULL;

-- name: UpsertSku :batchexec
INSERT INTO skus (country, product_id, id, title, description, min_quantity, max_quantity, is_trial,
    consumption_type, supported_billing_cycles, purchase_prerequisites, raw, synced_at, gone_at)
VALUES (@country, @product_id, @id, @title, @description, @min_quantity, @max_quantity, @is_trial,
    @consumption_type, @supported_billing_cycles, @purchase_prerequisites, @raw, @synced_at, NULL)
ON CONFLICT (country, product_id, id) DO UPDATE SET
    title = excluded.title, description = excluded.description, min_quantity = excluded.min_quantity,
    max_quantity = excluded.max_quantity, is_trial = excluded.is_trial,
    consumption_type = excluded.consumption_type,
    supported_billing_cycles = excluded.supported_billing_cycles,
    purchase_prerequisites = excluded.purchase_prerequisites, raw = excluded.raw,
    synced_at = excluded.synced_at, gone_at = NULL;

-- name: UpsertAvailability :batchexec
INSERT INTO availabilities (country, product_id, sku_id, id, catalog_item_id, currency, segment,
    is_purchasable, is_renewable, terms, raw, synced_at, gone_at)
VALUES (@country, @product_id, @sku_id, @id, @catalog_item_id, @currency, @segment,
    @is_purchasable, @is_renewable, @terms, @raw, @synced_at, NULL)
ON CONFLICT (country, product_id, sku_id, id) DO UPDATE SET
    catalog_item_id = excluded.catalog_item_id, currency = excluded.currency,
    segment = excluded.segment, is_purchasable = excluded.is_purchasable,
    is_renewable = excluded.is_renewable, terms = excluded.terms, raw = excluded.raw,
    synced_at = excluded.synced_at, gone_at = NULL;

-- name: UpsertPrice :batchexec
INSERT INTO prices (country, item_id, term_duration, billing_cycle, currency, unit_price, synced_at, gone_at)
VALUES (@country, @item_id, @term_duration, @billing_cycle, @currency, @unit_price, @synced_at, NULL)
ON CONFLICT (country, item_id, term_duration, billing_cycle, currency) DO UPDATE SET
    unit_price = excluded.unit_price, synced_at = excluded.synced_at, gone_at = NULL;

-- name: MarkCatalogGone :exec
WITH o AS (UPDATE offers SET gone_at = @now WHERE offers.country = @country AND offers.gone_at IS NULL AND offers.synced_at < @before),
     r AS (UPDATE offer_relations SET gone_at = @now WHERE offer_relations.country = @country AND offer_relations.gone_at IS NULL AND offer_relations.synced_at < @before),
     p AS (UPDATE products SET gone_at = @now WHERE products.country = @country AND products.gone_at IS NULL AND products.synced_at < @before),
     k AS (UPDATE skus SET gone_at = @now WHERE skus.country = @country AND skus.gone_at IS NULL AND skus.synced_at < @before),
     a AS (UPDATE availabilities SET gone_at = @now WHERE availabilities.country = @country AND availabilities.gone_at IS NULL AND availabilities.synced_at < @before)
UPDATE prices SET gone_at = @now WHERE prices.country = @country AND prices.gone_at IS NULL AND prices.synced_at < @before;
