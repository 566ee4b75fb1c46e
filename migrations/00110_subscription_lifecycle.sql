-- +goose Up

-- The subscription lifecycle as first-class rows (issue 15). The mirror
-- writes them with the subscription they belong to, from PC's answer and
-- the documented durations (PC has no field for the expired, disabled or
-- deletion dates); pages and the renewal calendar read only these.

-- Seat tranches: PC's refundableQuantity.details. Each new-commerce
-- purchase, renewal and seat increase has its own window. PC returns only
-- the open ones: a read replaces the open rows and keeps the closed ones a
-- year (so pages can say when the last window closed); pages compare
-- allowed_until with now.
CREATE TABLE subscription_tranches (
    subscription_id text NOT NULL,
    allowed_until   timestamptz NOT NULL,
    ordinal         int NOT NULL,
    customer_id     uuid NOT NULL,
    quantity        int NOT NULL,
    synced_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, allowed_until, ordinal)
);
CREATE INDEX subscription_tranches_until_idx ON subscription_tranches (allowed_until, subscription_id);

-- Scheduled next-term instructions (one set per subscription). When PC no
-- longer has them, removed_at and removed_reason say why: applied at the
-- renewal, deleted by a mid-term change or a suspension, or cleared.
CREATE TABLE subscription_scheduled_changes (
    subscription_id      text PRIMARY KEY,
    customer_id          uuid NOT NULL,
    catalog_item_id      text NOT NULL,
    product_id           text NOT NULL DEFAULT '',
    sku_id               text NOT NULL DEFAULT '',
    availability_id      text NOT NULL DEFAULT '',
    title                text NOT NULL DEFAULT '',
    term_duration        text NOT NULL DEFAULT '',
    billing_cycle        text NOT NULL DEFAULT '',
    promotion_id         text NOT NULL DEFAULT '',
    quantity             int NOT NULL DEFAULT 0,
    custom_term_end_date timestamptz,
    first_seen_at        timestamptz NOT NULL DEFAULT now(),
    removed_at           timestamptz,
    removed_reason       text NOT NULL DEFAULT '',
    synced_at            timestamptz NOT NULL DEFAULT now()
);

-- Transitions (upgrades) as PC reports them (GET .../transitions).
CREATE TABLE subscription_transitions (
    operation_id         text PRIMARY KEY,
    customer_id          uuid NOT NULL,
    subscription_id      text NOT NULL,
    from_catalog_item_id text NOT NULL DEFAULT '',
    to_catalog_item_id   text NOT NULL DEFAULT '',
    to_subscription_id   text NOT NULL DEFAULT '',
    quantity             int NOT NULL DEFAULT 0,
    term_duration        text NOT NULL DEFAULT '',
    billing_cycle        text NOT NULL DEFAULT '',
    transition_type      text NOT NULL DEFAULT '',
    status               text NOT NULL DEFAULT '',
    errors               text NOT NULL DEFAULT '',
    started_at           timestamptz,
    updated_at           timestamptz,
    synced_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscription_transitions_sub_idx ON subscription_transitions (customer_id, subscription_id, started_at DESC);

-- One subscription's calendar and next term. The dates follow from the
-- status, commitmentEndDate and the documented durations (rules.
-- DeriveLifecycle); suspended_at, path and reactivated_at are what the
-- mirror saw happen. The next term is the subscription as it renews
-- (scheduled changes applied) with its price from the portal's pricer.
CREATE TABLE subscription_lifecycle (
    subscription_id     text PRIMARY KEY,
    customer_id         uuid NOT NULL,
    status              text NOT NULL DEFAULT '',
    nce                 boolean NOT NULL DEFAULT false,
    auto_renew          boolean NOT NULL DEFAULT false,
    commitment_end_date timestamptz,
    term_end            timestamptz,
    renews_at           timestamptz,
    billed_until        timestamptz,
    expires_at          timestamptz,
    disabled_at         timestamptz,
    deletes_at          timestamptz,
    deletes_approx      boolean NOT NULL DEFAULT false,
    path                text NOT NULL DEFAULT '',
    suspended_at        timestamptz,
    reactivated_at      timestamptz,
    refundable          int NOT NULL DEFAULT 0,
    window_closes_at    timestamptz,
    next_item_id        text NOT NULL DEFAULT '',
    next_title          text NOT NULL DEFAULT '',
    next_quantity       int NOT NULL DEFAULT 0,
    next_term_duration  text NOT NULL DEFAULT '',
    next_billing_cycle  text NOT NULL DEFAULT '',
    scheduled           boolean NOT NULL DEFAULT false,
    currency            text NOT NULL DEFAULT '',
    current_unit_price  numeric,
    next_unit_price     numeric,
    price_source        text NOT NULL DEFAULT '',
    price_changes       boolean GENERATED ALWAYS AS (current_unit_price IS NOT NULL AND next_unit_price IS NOT NULL
                            AND current_unit_price <> next_unit_price) STORED,
    computed_at         timestamptz NOT NULL DEFAULT now()
);
-- The renewal calendar walks term ends in order (globally and per customer).
CREATE INDEX subscription_lifecycle_term_end_idx ON subscription_lifecycle (term_end, subscription_id) WHERE term_end IS NOT NULL;
CREATE INDEX subscription_lifecycle_customer_idx ON subscription_lifecycle (customer_id, term_end, subscription_id);
-- Its rarer filters walk their own partial indexes.
CREATE INDEX subscription_lifecycle_scheduled_idx ON subscription_lifecycle (term_end, subscription_id) WHERE scheduled;
CREATE INDEX subscription_lifecycle_price_idx ON subscription_lifecycle (term_end, subscription_id) WHERE price_changes;
CREATE INDEX subscription_lifecycle_norenew_idx ON subscription_lifecycle (term_end, subscription_id) WHERE NOT auto_renew;
CREATE INDEX subscription_lifecycle_window_idx ON subscription_lifecycle (window_closes_at);

-- The terms the mirror saw a subscription start, with the unit price it
-- was renewed (or bought) at.
CREATE TABLE subscription_terms (
    subscription_id     text NOT NULL,
    commitment_end_date timestamptz NOT NULL,
    customer_id         uuid NOT NULL,
    term_start          timestamptz,
    item_id             text NOT NULL DEFAULT '',
    quantity            int NOT NULL DEFAULT 0,
    term_duration       text NOT NULL DEFAULT '',
    billing_cycle       text NOT NULL DEFAULT '',
    currency            text NOT NULL DEFAULT '',
    unit_price          numeric,
    renewal             boolean NOT NULL DEFAULT false,
    observed_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, commitment_end_date)
);

