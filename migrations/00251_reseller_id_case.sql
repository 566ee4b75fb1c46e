-- +goose Up

-- A customer's reseller (associated_partner_id) is compared with the
-- reseller's tenant id as Postgres prints a uuid, in lower case; Partner
-- Center may send it in upper case, so the mirror now keeps it lower-cased
-- and the rows written before follow.
UPDATE customers SET associated_partner_id = lower(associated_partner_id)
WHERE associated_partner_id <> lower(associated_partner_id);

-- +goose Down
SELECT 1;
