-- +goose Up

-- What needs attention (issue 17): one row per event and deadline that
-- asks staff to act, kept while it holds, resolved when it no longer does,
-- dismissed by a person (audited). Alerts mail them ahead of their
-- deadline, once per item, lead time and recipient.
CREATE TABLE attention_items (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    subject       text NOT NULL,
    customer_id   uuid,
    deadline      timestamptz,
    reason        text NOT NULL,
    href          text NOT NULL,
    opened_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    dismissed_at  timestamptz,
    dismissed_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT attention_items_event UNIQUE NULLS NOT DISTINCT (kind, subject, deadline)
);
CREATE INDEX attention_items_open_idx ON attention_items (deadline NULLS FIRST, id)
    WHERE resolved_at IS NULL AND dismissed_at IS NULL;
CREATE INDEX attention_items_customer_idx ON attention_items (customer_id, kind) WHERE resolved_at IS NULL;

-- Which events are mailed, how long ahead, to whom.
CREATE TABLE alert_rules (
    kind        text PRIMARY KEY,
    enabled     boolean NOT NULL DEFAULT true,
    lead_days   integer[] NOT NULL DEFAULT '{30,7,1}',
    to_staff    boolean NOT NULL DEFAULT true,
    to_emails   text[] NOT NULL DEFAULT '{}',
    immediate   boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO alert_rules (kind, lead_days, immediate) VALUES
    ('renewal_unassigned', '{30,7,1}', false),
    ('renewal_price', '{30,7}', false),
    ('ending', '{30,7,1}', false),
    ('suspended', '{30,7,1}', false),
    ('window_closing', '{1}', true),
    ('command_failed', '{0}', false),
    ('consent_waiting', '{0}', false),
    ('token_expiring', '{14,3}', false),
    ('relationship_removed', '{0}', false),
    ('sync_failed', '{0}', false);
-- Drift is often the reseller's own work in the Partner Center UI: listed
-- on the dashboard, mailed only when an admin asks for it.
INSERT INTO alert_rules (kind, enabled, lead_days) VALUES ('drift', false, '{0}');

-- Customers whose events of a kind are not mailed.
CREATE TABLE alert_optouts (
    customer_id uuid NOT NULL,
    kind        text NOT NULL,
    PRIMARY KEY (customer_id, kind)
);

-- What was mailed: an item reaches a recipient once per lead time.
CREATE TABLE alert_deliveries (
    item_id    bigint NOT NULL REFERENCES attention_items (id) ON DELETE CASCADE,
    lead_days  integer NOT NULL,
    recipient  text NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_id, lead_days, recipient)
);

-- When the evaluation last ran, and last ran over everything: a scoped
-- evaluation re-reads only customers whose mirrored rows changed since.
CREATE TABLE attention_state (
    id            integer PRIMARY KEY CHECK (id = 1),
    evaluated_at  timestamptz,
    full_at       timestamptz
);
INSERT INTO attention_state (id) VALUES (1);

-- +goose Down
DROP TABLE attention_state;
DROP TABLE alert_deliveries;
DROP TABLE alert_optouts;
DROP TABLE alert_rules;
DROP TABLE attention_items;
