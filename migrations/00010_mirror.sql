-- +goose Up

-- The local mirror of Partner Center (PC). Pages read only these tables.
-- Conventions for every mirrored row:
--   * its PC id is (part of) the primary key, so imports upsert by PC id;
--   * synced_at is when the row last matched what PC returned;
--   * gone_at is set when PC stopped returning the row (never deleted), and
--     cleared if PC returns it again;
--   * raw keeps PC's resource as last read, for fields without a column.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ---------------------------------------------------------------- catalog

-- Legacy CSP offers, per country (the catalog differs by market).
CREATE TABLE offers (
    country                   text NOT NULL,
    id                        text NOT NULL,
    name                      text NOT NULL DEFAULT '',
    description               text NOT NULL DEFAULT '',
    category                  text NOT NULL DEFAULT '',
    product_id                text NOT NULL DEFAULT '',
    product_name              text NOT NULL DEFAULT '',
    billing                   text NOT NULL DEFAULT '',
    unit_type                 text NOT NULL DEFAULT '',
    min_quantity              int NOT NULL DEFAULT 0,
    max_quantity              int NOT NULL DEFAULT 0,
    is_add_on                 boolean NOT NULL DEFAULT false,
    has_add_ons               boolean NOT NULL DEFAULT false,
    is_available_for_purchase boolean NOT NULL DEFAULT false,
    is_auto_renewable         boolean NOT NULL DEFAULT false,
    is_trial                  boolean NOT NULL DEFAULT false,
    supported_billing_cycles  text[] NOT NULL DEFAULT '{}',
    raw                       jsonb NOT NULL DEFAULT '{}',
    synced_at                 timestamptz NOT NULL DEFAULT now(),
    gone_at                   timestamptz,
    PRIMARY KEY (country, id)
);
CREATE INDEX offers_name_trgm ON offers USING gin (lower(name) gin_trgm_ops);

-- Relations between offers: an add-on offer bound to its base offer
-- (kind 'addon': offer_id is the base, related_id the add-on), or an offer
-- that requires another one (kind 'prerequisite': related_id is required).
CREATE TABLE offer_relations (
    country     text NOT NULL,
    offer_id    text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('addon', 'prerequisite')),
    related_id  text NOT NULL,
    synced_at   timestamptz NOT NULL DEFAULT now(),
    gone_at     timestamptz,
    PRIMARY KEY (country, offer_id, kind, related_id)
);
CREATE INDEX offer_relations_related_idx ON offer_relations (country, related_id, kind);

-- New-commerce products, SKUs and availabilities, per country.
CREATE TABLE products (
    country              text NOT NULL,
    id                   text NOT NULL,
    title                text NOT NULL DEFAULT '',
    description          text NOT NULL DEFAULT '',
    product_type         text NOT NULL DEFAULT '',
    product_subtype      text NOT NULL DEFAULT '',
    publisher_name       text NOT NULL DEFAULT '',
    is_microsoft_product boolean NOT NULL DEFAULT false,
    raw                  jsonb NOT NULL DEFAULT '{}',
    synced_at            timestamptz NOT NULL DEFAULT now(),
    gone_at              timestamptz,
    PRIMARY KEY (country, id)
);
CREATE INDEX products_title_trgm ON products USING gin (lower(title) gin_trgm_ops);

CREATE TABLE skus (
    country                  text NOT NULL,
    product_id               text NOT NULL,
    id                       text NOT NULL,
    title                    text NOT NULL DEFAULT '',
    description              text NOT NULL DEFAULT '',
    min_quantity             int NOT NULL DEFAULT 0,
    max_quantity             int NOT NULL DEFAULT 0,
    is_trial                 boolean NOT NULL DEFAULT false,
    consumption_type         text NOT NULL DEFAULT '',
    supported_billing_cycles text[] NOT NULL DEFAULT '{}',
    purchase_prerequisites   text[] NOT NULL DEFAULT '{}',
    raw                      jsonb NOT NULL DEFAULT '{}',
    synced_at                timestamptz NOT NULL DEFAULT now(),
    gone_at                  timestamptz,
    PRIMARY KEY (country, product_id, id)
);

CREATE TABLE availabilities (
    country          text NOT NULL,
    product_id       text NOT NULL,
    sku_id           text NOT NULL,
    id               text NOT NULL,
    catalog_item_id  text NOT NULL DEFAULT '',
    currency         text NOT NULL DEFAULT '',
    segment          text NOT NULL DEFAULT '',
    is_purchasable   boolean NOT NULL DEFAULT false,
    is_renewable     boolean NOT NULL DEFAULT false,
    terms            jsonb NOT NULL DEFAULT '[]',
    raw              jsonb NOT NULL DEFAULT '{}',
    synced_at        timestamptz NOT NULL DEFAULT now(),
    gone_at          timestamptz,
    PRIMARY KEY (country, product_id, sku_id, id)
);
CREATE INDEX availabilities_catalog_item_idx ON availabilities (catalog_item_id);

