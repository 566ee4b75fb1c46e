-- +goose Up

-- Auto-approval of customers' seat requests (issue 21): an admin's policy,
-- off by default. The row without a customer applies to every customer;
-- a customer's own row (enabled or not) overrides it. A request that fits
-- (an increase of at most max_per_request seats, and at most max_per_month
-- seats auto-approved for the customer in the calendar month, UTC; NULL is
-- no limit) is approved at once; any other waits for staff.
CREATE TABLE seat_approval_policies (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id      uuid REFERENCES customers (id) ON DELETE CASCADE,
    enabled          boolean NOT NULL,
    max_per_request  integer CHECK (max_per_request > 0),
    max_per_month    integer CHECK (max_per_month > 0),
    updated_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_label    text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT seat_approval_policies_customer UNIQUE NULLS NOT DISTINCT (customer_id)
);

-- When the policy approved a request (NULL: staff decided, or nobody yet);
-- the month's sum of auto-approved seats reads it.
ALTER TABLE support_requests ADD COLUMN auto_approved_at timestamptz;
CREATE INDEX support_requests_auto_idx ON support_requests (customer_id, auto_approved_at) WHERE auto_approved_at IS NOT NULL;

-- +goose Down
DROP INDEX support_requests_auto_idx;
ALTER TABLE support_requests DROP COLUMN auto_approved_at;
DROP TABLE seat_approval_policies;
