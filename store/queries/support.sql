-- Support requests of customer users (issue 21): seat requests and
-- tickets, their replies, and the staff queue. Every query a customer user
-- reaches takes the customer id.

-- name: InsertSupportRequest :one
INSERT INTO support_requests (customer_id, kind, token, subscription_id, current_seats, requested_seats, subject, description,
    severity, requested_by, requester_label)
VALUES (@customer_id, @kind, @token, @subscription_id, sqlc.narg(current_seats), sqlc.narg(requested_seats), @subject, @description,
    @severity, @requested_by, @requester_label)
ON CONFLICT (token) DO NOTHING
RETURNING id;

-- name: SupportRequestByToken :one
SELECT id FROM support_requests WHERE token = @token AND customer_id = @customer_id;

-- name: SupportRequest :one
-- One request with what its pages show; customer_id NULL is staff (any
-- customer), a customer user's reads always pass their own.
SELECT r.*, COALESCE(NULLIF(c.company_name, ''), c.domain)::text AS customer_name,
    COALESCE(NULLIF(s.friendly_name, ''), s.offer_name, '')::text AS subscription_name,
    COALESCE(a.email, '')::text AS assigned_email, COALESCE(u.email, '')::text AS requester_email,
    COALESCE(d.email, '')::text AS decided_by_email
FROM support_requests r
JOIN customers c ON c.id = r.customer_id
LEFT JOIN subscriptions s ON s.id = r.subscription_id AND s.customer_id = r.customer_id
LEFT JOIN users a ON a.id = r.assigned_to
LEFT JOIN users u ON u.id = r.requested_by AND u.disabled_at IS NULL
LEFT JOIN users d ON d.id = r.decided_by
WHERE r.id = @id AND (sqlc.narg(customer_id)::uuid IS NULL OR r.customer_id = sqlc.narg(customer_id)::uuid);

-- name: LockSupportRequest :one
SELECT * FROM support_requests WHERE id = @id FOR UPDATE;

-- name: SupportRequestsOfCustomer :many
-- A customer's requests, newest first, a page before before_id.
SELECT r.id, r.kind, r.subject, r.status, r.severity, r.subscription_id, r.current_seats, r.requested_seats, r.requester_label,
    r.created_at, r.updated_at, COALESCE(NULLIF(s.friendly_name, ''), s.offer_name, '')::text AS subscription_name
FROM support_requests r
LEFT JOIN subscriptions s ON s.id = r.subscription_id AND s.customer_id = r.customer_id
WHERE r.customer_id = @customer_id AND r.id < @before_id
ORDER BY r.id DESC
LIMIT @max;

-- name: SupportQueue :many
-- The staff queue: every customer's requests, newest first, filtered by
-- status ('' any; 'active' = not yet done) and assignee (0 any).
SELECT r.id, r.customer_id, r.kind, r.subject, r.status, r.severity, r.current_seats, r.requested_seats, r.requester_label,
    r.created_at, r.updated_at, COALESCE(NULLIF(c.company_name, ''), c.domain)::text AS customer_name,
    COALESCE(a.email, '')::text AS assigned_email
FROM support_requests r
JOIN customers c ON c.id = r.customer_id
LEFT JOIN users a ON a.id = r.assigned_to
WHERE r.id < @before_id
  AND (@status::text = '' OR r.status = @status::text
       OR (@status::text = 'active' AND r.status IN ('open', 'in_progress', 'waiting_customer')))
  AND (@assigned_to::bigint = 0 OR r.assigned_to = @assigned_to::bigint)
ORDER BY r.id DESC
LIMIT @max;

-- name: SetSupportStatus :exec
UPDATE support_requests SET status = @status, updated_at = now() WHERE id = @id;

-- name: DecideSupportRequest :exec
UPDATE support_requests SET status = @status, decided_by = @decided_by, decision_reason = @decision_reason,
    change_token = sqlc.narg(change_token), updated_at = now()
WHERE id = @id;

-- name: AssignSupportRequest :exec
UPDATE support_requests SET assigned_to = sqlc.narg(assigned_to), updated_at = now() WHERE id = @id;

-- name: InsertSupportReply :one
INSERT INTO support_replies (request_id, customer_id, author_user_id, author_label, from_staff, body)
VALUES (@request_id, @customer_id, @author_user_id, @author_label, @from_staff, @body)
RETURNING id;

-- name: SupportReplies :many
SELECT * FROM support_replies WHERE request_id = @request_id AND customer_id = @customer_id ORDER BY id LIMIT 500;

-- name: SupportStaff :many
-- Who can answer requests: active staff and admins (the assignee list and
-- the mail recipients of a new request).
SELECT id, email FROM users WHERE role IN ('admin', 'staff') AND disabled_at IS NULL ORDER BY email LIMIT 200;

-- name: SeatPolicyOf :one
-- The auto-approval policy that applies to a customer: their own row, else
-- the one for every customer (no row: off).
SELECT customer_id, enabled, max_per_request, max_per_month FROM seat_approval_policies
WHERE customer_id = @customer_id OR customer_id IS NULL
ORDER BY customer_id NULLS LAST
LIMIT 1;

-- name: LockSeatPolicyOfCustomer :exec
-- Serialises a customer's auto-approvals, so two requests cannot both fit
-- the month's allowance.
SELECT pg_advisory_xact_lock(hashtextextended('seat-policy:' || CAST(@customer_id::uuid AS text), 0));

-- name: AutoApprovedSeatsSince :one
-- Seats the policy added for a customer since a moment (the month's start).
SELECT COALESCE(sum(GREATEST(requested_seats - current_seats, 0)), 0)::bigint FROM support_requests
WHERE customer_id = @customer_id AND auto_approved_at >= @since;

-- name: MarkSupportAutoApproved :exec
UPDATE support_requests SET auto_approved_at = @at WHERE id = @id;

-- name: SeatPolicies :many
-- The admins' page: the policy for every customer first, then customers'.
SELECT p.customer_id, p.enabled, p.max_per_request, p.max_per_month, p.updated_label, p.updated_at,
    COALESCE(NULLIF(c.company_name, ''), c.domain, '')::text AS customer_name
FROM seat_approval_policies p
LEFT JOIN customers c ON c.id = p.customer_id
ORDER BY p.customer_id IS NOT NULL, customer_name, p.customer_id
LIMIT 1000;

-- name: UpsertSeatPolicy :exec
INSERT INTO seat_approval_policies (customer_id, enabled, max_per_request, max_per_month, updated_by, updated_label, updated_at)
VALUES (sqlc.narg(customer_id), @enabled, sqlc.narg(max_per_request), sqlc.narg(max_per_month), @updated_by, @updated_label, @updated_at)
ON CONFLICT (customer_id) DO UPDATE SET enabled = EXCLUDED.enabled, max_per_request = EXCLUDED.max_per_request,
    max_per_month = EXCLUDED.max_per_month, updated_by = EXCLUDED.updated_by, updated_label = EXCLUDED.updated_label,
    updated_at = EXCLUDED.updated_at;

-- name: DeleteSeatPolicy :execrows
-- A customer's own row removed: the policy for every customer applies again.
DELETE FROM seat_approval_policies WHERE customer_id = @customer_id;

-- name: SeatPolicyCustomers :many
-- The customers an admin can give their own policy.
SELECT id, COALESCE(NULLIF(company_name, ''), domain)::text AS name FROM customers ORDER BY 2, id LIMIT 2000;
