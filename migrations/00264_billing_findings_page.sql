-- +goose Up

-- The reconciliation page reads each check's first findings, and a
-- check's pages, in this order from the index instead of sorting all of
-- the invoice's findings; counting them per check reads it alone. It
-- serves what the narrower index did.
CREATE INDEX billing_findings_page_idx ON billing_findings (invoice_id, check_name, customer_name, subscription_id, charge_start, id);
DROP INDEX billing_findings_invoice_idx;

-- +goose Down
CREATE INDEX billing_findings_invoice_idx ON billing_findings (invoice_id, check_name);
DROP INDEX billing_findings_page_idx;
