-- Indirect resellers (issue 19).

-- name: UpsertReseller :exec
INSERT INTO resellers (tenant_id, name, mpn_id, location, state, relationship_type, synced_at, gone_at)
VALUES (@tenant_id, @name, @mpn_id, @location, @state, @relationship_type, @synced_at, NULL)
ON CONFLICT (tenant_id) DO UPDATE SET
    name = excluded.name, mpn_id = excluded.mpn_id, location = excluded.location, state = excluded.state,
    relationship_type = excluded.relationship_type, synced_at = excluded.synced_at, gone_at = NULL;

-- name: MarkResellersGone :execrows
-- Resellers PC no longer lists (the relationship ended) stay, marked gone.
UPDATE resellers SET gone_at = @at
WHERE gone_at IS NULL AND NOT (tenant_id = ANY(@seen::uuid[]));

-- name: SetResellerMPA :exec
UPDATE resellers SET mpa_signed = @mpa_signed, mpa_code = @mpa_code, mpa_description = @mpa_description,
    mpa_checked_at = @checked_at
WHERE tenant_id = @tenant_id;

-- name: CountResellers :one
SELECT count(*) FROM resellers WHERE gone_at IS NULL;

-- name: ListResellersPage :many
-- The resellers page: by name (their customer counts are kept apart,
-- ResellerCustomerCounts).
SELECT r.tenant_id, r.name, r.mpn_id, r.location, r.state, r.mpa_signed, r.mpa_code, r.mpa_description,
       r.mpa_checked_at, r.synced_at
FROM resellers r
WHERE r.gone_at IS NULL
ORDER BY lower(r.name), r.tenant_id
LIMIT @lim OFFSET @off;

-- name: ResellerCustomerCounts :many
-- How many current customers name each partner of record (a reseller's
-- tenant id, lower-cased by the mirror), from the covering index.
SELECT associated_partner_id, count(*)::bigint AS customers
FROM customers
WHERE gone_at IS NULL AND associated_partner_id <> ''
GROUP BY associated_partner_id;

-- name: GetReseller :one
SELECT * FROM resellers WHERE tenant_id = @tenant_id;

-- name: ResellerOfRecord :one
-- The reseller a customer belongs to (associatedPartnerId) as an order
-- needs it; the reseller columns are NULL when the mirror does not know it.
SELECT c.associated_partner_id, r.tenant_id AS reseller_tenant_id, r.name AS reseller_name,
       r.mpn_id AS reseller_mpn_id, r.mpa_signed, r.gone_at AS reseller_gone_at
FROM customers c
LEFT JOIN resellers r ON r.tenant_id::text = lower(c.associated_partner_id)
WHERE c.id = @customer_id;

-- name: ResellerChoices :many
-- The resellers a new customer may be created for (indirect provider mode).
SELECT r.tenant_id, r.name, r.mpn_id, r.mpa_signed
FROM resellers r, settings s
WHERE s.id = 1 AND s.partner_mode = 'indirect' AND r.gone_at IS NULL
ORDER BY lower(r.name), r.tenant_id
LIMIT 1000;

-- name: GetResellerCustomer :one
-- A customer as its reseller's users may see it: another reseller's (or
-- the provider's own) customer is not found.
SELECT * FROM customers
WHERE id = @id AND associated_partner_id = @reseller_id::text AND gone_at IS NULL;

-- name: ListResellerCustomers :many
-- A page of a reseller's customers by name (its users' customer list),
-- each row with how many the reseller has: one statement, one snapshot,
-- the count evaluated once. Both read customers_reseller_list alone (keep
-- the columns to its own). A page past the end has no rows, so no count:
-- CountResellerCustomers then.
SELECT id, company_name, domain, address_country,
       (SELECT count(*) FROM customers n
         WHERE n.associated_partner_id = @reseller_id::text AND n.gone_at IS NULL)::bigint AS total
FROM customers
WHERE associated_partner_id = @reseller_id::text AND gone_at IS NULL
ORDER BY lower(company_name), id
LIMIT @lim OFFSET @off;

-- name: SearchResellerCustomers :many
-- A page of the reseller's customers whose name or domain contains the
-- search (@pattern: %...%, escaped), by name, each row with how many match.
SELECT id, company_name, domain, address_country, (count(*) OVER ())::bigint AS total
FROM customers
WHERE associated_partner_id = @reseller_id::text AND gone_at IS NULL
  AND (company_name ILIKE @pattern::text OR domain ILIKE @pattern::text)
ORDER BY lower(company_name), id
LIMIT @lim OFFSET @off;

-- name: CountResellerCustomers :one
-- An index-only scan of customers_reseller_list.
SELECT count(*) FROM customers WHERE associated_partner_id = @reseller_id::text AND gone_at IS NULL;

-- name: ResellerLinesWithoutRecord :many
-- Order lines of a reseller's customers that do not name the reseller as
-- partner of record (it loses its incentives on them), newest first.
SELECT o.id AS order_id, c.id AS customer_id, c.company_name, o.creation_date, li.line_item_number, li.offer_id,
       li.friendly_name, li.quantity, li.partner_id_on_record
FROM customers c
JOIN orders o ON o.customer_id = c.id AND o.gone_at IS NULL
JOIN order_line_items li ON li.order_id = o.id AND li.gone_at IS NULL
WHERE c.associated_partner_id = @tenant_id::text AND c.gone_at IS NULL AND li.partner_id_on_record <> @mpn_id::text
ORDER BY o.creation_date DESC NULLS LAST, o.id, li.line_item_number
LIMIT 100;
