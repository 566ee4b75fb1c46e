-- +goose Up

-- One row per sync job run (full import, incremental, reconcile, catalog).
-- The job updates done/counts/checkpoint as it goes, so the status page can
-- show live progress and a restarted import resumes from checkpoint.
CREATE TABLE sync_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('full', 'incremental', 'reconcile', 'catalog')),
    status        text NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    trigger       text NOT NULL DEFAULT 'schedule',
    requested_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    river_job_id  bigint,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    total         int NOT NULL DEFAULT 0,
    done          int NOT NULL DEFAULT 0,
    counts        jsonb NOT NULL DEFAULT '{}',
    pc_calls      int NOT NULL DEFAULT 0,
    throttles     int NOT NULL DEFAULT 0,
    error_count   int NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    errors        jsonb NOT NULL DEFAULT '[]',
    checkpoint    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX sync_runs_kind_idx ON sync_runs (kind, started_at DESC);
CREATE INDEX sync_runs_running_idx ON sync_runs (kind) WHERE status = 'running';

-- Watermarks: how far each stream is known to be in sync ('audit' is the
-- operation date up to which PC's audit records were applied; 'full' the
-- last completed full import; 'catalog:<country>' the last catalog sync).
CREATE TABLE sync_watermarks (
    name        text PRIMARY KEY,
    at          timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Drift found by reconcile: what changed in PC outside the portal.
CREATE TABLE sync_drift (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    entity       text NOT NULL,
    entity_id    text NOT NULL,
    customer_id  uuid,
    change       text NOT NULL CHECK (change IN ('added', 'changed', 'gone')),
    fields       jsonb NOT NULL DEFAULT '{}',
    applied      boolean NOT NULL DEFAULT true,
    note         text NOT NULL DEFAULT '',
    detected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_drift_run_idx ON sync_drift (run_id);
CREATE INDEX sync_drift_customer_idx ON sync_drift (customer_id, detected_at DESC) WHERE customer_id IS NOT NULL;

-- The command outbox: changes the portal asks PC to make. Each row keeps a
-- stable MS-RequestId, reused on every retry so PC applies it once.
CREATE TABLE commands (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('create_customer', 'accept_agreement',
                           'create_order', 'patch_order', 'patch_subscription')),
    customer_id        uuid,
    target_id          text NOT NULL DEFAULT '',
    payload            jsonb NOT NULL,
    ms_request_id      uuid NOT NULL UNIQUE,
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed')),
    attempts           int NOT NULL DEFAULT 0,
    last_error         text NOT NULL DEFAULT '',
    pc_error_code      text NOT NULL DEFAULT '',
    result             jsonb,
    requested_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    requested_by_label text NOT NULL DEFAULT '',
    audit_log_id       bigint,
    river_job_id       bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz
);
CREATE INDEX commands_open_idx ON commands (customer_id, target_id) WHERE status IN ('pending', 'delivering');
CREATE INDEX commands_customer_idx ON commands (customer_id, created_at DESC);
CREATE INDEX commands_created_idx ON commands (created_at DESC);

-- +goose Down
DROP TABLE commands;
DROP TABLE sync_drift;
DROP TABLE sync_watermarks;
DROP TABLE sync_runs;
