-- Carts of staff users, one per user and customer. Every query takes the
-- customer id.

-- name: EnsureCart :one
INSERT INTO carts (user_id, customer_id) VALUES (@user_id, @customer_id)
ON CONFLICT (user_id, customer_id) DO UPDATE SET updated_at = now()
RETURNING id;

-- name: LockCart :one
SELECT id FROM carts WHERE user_id = @user_id AND customer_id = @customer_id FOR UPDATE;

-- name: CartLines :many
SELECT l.* FROM cart_lines l JOIN carts c ON c.id = l.cart_id
WHERE c.user_id = @user_id AND c.customer_id = @customer_id
ORDER BY l.id;

-- name: InsertCartLine :one
INSERT INTO cart_lines (cart_id, kind, item_id, name, quantity, term_duration, billing_cycle, is_add_on,
    parent_line_id, parent_subscription_id, unit_price, currency, promotion_id, promotion_label, custom_term_end)
VALUES (@cart_id, @kind, @item_id, @name, @quantity, @term_duration, @billing_cycle, @is_add_on,
    @parent_line_id, @parent_subscription_id, @unit_price, @currency, @promotion_id, @promotion_label, @custom_term_end)
RETURNING id;

-- name: DeleteCartLine :execrows
DELETE FROM cart_lines l USING carts c
WHERE l.id = @id AND l.cart_id = c.id AND c.user_id = @user_id AND c.customer_id = @customer_id;

-- name: ClearCart :exec
DELETE FROM cart_lines WHERE cart_id = @cart_id;

-- name: CartOffer :one
-- A legacy offer for the customer's country, with the base offers it can
-- be added to.
SELECT o.id, o.name, o.min_quantity, o.max_quantity, o.is_add_on, o.is_available_for_purchase,
    o.supported_billing_cycles,
    ARRAY(SELECT r.offer_id FROM offer_relations r WHERE r.country = o.country AND r.kind = 'addon'
            AND r.related_id = o.id AND r.gone_at IS NULL
          UNION
          SELECT r.related_id FROM offer_relations r WHERE r.country = o.country AND r.kind = 'prerequisite'
            AND r.offer_id = o.id AND r.gone_at IS NULL)::text[] AS bases
FROM offers o
WHERE o.country = @country AND o.id = @id AND o.gone_at IS NULL;

-- name: CartCatalogItem :one
-- A new-commerce catalog item (productId:skuId:availabilityId) for the
-- customer's country with its SKU's limits, prerequisites and terms.
SELECT a.catalog_item_id, (CASE WHEN lower(k.title) LIKE lower(p.title) || '%' THEN k.title ELSE p.title || ' ' || k.title END)::text AS name, k.min_quantity, k.max_quantity,
    k.purchase_prerequisites, a.is_purchasable, a.terms, a.currency
FROM availabilities a
JOIN skus k ON k.country = a.country AND k.product_id = a.product_id AND k.id = a.sku_id AND k.gone_at IS NULL
JOIN products p ON p.country = a.country AND p.id = a.product_id AND p.gone_at IS NULL
WHERE a.country = @country AND a.catalog_item_id = @id AND a.gone_at IS NULL;

-- name: CartPrice :one
SELECT unit_price, currency FROM prices
WHERE country = @country AND item_id = @item_id AND gone_at IS NULL
  AND (term_duration = @term_duration OR term_duration = '')
  AND (billing_cycle = @billing_cycle OR billing_cycle = '')
ORDER BY (term_duration = @term_duration) DESC, (billing_cycle = @billing_cycle) DESC, currency
LIMIT 1;

-- name: CartCustomer :one
SELECT id, company_name, domain, coalesce(nullif(address_country, ''), 'US')::text AS country
FROM customers WHERE id = @id AND gone_at IS NULL;

-- name: CartParentSubscription :one
-- An existing subscription an add-on can attach to: the customer's own.
SELECT id, offer_id, offer_name, friendly_name, status FROM subscriptions
WHERE id = @id AND customer_id = @customer_id AND gone_at IS NULL;

-- name: CartParentCandidates :many
SELECT id, offer_id, offer_name, friendly_name FROM subscriptions
WHERE customer_id = @customer_id AND status = 'active' AND parent_subscription_id = '' AND gone_at IS NULL
ORDER BY lower(offer_name), id;

-- name: CartItemChoices :many
-- What can be put in a cart for a country: legacy offers and NCE items.
SELECT o.id AS item_id, o.name, 'offer'::text AS kind, o.is_add_on FROM offers o
WHERE o.country = @country AND o.is_available_for_purchase AND o.gone_at IS NULL
UNION ALL
-- A SKU titled like its product ("Microsoft 365 Business Premium" under
-- the same product) is named once, not twice.
SELECT a.catalog_item_id, (CASE WHEN lower(k.title) LIKE lower(p.title) || '%' THEN k.title
        ELSE p.title || ' ' || k.title END)::text, 'nce'::text,
    -- An add-on names its base SKUs (productId:skuId); PC's agreement
    -- prerequisite (MicrosoftCloudAgreement) is on every licence SKU.
    EXISTS (SELECT 1 FROM unnest(k.purchase_prerequisites) pre WHERE pre LIKE '%:%')
FROM availabilities a
JOIN skus k ON k.country = a.country AND k.product_id = a.product_id AND k.id = a.sku_id AND k.gone_at IS NULL
JOIN products p ON p.country = a.country AND p.id = a.product_id AND p.gone_at IS NULL
WHERE a.country = @country AND a.is_purchasable AND a.gone_at IS NULL AND a.catalog_item_id <> ''
ORDER BY 2, 1
LIMIT 500;

-- name: SubscriptionLabels :many
-- Names of a customer's mirrored subscriptions, for choices that list them.
SELECT id, coalesce(nullif(friendly_name, ''), offer_name)::text AS name, commitment_end_date
FROM subscriptions WHERE customer_id = @customer_id AND lower(id) = ANY(@ids::text[]);
