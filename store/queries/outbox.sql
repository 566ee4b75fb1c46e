-- The command outbox.

-- name: InsertCommand :one
INSERT INTO commands (kind, customer_id, target_id, payload, ms_request_id, requested_by, requested_by_label, audit_log_id)
VALUES (@kind, @customer_id, @target_id, @payload, @ms_request_id, @requested_by, @requested_by_label, @audit_log_id)
RETURNING *;

-- name: SetCommandJob :exec
UPDATE commands SET river_job_id = @river_job_id WHERE id = @id;

-- name: GetCommand :one
SELECT * FROM commands WHERE id = @id;

-- name: StartCommandAttempt :one
-- An open command whose last attempt's lease ran out (or never was) is
-- taken by this attempt, on the database's clock, for lease_seconds.
UPDATE commands SET status = 'delivering', attempts = attempts + 1, updated_at = now(),
    lease_until = now() + make_interval(secs => @lease_seconds::float8)
WHERE id = @id AND status IN ('pending', 'delivering') AND (lease_until IS NULL OR lease_until <= now())
RETURNING *;

-- name: RetryCommand :exec
-- Only the attempt holding the command records its failure and gives up
-- its lease, so the next attempt may start at once.
UPDATE commands SET last_error = @last_error, pc_error_code = @pc_error_code, updated_at = now(), lease_until = NULL
WHERE id = @id AND attempts = @attempt AND status IN ('pending', 'delivering');

-- name: FinishCommand :execrows
-- Only the attempt that started last (attempts) finishes an open command:
-- a late attempt that another has taken over from changes nothing.
UPDATE commands SET status = @status, last_error = @last_error, pc_error_code = @pc_error_code,
    result = @result, customer_id = coalesce(sqlc.narg(customer_id), customer_id),
    target_id = CASE WHEN @target_id::text = '' THEN target_id ELSE @target_id::text END,
    updated_at = now(), finished_at = now(), lease_until = NULL
WHERE id = @id AND attempts = @attempt AND status IN ('pending', 'delivering');

-- name: LockCustomerCommand :one
SELECT * FROM commands WHERE id = @id AND customer_id = @customer_id FOR UPDATE;

-- name: CountCommandsByStatus :many
SELECT status, count(*) AS n FROM commands GROUP BY status;
