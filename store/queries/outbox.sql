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
UPDATE commands SET status = 'delivering', attempts = attempts + 1, updated_at = now()
WHERE id = @id AND status IN ('pending', 'delivering')
RETURNING *;

-- name: RetryCommand :exec
UPDATE commands SET last_error = @last_error, pc_error_code = @pc_error_code, updated_at = now()
WHERE id = @id;

-- name: FinishCommand :exec
UPDATE commands SET status = @status, last_error = @last_error, pc_error_code = @pc_error_code,
    result = @result, customer_id = coalesce(sqlc.narg(customer_id), customer_id),
    target_id = CASE WHEN @target_id::text = '' THEN target_id ELSE @target_id::text END,
    updated_at = now(), finished_at = now()
WHERE id = @id;

-- name: CountCommandsByStatus :many
SELECT status, count(*) AS n FROM commands GROUP BY status;