-- Unit prices where PC gives them: item_id is a legacy offer id or a
-- catalog item id; term and billing cycle are '' when not applicable.
CREATE TABLE prices (
    country        text NOT NULL,
    item_id        text NOT NULL,
    term_duration  text NOT NULL DEFAULT '',
    billing_cycle  text NOT NULL DEFAULT '',
    currency       text NOT NULL,
    unit_price     numeric NOT NULL,
    synced_at      timestamptz NOT NULL DEFAULT now(),
    gone_at        timestamptz,
    PRIMARY KEY (country, item_id, term_duration, billing_cycle, currency)
);

-- ---------------------------------------------------------------- customers

-- Customers; id is PC's customer id (the customer's Entra tenant id).
CREATE TABLE customers (
    id                        uuid PRIMARY KEY,
    tenant_id                 text NOT NULL DEFAULT '',
    commerce_id               text NOT NULL DEFAULT '',
    domain                    text NOT NULL DEFAULT '',
    company_name              text NOT NULL DEFAULT '',
    company_email             text NOT NULL DEFAULT '',
    organization_registration_number text NOT NULL DEFAULT '',
    relationship              text NOT NULL DEFAULT '',
    allow_delegated_access    boolean NOT NULL DEFAULT false,
    associated_partner_id     text NOT NULL DEFAULT '',
    billing_first_name        text NOT NULL DEFAULT '',
    billing_last_name         text NOT NULL DEFAULT '',
    billing_email             text NOT NULL DEFAULT '',
    billing_culture           text NOT NULL DEFAULT '',
    billing_language          text NOT NULL DEFAULT '',
    billing_company_name      text NOT NULL DEFAULT '',
    billing_phone             text NOT NULL DEFAULT '',
    address_line1             text NOT NULL DEFAULT '',
    address_line2             text NOT NULL DEFAULT '',
    address_city              text NOT NULL DEFAULT '',
    address_state             text NOT NULL DEFAULT '',
    address_postal_code       text NOT NULL DEFAULT '',
    address_country           text NOT NULL DEFAULT '',
    etag                      text NOT NULL DEFAULT '',
    raw                       jsonb NOT NULL DEFAULT '{}',
    synced_at                 timestamptz NOT NULL DEFAULT now(),
    gone_at                   timestamptz
);
CREATE INDEX customers_name_trgm ON customers USING gin (lower(company_name) gin_trgm_ops);
CREATE INDEX customers_domain_trgm ON customers USING gin (lower(domain) gin_trgm_ops);
CREATE INDEX customers_name_idx ON customers (lower(company_name), id);

-- Agreements a customer accepted (the MCA attestation). PC gives them no
-- id, so the natural key is used.
CREATE TABLE agreements (
    customer_id        uuid NOT NULL,
    agreement_type     text NOT NULL,
    template_id        text NOT NULL,
    date_agreed        timestamptz NOT NULL,
    user_id            text NOT NULL DEFAULT '',
    contact_first_name text NOT NULL DEFAULT '',
    contact_last_name  text NOT NULL DEFAULT '',
    contact_email      text NOT NULL DEFAULT '',
    contact_phone      text NOT NULL DEFAULT '',
    agreement_link     text NOT NULL DEFAULT '',
    synced_at          timestamptz NOT NULL DEFAULT now(),
    gone_at            timestamptz,
    PRIMARY KEY (customer_id, agreement_type, template_id, date_agreed)
);

-- Orders and their line items.
CREATE TABLE orders (
    id                 text PRIMARY KEY,
    customer_id        uuid NOT NULL,
    alternate_id       text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT '',
    billing_cycle      text NOT NULL DEFAULT '',
    currency_code      text NOT NULL DEFAULT '',
    transaction_type   text NOT NULL DEFAULT '',
    total_price        numeric,
    creation_date      timestamptz,
    raw                jsonb NOT NULL DEFAULT '{}',
    synced_at          timestamptz NOT NULL DEFAULT now(),
    gone_at            timestamptz
);
CREATE INDEX orders_customer_idx ON orders (customer_id, creation_date DESC);

CREATE TABLE order_line_items (
    order_id               text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_item_number       int NOT NULL,
    offer_id               text NOT NULL DEFAULT '',
    subscription_id        text NOT NULL DEFAULT '',
    parent_subscription_id text NOT NULL DEFAULT '',
    friendly_name          text NOT NULL DEFAULT '',
    quantity               int NOT NULL DEFAULT 0,
    term_duration          text NOT NULL DEFAULT '',
    transaction_type       text NOT NULL DEFAULT '',
    partner_id_on_record   text NOT NULL DEFAULT '',
    unit_price             numeric,
    extended_price         numeric,
    synced_at              timestamptz NOT NULL DEFAULT now(),
    gone_at                timestamptz,
    PRIMARY KEY (order_id, line_item_number)
);
CREATE INDEX order_line_items_subscription_idx ON order_line_items (subscription_id) WHERE subscription_id <> '';

