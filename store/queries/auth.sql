-- name: LockSignInKey :exec
-- A transaction-scoped lock on one throttle key ('account:...' or
-- 'address:...'): the count and the attempt it admits are one step, so
-- concurrent guesses cannot all pass the check before any is recorded.
SELECT pg_advisory_xact_lock(hashtextextended(@key::text, 20));

-- name: SignInThrottleState :one
-- The failures in the window for the account, for the account from this
-- address, and for the address, with the latest of each.
SELECT
    count(*) FILTER (WHERE lower(email) = lower(@email))::int AS account_failures,
    coalesce(max(at) FILTER (WHERE lower(email) = lower(@email)), @since)::timestamptz AS account_last,
    count(*) FILTER (WHERE lower(email) = lower(@email) AND ip = @ip)::int AS pair_failures,
    coalesce(max(at) FILTER (WHERE lower(email) = lower(@email) AND ip = @ip), @since)::timestamptz AS pair_last,
    count(*) FILTER (WHERE ip = @ip)::int AS address_failures,
    coalesce(max(at) FILTER (WHERE ip = @ip), @since)::timestamptz AS address_last
FROM login_attempts
WHERE at > @since AND (lower(email) = lower(@email) OR ip = @ip);

-- name: InsertLoginAttempt :one
INSERT INTO login_attempts (email, ip, at) VALUES (lower(@email), @ip, @at) RETURNING id;

-- name: DeleteLoginAttempt :exec
DELETE FROM login_attempts WHERE id = @id;

-- name: ClearLoginFailures :execrows
DELETE FROM login_attempts WHERE lower(email) = lower(@email);

-- name: PruneLoginAttempts :exec
DELETE FROM login_attempts WHERE at < @before;

-- name: SignInThrottledAccounts :many
-- Accounts with failures in the window, for the admins' users page.
SELECT lower(email)::text AS email, count(*)::int AS failures, max(at)::timestamptz AS last
FROM login_attempts WHERE at > @since GROUP BY lower(email);

-- name: CustomerForTenant :one
-- Only tenants staff bound on the customer's users page (customer_tenants):
-- a customer's view is off until staff turn it on, even though PC's
-- customers carry their tenant id.
SELECT customer_id FROM customer_tenants WHERE tenant_id = lower(@tenant_id);

-- name: BindCustomerTenant :exec
INSERT INTO customer_tenants (tenant_id, customer_id) VALUES (lower(@tenant_id), @customer_id)
ON CONFLICT (tenant_id) DO UPDATE SET customer_id = excluded.customer_id;

-- name: SignInAttemptRanks :one
-- Where one failed attempt stands among its keys' failures in the window:
-- the attempt whose rank equals a limit is the one that started a delay.
SELECT
    count(*) FILTER (WHERE lower(a.email) = lower(me.email))::int AS account_rank,
    count(*) FILTER (WHERE lower(a.email) = lower(me.email) AND a.ip = me.ip)::int AS pair_rank,
    count(*) FILTER (WHERE a.ip = me.ip)::int AS address_rank
FROM login_attempts me
JOIN login_attempts a ON a.id <= me.id AND a.at > @since AND (lower(a.email) = lower(me.email) OR a.ip = me.ip)
WHERE me.id = @id;
