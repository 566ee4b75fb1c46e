-- +goose Up

-- A reseller user's customer list (issue 19) read from the index alone:
-- its count is an index-only scan of the reseller's entries and its page
-- the first entries past the offset, already in name order. With
-- customers_associated_partner (partner, id) both visited each of the
-- reseller's customers in the heap (scattered: a page each) to filter
-- gone_at, and the page sorted them.
--
-- No "associated_partner_id <> ''" predicate: a prepared statement's
-- generic plan (associated_partner_id = $1) cannot prove it, so with one
-- every execution was planned again, which cost more than running it.
-- The provider's own customers ('') make the index only a little bigger.
--
-- Every query filtering on associated_partner_id also wants gone_at IS
-- NULL, so this index replaces that one.
CREATE INDEX customers_reseller_list ON customers (associated_partner_id, lower(company_name), id)
    INCLUDE (company_name, domain, address_country) WHERE gone_at IS NULL;
DROP INDEX customers_associated_partner;

-- +goose Down
CREATE INDEX customers_associated_partner ON customers (associated_partner_id, id)
    WHERE associated_partner_id <> '';
DROP INDEX customers_reseller_list;