-- Subscriptions; add-ons point at their base with parent_subscription_id.
CREATE TABLE subscriptions (
    id                         text PRIMARY KEY,
    customer_id                uuid NOT NULL,
    parent_subscription_id     text NOT NULL DEFAULT '',
    order_id                   text NOT NULL DEFAULT '',
    offer_id                   text NOT NULL DEFAULT '',
    offer_name                 text NOT NULL DEFAULT '',
    friendly_name              text NOT NULL DEFAULT '',
    status                     text NOT NULL DEFAULT '',
    quantity                   int NOT NULL DEFAULT 0,
    unit_type                  text NOT NULL DEFAULT '',
    term_duration              text NOT NULL DEFAULT '',
    billing_cycle              text NOT NULL DEFAULT '',
    billing_type               text NOT NULL DEFAULT '',
    consumption_type           text NOT NULL DEFAULT '',
    product_type               text NOT NULL DEFAULT '',
    contract_type              text NOT NULL DEFAULT '',
    entitlement_id             text NOT NULL DEFAULT '',
    publisher_name             text NOT NULL DEFAULT '',
    auto_renew_enabled         boolean NOT NULL DEFAULT false,
    is_trial                   boolean NOT NULL DEFAULT false,
    has_purchasable_addons     boolean NOT NULL DEFAULT false,
    suspension_reasons         text[] NOT NULL DEFAULT '{}',
    creation_date              timestamptz,
    effective_start_date       timestamptz,
    commitment_end_date        timestamptz,
    cancellation_allowed_until timestamptz,
    billing_cycle_end_date     timestamptz,
    etag                       text NOT NULL DEFAULT '',
    raw                        jsonb NOT NULL DEFAULT '{}',
    synced_at                  timestamptz NOT NULL DEFAULT now(),
    gone_at                    timestamptz
);
CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id, offer_name);
CREATE INDEX subscriptions_parent_idx ON subscriptions (parent_subscription_id) WHERE parent_subscription_id <> '';
CREATE INDEX subscriptions_renewal_idx ON subscriptions (commitment_end_date) WHERE gone_at IS NULL;

-- License usage per customer and Entra SKU (PC's subscribed SKUs).
CREATE TABLE subscribed_skus (
    customer_id       uuid NOT NULL,
    sku_id            text NOT NULL,
    sku_part_number   text NOT NULL DEFAULT '',
    sku_name          text NOT NULL DEFAULT '',
    target_type       text NOT NULL DEFAULT '',
    capability_status text NOT NULL DEFAULT '',
    available_units   int NOT NULL DEFAULT 0,
    active_units      int NOT NULL DEFAULT 0,
    consumed_units    int NOT NULL DEFAULT 0,
    suspended_units   int NOT NULL DEFAULT 0,
    total_units       int NOT NULL DEFAULT 0,
    warning_units     int NOT NULL DEFAULT 0,
    raw               jsonb NOT NULL DEFAULT '{}',
    synced_at         timestamptz NOT NULL DEFAULT now(),
    gone_at           timestamptz,
    PRIMARY KEY (customer_id, sku_id)
);

-- PC's audit records (activity log) as read by the incremental sync.
CREATE TABLE pc_audit_records (
    id                      text PRIMARY KEY,
    customer_id             uuid,
    customer_name           text NOT NULL DEFAULT '',
    operation_type          text NOT NULL DEFAULT '',
    operation_status        text NOT NULL DEFAULT '',
    operation_date          timestamptz NOT NULL,
    resource_type           text NOT NULL DEFAULT '',
    user_principal_name     text NOT NULL DEFAULT '',
    application_id          text NOT NULL DEFAULT '',
    original_correlation_id text NOT NULL DEFAULT '',
    customized_data         jsonb NOT NULL DEFAULT '[]',
    raw                     jsonb NOT NULL DEFAULT '{}',
    synced_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pc_audit_records_date_idx ON pc_audit_records (operation_date DESC);
CREATE INDEX pc_audit_records_customer_idx ON pc_audit_records (customer_id, operation_date DESC) WHERE customer_id IS NOT NULL;

-- +goose Down
DROP TABLE pc_audit_records;
DROP TABLE subscribed_skus;
DROP TABLE subscriptions;
DROP TABLE order_line_items;
DROP TABLE orders;
DROP TABLE agreements;
DROP TABLE customers;
DROP TABLE prices;
DROP TABLE availabilities;
DROP TABLE skus;
DROP TABLE products;
DROP TABLE offer_relations;
DROP TABLE offers;
