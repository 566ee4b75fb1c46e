-- +goose Up

-- Billing: Partner Center's invoices, their line items as imported from
-- Microsoft Graph's reconciliation exports (or the v1 invoice API), the
-- summaries the pages read, and the reconciliation findings.

-- Invoices as PC lists them (one per billing currency and month), and the
-- open period's accrual per currency (kind 'unbilled', id 'unbilled-USD').
CREATE TABLE billing_invoices (
    id            text PRIMARY KEY,
    kind          text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'unbilled')),
    invoice_date  timestamptz,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    currency      text NOT NULL,
    total         numeric NOT NULL DEFAULT 0,   -- PC's totalCharges
    paid          numeric NOT NULL DEFAULT 0,
    document_type text NOT NULL DEFAULT '',
    new_commerce  boolean NOT NULL DEFAULT true, -- has new-commerce (onetime) line items
    lines         bigint NOT NULL DEFAULT 0,      -- imported lines
    cost          numeric NOT NULL DEFAULT 0,     -- their sum (Microsoft's charge)
    sale          numeric NOT NULL DEFAULT 0,     -- what the customers are billed
    findings      bigint NOT NULL DEFAULT 0,      -- reconciliation findings (not notes)
    imported_at   timestamptz,                    -- when an import last switched its lines
    raw           jsonb NOT NULL DEFAULT '{}',
    synced_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_invoices_period_idx ON billing_invoices (period_start DESC, currency);

-- One import of one dataset of an invoice: a state machine a River job
-- walks (queued -> exporting -> waiting -> manifest -> downloading ->
-- finalizing -> done), every step persisted so a crash resumes where it
-- stopped. 'unchanged': the manifest's eTag was already imported.
CREATE TABLE billing_imports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id    text NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    dataset       text NOT NULL CHECK (dataset IN ('reconciliation', 'usage')),
    source        text NOT NULL CHECK (source IN ('graph', 'v1')),
    state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'exporting', 'waiting', 'manifest',
                  'downloading', 'finalizing', 'done', 'unchanged', 'no_data', 'failed', 'superseded')),
    operation_url text NOT NULL DEFAULT '',
    manifest_url  text NOT NULL DEFAULT '',
    manifest      jsonb,
    etag          text NOT NULL DEFAULT '',
    continuation  text NOT NULL DEFAULT '',       -- v1: the next page's token
    pages         int NOT NULL DEFAULT 0,         -- v1: pages loaded
    blobs_total   int NOT NULL DEFAULT 0,
    blobs_done    int NOT NULL DEFAULT 0,
    rows          bigint NOT NULL DEFAULT 0,
    polls         int NOT NULL DEFAULT 0,
    attempts      int NOT NULL DEFAULT 0,
    error         text NOT NULL DEFAULT '',
    trigger       text NOT NULL DEFAULT 'schedule',
    requested_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
-- One open import per invoice and dataset; a done import per eTag.
CREATE UNIQUE INDEX billing_imports_open_idx ON billing_imports (invoice_id, dataset)
    WHERE state IN ('queued', 'exporting', 'waiting', 'manifest', 'downloading', 'finalizing');
CREATE UNIQUE INDEX billing_imports_done_idx ON billing_imports (invoice_id, dataset) WHERE state = 'done';
CREATE INDEX billing_imports_recent_idx ON billing_imports (updated_at DESC);

-- The blobs of a Graph import (or pages of a v1 one) already loaded.
CREATE TABLE billing_import_parts (
    import_id bigint NOT NULL REFERENCES billing_imports (id) ON DELETE CASCADE,
    part      int NOT NULL,
    name      text NOT NULL,
    rows      bigint NOT NULL DEFAULT 0,
    done_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (import_id, part)
);

