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
-- Only tenants staff bound on the customer's users page (customer_tenants):
-- a customer's view is off until staff turn it on, even though PC's
-- customers carry their tenant id.
SELECT customer_id FROM customer_tenants WHERE tenant_id = lower(@tenant_id);

-- name: BindCustomerTenant :exec
INSERT INTO customer_tenants (tenant_id, customer_id) VALUES (lower(@tenant_id), @customer_id)
ON CONFLICT (tenant_id) DO UPDATE SET customer_id = excluded.customer_id;
