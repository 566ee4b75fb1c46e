-- +goose Up

-- An invoice's page of one customer lists its groups (a subscription's
-- lines of one charge type) a page at a time, by product. It counted
-- and sorted all of them on every request (550 for a customer of 500
-- subscriptions, a millisecond of Postgres). The customer's summary now
-- keeps how many groups it has (rebuilt with the summaries), and this
-- index reads a page in the list's order, so a page reads its rows only.
ALTER TABLE billing_invoice_customers ADD COLUMN groups integer NOT NULL DEFAULT 0;

UPDATE billing_invoice_customers c SET groups = g.n
FROM (SELECT invoice_id, pc_customer_id, count(*) AS n FROM billing_invoice_groups GROUP BY 1, 2) g
WHERE c.invoice_id = g.invoice_id AND c.pc_customer_id = g.pc_customer_id;

CREATE INDEX billing_invoice_groups_order_idx ON billing_invoice_groups
    (invoice_id, pc_customer_id, product_name, subscription_id, first_charge, charge_type);

-- +goose Down
DROP INDEX billing_invoice_groups_order_idx;
ALTER TABLE billing_invoice_customers DROP COLUMN groups;
