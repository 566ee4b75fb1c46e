-- +goose Up

-- One cart per staff user and customer, kept until submitted or emptied.
CREATE TABLE carts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id  uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, customer_id)
);

-- A cart line: a legacy offer or a new-commerce catalog item. An add-on
-- names its parent: an existing subscription of the customer or a base
-- line of the same cart.
CREATE TABLE cart_lines (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cart_id                 bigint NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    kind                    text NOT NULL CHECK (kind IN ('offer', 'nce')),
    item_id                 text NOT NULL,
    name                    text NOT NULL DEFAULT '',
    quantity                int NOT NULL CHECK (quantity > 0),
    term_duration           text NOT NULL DEFAULT '',
    billing_cycle           text NOT NULL DEFAULT '',
    is_add_on               boolean NOT NULL DEFAULT false,
    parent_line_id          bigint REFERENCES cart_lines (id) ON DELETE CASCADE,
    parent_subscription_id  text NOT NULL DEFAULT '',
    unit_price              numeric,
    currency                text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cart_lines_cart_idx ON cart_lines (cart_id, id);

-- A submitted cart. token is the review form's idempotency key (a double
-- submit places one order). Phase 1 orders the bases (and add-ons of
-- existing subscriptions); phase 2 orders the add-ons of those new bases
-- once their subscriptions are active.
CREATE TABLE order_placements (
    token             uuid PRIMARY KEY,
    customer_id       uuid NOT NULL,
    user_id           bigint REFERENCES users (id) ON DELETE SET NULL,
    lines             jsonb NOT NULL,
    base_command_id   bigint NOT NULL REFERENCES commands (id),
    addon_command_id  bigint REFERENCES commands (id),
    needs_addons      boolean NOT NULL DEFAULT false,
    cancelled_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_placements_customer_idx ON order_placements (customer_id, created_at DESC);

-- +goose Down
DROP TABLE order_placements;
DROP TABLE cart_lines;
DROP TABLE carts;
