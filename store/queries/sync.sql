-- Sync bookkeeping: runs, watermarks and the drift report.

-- name: CreateSyncRun :one
INSERT INTO sync_runs (kind, trigger, requested_by, river_job_id, checkpoint)
VALUES (@kind, @trigger, @requested_by, @river_job_id, @checkpoint)
RETURNING *;

-- name: GetSyncRun :one
SELECT * FROM sync_runs WHERE id = @id;

-- name: LatestUnfinishedSyncRun :one
-- An interrupted run of this kind (its process died), to resume from its checkpoint.
SELECT * FROM sync_runs
WHERE kind = @kind AND status = 'running' AND heartbeat_at < @stale_before
ORDER BY id DESC LIMIT 1;

-- name: ClaimSyncRun :exec
UPDATE sync_runs SET heartbeat_at = now(), river_job_id = @river_job_id WHERE id = @id;

-- name: UpdateSyncRunProgress :exec
UPDATE sync_runs SET heartbeat_at = now(), total = @total, done = @done, counts = @counts,
    pc_calls = @pc_calls, throttles = @throttles, error_count = @error_count, last_error = @last_error,
    errors = @errors, checkpoint = @checkpoint
WHERE id = @id;

-- name: FinishSyncRun :exec
UPDATE sync_runs SET status = @status, finished_at = now(), heartbeat_at = now(), total = @total,
    done = @done, counts = @counts, pc_calls = @pc_calls, throttles = @throttles,
    error_count = @error_count, last_error = @last_error, errors = @errors, checkpoint = @checkpoint
WHERE id = @id;

-- name: ListSyncRuns :many
SELECT * FROM sync_runs ORDER BY id DESC LIMIT @max;

-- name: RunningSyncRuns :many
SELECT * FROM sync_runs WHERE status = 'running' ORDER BY id DESC;

-- name: LastSyncRunByKind :many
SELECT DISTINCT ON (kind) * FROM sync_runs WHERE status <> 'running' ORDER BY kind, id DESC;

-- name: GetWatermark :one
SELECT * FROM sync_watermarks WHERE name = @name;

-- name: SetWatermark :exec
INSERT INTO sync_watermarks (name, at, updated_at) VALUES (@name, @at, now())
ON CONFLICT (name) DO UPDATE SET at = greatest(sync_watermarks.at, excluded.at), updated_at = now();

-- name: ListWatermarks :many
SELECT * FROM sync_watermarks ORDER BY name;

-- name: InsertDrift :batchexec
INSERT INTO sync_drift (run_id, entity, entity_id, customer_id, change, fields, applied, note)
VALUES (@run_id, @entity, @entity_id, @customer_id, @change, @fields, @applied, @note);

-- name: ListDrift :many
SELECT * FROM sync_drift WHERE run_id = @run_id ORDER BY id LIMIT @max;

-- name: CountDrift :one
SELECT count(*) FROM sync_drift WHERE run_id = @run_id;

-- name: LastSyncRunOfKind :one
-- The last finished run of one kind.
SELECT * FROM sync_runs WHERE kind = @kind AND status <> 'running' ORDER BY id DESC LIMIT 1;
