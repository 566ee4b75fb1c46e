-- Customer users and the tenant sign-in switch, always scoped by the
-- customer id.

-- name: UsersOfCustomer :many
SELECT * FROM users WHERE role = 'customer' AND customer_id = @customer_id::uuid ORDER BY lower(email), id;

-- name: CustomerUser :one
SELECT * FROM users WHERE id = @id AND role = 'customer' AND customer_id = @customer_id::uuid;

-- name: DisableCustomerUser :execrows
UPDATE users SET disabled_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE id = @id AND role = 'customer' AND customer_id = @customer_id::uuid AND disabled_at IS NULL;

-- name: TenantsOfCustomer :many
SELECT tenant_id FROM customer_tenants WHERE customer_id = @customer_id::uuid ORDER BY tenant_id;

-- name: UnbindCustomerTenants :execrows
DELETE FROM customer_tenants WHERE customer_id = @customer_id::uuid;

-- name: DisableTenantUsers :execrows
-- Users that signed in through the tenant binding lose access with it.
UPDATE users SET disabled_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE role = 'customer' AND customer_id = @customer_id::uuid AND customer_via = 'tenant' AND disabled_at IS NULL;

-- name: CustomerHeader :one
SELECT id, tenant_id, company_name, domain FROM customers WHERE id = @id;

-- name: ViewAsCustomer :one
-- A staff user's view of a customer as the customer: its header, and the
-- view's audit entry in the same statement, one round trip where it took
-- two; no entry when there is no such customer, nor when this session
-- (session_ref, the SHA-256 of its token) already has one for it.
WITH c AS (SELECT k.id, k.tenant_id, k.company_name, k.domain FROM customers k WHERE k.id = @id),
a AS (INSERT INTO audit_log (actor_user_id, actor, action, target_type, target_id, customer_id, outcome, detail, session_ref)
    SELECT sqlc.narg('actor_user_id')::bigint, @actor::text, 'customer_view.viewed_as', 'customer', c.id::text, c.id, 'ok', @detail::text,
        sqlc.narg('session_ref')::text
    FROM c
    ON CONFLICT (session_ref, customer_id) WHERE action = 'customer_view.viewed_as' AND session_ref IS NOT NULL DO NOTHING)
SELECT c.id, c.tenant_id, c.company_name, c.domain FROM c;

-- name: ReenableTenantUsers :execrows
-- Turning tenant sign-in back on restores the users that turning it off
-- disabled, but not those staff or an admin revoked one by one.
UPDATE users u SET disabled_at = NULL, updated_at = @now::timestamptz
WHERE u.role = 'customer' AND u.customer_id = @customer_id::uuid AND u.customer_via = 'tenant' AND u.disabled_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target_type = 'user' AND a.target_id = u.id::text
                  AND a.action IN ('customer_user.revoked', 'user.disabled'));
