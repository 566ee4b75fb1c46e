-- +goose Up

-- An invoice's page of customers: the number of its customers is kept
-- with the invoice (set when an import is switched in), so no page counts
-- them all, and the pages after the first start from the last row shown
-- (most charged first, then by PC's id, both descending) instead of
-- skipping the rows before them.
ALTER TABLE billing_invoices ADD COLUMN customers bigint NOT NULL DEFAULT 0;
UPDATE billing_invoices v SET customers = c.n
FROM (SELECT invoice_id, count(*) AS n FROM billing_invoice_customers GROUP BY invoice_id) c
WHERE c.invoice_id = v.id;
CREATE INDEX billing_invoice_customers_page_idx ON billing_invoice_customers (invoice_id, cost, pc_customer_id);
DROP INDEX billing_invoice_customers_cost_idx;

-- +goose Down
CREATE INDEX billing_invoice_customers_cost_idx ON billing_invoice_customers (invoice_id, cost DESC, pc_customer_id);
DROP INDEX billing_invoice_customers_page_idx;
ALTER TABLE billing_invoices DROP COLUMN customers;
