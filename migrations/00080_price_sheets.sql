-- +goose Up

-- Prices: Partner Center's price sheets as imported (one sheet per market,
-- view, timeline and month; a re-import replaces the month's sheet), and
-- the reseller's markup rules that turn a cost into a sale price.

-- One import of one sheet, walked by a River job (queued -> loading ->
-- done | no_change | consent_required | failed). rows counts what was
-- loaded so far: the page shows it while the job runs.
CREATE TABLE price_sheet_imports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    market        text NOT NULL,
    view          text NOT NULL,
    timeline      text NOT NULL CHECK (timeline IN ('current', 'future')),
    month         date NOT NULL,
    state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'loading', 'done', 'no_change',
                  'consent_required', 'failed', 'superseded')),
    rows          bigint NOT NULL DEFAULT 0,
    error         text NOT NULL DEFAULT '',
    trigger       text NOT NULL DEFAULT 'schedule',
    requested_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
-- One open import per sheet: a second request while one waits is the same.
CREATE UNIQUE INDEX price_sheet_imports_open_idx ON price_sheet_imports (market, view, timeline, month)
    WHERE state IN ('queued', 'loading');
CREATE INDEX price_sheet_imports_recent_idx ON price_sheet_imports (created_at DESC);

-- The rows of a sheet, loaded with COPY. Only the rows of a done import
-- are read; a finished re-import deletes the rows of the one it replaces.
CREATE TABLE price_sheet_rows (
    import_id       bigint NOT NULL REFERENCES price_sheet_imports (id) ON DELETE CASCADE,
    line            int NOT NULL,
    market          text NOT NULL,
    product_id      text NOT NULL,
    sku_id          text NOT NULL,
    product_title   text NOT NULL DEFAULT '',
    sku_title       text NOT NULL DEFAULT '',
    term_duration   text NOT NULL DEFAULT '',
    billing_plan    text NOT NULL DEFAULT '',   -- lower case: monthly, annual, triennial, none
    currency        text NOT NULL,
    unit_price      numeric NOT NULL,           -- the partner's cost per unit and billing period
    erp_price       numeric,                    -- Microsoft's estimated retail price
    tier_min        numeric,
    effective_start timestamptz,
    effective_end   timestamptz,
    segment         text NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, line)
);
CREATE INDEX price_sheet_rows_item_idx ON price_sheet_rows (product_id, sku_id, term_duration, billing_plan);

-- Markup rules: the most specific rule that matches a line prices it
-- (customer x SKU, customer x product, customer, SKU, product, family,
-- default). kind percent: sale = cost x (1 + amount/100); fixed: cost +
-- amount per unit. A sale below cost needs allow_below_cost.
CREATE TABLE markup_rules (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id      uuid REFERENCES customers (id) ON DELETE CASCADE,
    family           text NOT NULL DEFAULT '',
    product_id       text NOT NULL DEFAULT '',
    sku_id           text NOT NULL DEFAULT '',
    kind             text NOT NULL CHECK (kind IN ('percent', 'fixed')),
    amount           numeric NOT NULL,
    rounding         text NOT NULL DEFAULT 'cents' CHECK (rounding IN ('cents', 'whole', 'x99')),
    allow_below_cost boolean NOT NULL DEFAULT false,
    updated_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (sku_id = '' OR product_id <> '')
);
CREATE UNIQUE INDEX markup_rules_scope_idx ON markup_rules
    (coalesce(customer_id, '00000000-0000-0000-0000-000000000000'::uuid), family, product_id, sku_id);

-- +goose Down
DROP TABLE markup_rules;
DROP TABLE price_sheet_rows;
DROP TABLE price_sheet_imports;
