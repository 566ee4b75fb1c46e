-- name: InsertLoginAttempt :exec
INSERT INTO login_attempts (email, ip, at) VALUES (lower(@email), @ip, @at);

-- name: LoginFailuresByEmail :one
SELECT count(*) AS failures, coalesce(min(at), @since::timestamptz)::timestamptz AS oldest
FROM login_attempts WHERE lower(email) = lower(@email) AND at > @since;

-- name: LoginFailuresByIP :one
SELECT count(*) AS failures, coalesce(min(at), @since::timestamptz)::timestamptz AS oldest
FROM login_attempts WHERE ip = @ip AND at > @since;

-- name: ClearLoginFailures :exec
DELETE FROM login_attempts WHERE lower(email) = lower(@email);

-- name: PruneLoginAttempts :exec
DELETE FROM login_attempts WHERE at < @before;

-- name: CustomerForTenant :one
-- An explicit binding wins; else the mirrored customer whose Entra tenant
-- it is (PC's customers carry their tenant id).
SELECT m.customer_id::uuid AS customer_id FROM (
    SELECT ct.customer_id, 0 AS pref FROM customer_tenants ct WHERE ct.tenant_id = lower(@tenant_id)
    UNION ALL
    SELECT c.id, 1 FROM customers c WHERE lower(c.tenant_id) = lower(@tenant_id) AND c.tenant_id <> '' AND c.gone_at IS NULL
) m ORDER BY m.pref LIMIT 1;

-- name: BindCustomerTenant :exec
INSERT INTO customer_tenants (tenant_id, customer_id) VALUES (lower(@tenant_id), @customer_id)
ON CONFLICT (tenant_id) DO UPDATE SET customer_id = excluded.customer_id;
