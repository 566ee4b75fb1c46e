-- +goose Up

-- Support (issue 21): what a customer's users ask their reseller for. A
-- seat request names a subscription and the seat count wanted; nothing
-- changes in Partner Center until staff approve it, and the approval is
-- the ordinary subscription change (change_token links the two). A ticket
-- is a question with a severity and, optionally, the subscription it is
-- about. The form's token makes a double submit one request.
CREATE TABLE support_requests (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id      uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('seats', 'ticket')),
    token            uuid NOT NULL UNIQUE,
    subscription_id  text NOT NULL DEFAULT '',
    current_seats    integer,
    requested_seats  integer,
    subject          text NOT NULL,
    description      text NOT NULL DEFAULT '',
    severity         text NOT NULL DEFAULT 'normal' CHECK (severity IN ('low', 'normal', 'high', 'critical')),
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'in_progress', 'waiting_customer', 'approved', 'rejected', 'closed')),
    assigned_to      bigint REFERENCES users (id) ON DELETE SET NULL,
    requested_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    requester_label  text NOT NULL,
    decided_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    decision_reason  text NOT NULL DEFAULT '',
    change_token     uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT support_requests_seats CHECK (kind <> 'seats' OR (subscription_id <> '' AND requested_seats IS NOT NULL))
);
-- A customer's own list (newest first) and the staff queue by status.
CREATE INDEX support_requests_customer_idx ON support_requests (customer_id, id DESC);
CREATE INDEX support_requests_status_idx ON support_requests (status, id DESC);

-- The conversation of a request. customer_id is repeated so every read a
-- customer user can reach filters on it directly.
CREATE TABLE support_replies (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id      bigint NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    customer_id     uuid NOT NULL,
    author_user_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    author_label    text NOT NULL,
    from_staff      boolean NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_replies_request_idx ON support_replies (request_id, id);

-- +goose Down
DROP TABLE support_replies;
DROP TABLE support_requests;
