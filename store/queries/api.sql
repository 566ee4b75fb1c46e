-- The reseller API (issue 19): tokens, idempotency keys and the reads its
-- endpoints need beyond the reseller pages' (resellers.sql).

-- name: InsertAPIToken :one
INSERT INTO api_tokens (user_id, name, scope, token_hash)
VALUES (@user_id, @name, @scope, @token_hash)
RETURNING id, created_at;

-- name: ListAPITokens :many
-- A reseller user's own tokens, newest first.
SELECT id, name, scope, created_at, last_used_at, revoked_at
FROM api_tokens WHERE user_id = @user_id
ORDER BY created_at DESC, id DESC
LIMIT 200;

-- name: RevokeAPIToken :one
-- Revokes one of the user's own tokens (another user's is not found).
UPDATE api_tokens SET revoked_at = now()
WHERE id = @id AND user_id = @user_id AND revoked_at IS NULL
RETURNING id, name;

-- name: APITokenByHash :one
-- The token a request presents, with its user's reseller: a revoked token,
-- a disabled user or a user no longer a reseller's is not found.
SELECT t.id, t.name, t.scope, t.last_used_at, u.id AS user_id, u.email, u.reseller_id::uuid AS reseller_id
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = @token_hash AND t.revoked_at IS NULL
  AND u.role = 'reseller' AND u.reseller_id IS NOT NULL AND u.disabled_at IS NULL;

-- name: TouchAPIToken :exec
UPDATE api_tokens SET last_used_at = @at WHERE id = @id;

-- name: ClaimIdempotencyKey :execrows
-- The first request with a key claims it; a stale claim (its request died
-- before answering) is taken over, which is safe because the write it
-- started is itself idempotent on the key.
INSERT INTO api_idempotency (token_id, key, method, path, request_hash)
VALUES (@token_id, @key, @method, @path, @request_hash)
ON CONFLICT (token_id, key) DO UPDATE SET created_at = now()
WHERE api_idempotency.status_code IS NULL AND api_idempotency.created_at < now() - make_interval(secs => @stale_secs::float8)
  AND api_idempotency.request_hash = excluded.request_hash
  AND api_idempotency.method = excluded.method AND api_idempotency.path = excluded.path;

-- name: GetIdempotencyKey :one
SELECT method, path, request_hash, status_code, response FROM api_idempotency
WHERE token_id = @token_id AND key = @key;

-- name: CompleteIdempotencyKey :exec
UPDATE api_idempotency SET status_code = @status_code, response = @response, completed_at = now()
WHERE token_id = @token_id AND key = @key;

-- name: ReleaseIdempotencyKey :exec
-- A request that failed before changing anything frees its key for a retry.
DELETE FROM api_idempotency WHERE token_id = @token_id AND key = @key AND status_code IS NULL;

-- name: ResellerSubscriptionCustomer :one
-- The customer of a subscription when it is one of the reseller's
-- customers; another reseller's subscription is not found.
SELECT s.customer_id FROM subscriptions s JOIN customers c ON c.id = s.customer_id
WHERE s.id = @id AND s.gone_at IS NULL AND c.gone_at IS NULL AND c.associated_partner_id = @reseller_id::text;

-- name: ResellerCartCustomer :one
-- A reseller's customer as an order needs it (CartCustomer, scoped).
SELECT id, company_name, domain, coalesce(nullif(address_country, ''), 'US')::text AS country
FROM customers WHERE id = @id AND associated_partner_id = @reseller_id::text AND gone_at IS NULL;