-- License usage is matched to subscriptions by product name.
CREATE INDEX subscribed_skus_name_idx ON subscribed_skus (customer_id, lower(sku_name)) WHERE gone_at IS NULL;

-- What a reseller shows its customer: the next-term price is off unless
-- turned on per customer.
CREATE TABLE customer_settings (
    customer_id         uuid PRIMARY KEY,
    show_renewal_prices boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    updated_by          bigint REFERENCES users (id) ON DELETE SET NULL
);

-- Per-user secret iCalendar feeds of the renewal calendar. Only the
-- token's SHA-256 is stored; a user has at most one live feed.
CREATE TABLE calendar_feeds (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE UNIQUE INDEX calendar_feeds_live_idx ON calendar_feeds (user_id) WHERE revoked_at IS NULL;

-- Lifecycle changes go through the outbox like every other change.
ALTER TABLE commands DROP CONSTRAINT commands_kind_check;
ALTER TABLE commands ADD CONSTRAINT commands_kind_check CHECK (kind IN ('create_customer', 'accept_agreement',
    'create_order', 'patch_order', 'patch_subscription', 'create_transition'));
ALTER TABLE subscription_changes DROP CONSTRAINT subscription_changes_action_check;
ALTER TABLE subscription_changes ADD CONSTRAINT subscription_changes_action_check CHECK (action IN ('quantity', 'suspend',
    'reactivate', 'autorenew', 'name', 'next_term', 'next_term_clear', 'transition'));

-- +goose Down
ALTER TABLE subscription_changes DROP CONSTRAINT subscription_changes_action_check;
ALTER TABLE subscription_changes ADD CONSTRAINT subscription_changes_action_check CHECK (action IN ('quantity', 'suspend',
    'reactivate', 'autorenew', 'name'));
ALTER TABLE commands DROP CONSTRAINT commands_kind_check;
ALTER TABLE commands ADD CONSTRAINT commands_kind_check CHECK (kind IN ('create_customer', 'accept_agreement',
    'create_order', 'patch_order', 'patch_subscription'));
DROP TABLE calendar_feeds;
DROP TABLE customer_settings;
DROP INDEX subscribed_skus_name_idx;
DROP TABLE subscription_terms;
DROP TABLE subscription_lifecycle;
DROP TABLE subscription_transitions;
DROP TABLE subscription_scheduled_changes;
DROP TABLE subscription_tranches;
