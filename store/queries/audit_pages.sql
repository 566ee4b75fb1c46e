-- The audit page: the portal's audit log with optional filters. A NULL
-- filter matches everything.

-- name: AuditSearch :many
SELECT a.id, a.at, a.actor, a.action, a.target_type, a.target_id, a.customer_id, a.before, a.after,
    a.pc_request_id, a.outcome, a.detail, coalesce(c.company_name, '')::text AS customer_name
FROM audit_log a
LEFT JOIN customers c ON c.id = a.customer_id
WHERE (sqlc.narg(actor)::text IS NULL OR strpos(lower(a.actor), lower(sqlc.narg(actor)::text)) > 0)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR a.customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(action)::text IS NULL OR starts_with(a.action, sqlc.narg(action)::text))
  AND (sqlc.narg(from_at)::timestamptz IS NULL OR a.at >= sqlc.narg(from_at)::timestamptz)
  AND (sqlc.narg(to_at)::timestamptz IS NULL OR a.at < sqlc.narg(to_at)::timestamptz)
ORDER BY a.at DESC, a.id DESC
LIMIT @max OFFSET @skip;

-- name: AuditCount :one
SELECT count(*) FROM audit_log a
WHERE (sqlc.narg(actor)::text IS NULL OR strpos(lower(a.actor), lower(sqlc.narg(actor)::text)) > 0)
  AND (sqlc.narg(customer_id)::uuid IS NULL OR a.customer_id = sqlc.narg(customer_id)::uuid)
  AND (sqlc.narg(action)::text IS NULL OR starts_with(a.action, sqlc.narg(action)::text))
  AND (sqlc.narg(from_at)::timestamptz IS NULL OR a.at >= sqlc.narg(from_at)::timestamptz)
  AND (sqlc.narg(to_at)::timestamptz IS NULL OR a.at < sqlc.narg(to_at)::timestamptz);

-- name: AuditActions :many
SELECT DISTINCT action FROM audit_log ORDER BY action LIMIT 200;