-- Line items, loaded with COPY. customer_id is the mirrored customer (NULL
-- when PC names one the mirror does not know); cost is PC's subtotal (or
-- the usage's pre-tax total), sale what the markup rules make of it.
CREATE TABLE billing_lines (
    import_id            bigint NOT NULL REFERENCES billing_imports (id) ON DELETE CASCADE,
    part                 int NOT NULL,
    line                 int NOT NULL,
    invoice_id           text NOT NULL,
    kind                 text NOT NULL,            -- license | usage
    pc_customer_id       text NOT NULL,
    customer_id          uuid,
    customer_name        text NOT NULL DEFAULT '',
    customer_domain      text NOT NULL DEFAULT '',
    subscription_id      text NOT NULL DEFAULT '',
    subscription_name    text NOT NULL DEFAULT '',
    order_id             text NOT NULL DEFAULT '',
    product_id           text NOT NULL DEFAULT '',
    sku_id               text NOT NULL DEFAULT '',
    availability_id      text NOT NULL DEFAULT '',
    product_name         text NOT NULL DEFAULT '',
    sku_name             text NOT NULL DEFAULT '',
    charge_type          text NOT NULL DEFAULT '',
    charge_start         date,
    charge_end           date,
    usage_date           date,
    term_and_billing_cycle text NOT NULL DEFAULT '',
    billing_frequency    text NOT NULL DEFAULT '',
    meter_name           text NOT NULL DEFAULT '',
    meter_category       text NOT NULL DEFAULT '',
    unit                 text NOT NULL DEFAULT '',
    quantity             numeric NOT NULL DEFAULT 0,
    unit_price           numeric NOT NULL DEFAULT 0,
    effective_unit_price numeric NOT NULL DEFAULT 0,
    cost                 numeric NOT NULL DEFAULT 0,
    sale                 numeric NOT NULL DEFAULT 0,
    currency             text NOT NULL DEFAULT '',
    reference_id         text NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, part, line)
);
CREATE INDEX billing_lines_customer_idx ON billing_lines (import_id, pc_customer_id, subscription_id);

-- Per invoice: one row per customer, subscription and charge type, and one
-- per customer (the pages read these, never the lines in bulk).
CREATE TABLE billing_invoice_groups (
    invoice_id        text NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    pc_customer_id    text NOT NULL,
    customer_id       uuid,
    subscription_id   text NOT NULL,
    subscription_name text NOT NULL DEFAULT '',
    product_name      text NOT NULL DEFAULT '',
    charge_type       text NOT NULL,
    kind              text NOT NULL,
    term_and_billing_cycle text NOT NULL DEFAULT '',
    lines             bigint NOT NULL,
    quantity          numeric NOT NULL,
    cost              numeric NOT NULL,
    sale              numeric NOT NULL,
    first_charge      date,
    PRIMARY KEY (invoice_id, pc_customer_id, subscription_id, charge_type, kind)
);
CREATE TABLE billing_invoice_customers (
    invoice_id      text NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    pc_customer_id  text NOT NULL,
    customer_id     uuid,
    customer_name   text NOT NULL DEFAULT '',
    customer_domain text NOT NULL DEFAULT '',
    lines           bigint NOT NULL,
    cost            numeric NOT NULL,
    sale            numeric NOT NULL,
    findings        bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (invoice_id, pc_customer_id)
);
CREATE INDEX billing_invoice_customers_cost_idx ON billing_invoice_customers (invoice_id, cost DESC, pc_customer_id);
CREATE INDEX billing_invoice_customers_customer_idx ON billing_invoice_customers (customer_id) WHERE customer_id IS NOT NULL;
-- Azure usage per customer and day.
CREATE TABLE billing_usage_days (
    invoice_id     text NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    pc_customer_id text NOT NULL,
    customer_id    uuid,
    usage_date     date NOT NULL,
    cost           numeric NOT NULL,
    sale           numeric NOT NULL,
    PRIMARY KEY (invoice_id, pc_customer_id, usage_date)
);

-- Reconciliation findings of an invoice: each with its reason.
CREATE TABLE billing_findings (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id      text NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
    check_name      text NOT NULL,   -- unmatched | seats | status | price | note
    pc_customer_id  text NOT NULL DEFAULT '',
    customer_id     uuid,
    customer_name   text NOT NULL DEFAULT '',
    subscription_id text NOT NULL DEFAULT '',
    charge_type     text NOT NULL DEFAULT '',
    charge_start    date,
    amount          numeric NOT NULL DEFAULT 0,
    reason          text NOT NULL
);
CREATE INDEX billing_findings_invoice_idx ON billing_findings (invoice_id, check_name);
CREATE INDEX billing_findings_customer_idx ON billing_findings (invoice_id, pc_customer_id);

-- +goose Down
DROP TABLE billing_findings;
DROP TABLE billing_usage_days;
DROP TABLE billing_invoice_customers;
DROP TABLE billing_invoice_groups;
DROP TABLE billing_lines;
DROP TABLE billing_import_parts;
DROP TABLE billing_imports;
DROP TABLE billing_invoices;
