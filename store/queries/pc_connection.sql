-- The Partner Center connection's app+user credential and credential
-- health (migration 00050).

-- name: LockPCRefreshToken :one
-- Locks the settings row for a refresh-token rotation (see store.RefreshTokens).
SELECT pc_refresh_token_enc FROM settings WHERE id = 1 FOR UPDATE;

-- name: StorePCRefreshToken :exec
UPDATE settings SET pc_refresh_token_enc = @pc_refresh_token_enc, pc_refresh_rotated_at = @at, updated_at = now()
WHERE id = 1;

-- name: ConnectPCUser :exec
-- A partner admin consented: their refresh token, who they are, whether
-- they signed in with MFA. The app+user credential's health starts afresh.
UPDATE settings SET
    pc_refresh_token_enc = @pc_refresh_token_enc,
    pc_user = @pc_user,
    pc_user_mfa = @pc_user_mfa,
    pc_connected_at = @at,
    pc_refresh_rotated_at = @at,
    pc_app_user_ok_at = @at,
    pc_app_user_error = '',
    pc_app_user_error_at = NULL,
    updated_at = now()
WHERE id = 1;

-- name: DisconnectPCUser :exec
UPDATE settings SET
    pc_refresh_token_enc = NULL,
    pc_user = '',
    pc_user_mfa = false,
    pc_connected_at = NULL,
    pc_refresh_rotated_at = NULL,
    pc_app_user_ok_at = NULL,
    pc_app_user_error = '',
    pc_app_user_error_at = NULL,
    updated_at = now()
WHERE id = 1;

-- name: RecordPCAppOnlyResult :exec
-- An empty error records a success.
UPDATE settings SET
    pc_app_only_ok_at = CASE WHEN @error::text = '' THEN @at ELSE pc_app_only_ok_at END,
    pc_app_only_error = @error::text,
    pc_app_only_error_at = CASE WHEN @error::text = '' THEN pc_app_only_error_at ELSE @at END
WHERE id = 1;

-- name: RecordPCAppUserResult :exec
UPDATE settings SET
    pc_app_user_ok_at = CASE WHEN @error::text = '' THEN @at ELSE pc_app_user_ok_at END,
    pc_app_user_error = @error::text,
    pc_app_user_error_at = CASE WHEN @error::text = '' THEN pc_app_user_error_at ELSE @at END
WHERE id = 1;

-- name: MarkCustomerRelationshipRemoved :exec
UPDATE customers SET
    relationship_removed_at = coalesce(relationship_removed_at, @at),
    relationship_removed_error = @error
WHERE id = @id;

-- name: ClearCustomersRelationshipRemoved :exec
-- Customers PC answered for again: the relationship is back.
UPDATE customers SET relationship_removed_at = NULL, relationship_removed_error = ''
WHERE id = ANY(@ids::uuid[]) AND relationship_removed_at IS NOT NULL;

-- name: SetCustomersLicenseUsage :exec
-- Records whether license usage could be read for these customers
-- ('' = readable; otherwise why not).
UPDATE customers SET license_usage_error = @error::text, license_usage_checked_at = @at
WHERE id = ANY(@ids::uuid[]);

-- name: LicenseUsageProblems :many
-- Customers whose license usage the last sync could not read, including
-- those that removed the reseller relationship, for the connection health
-- panel.
SELECT id, company_name,
    (CASE WHEN relationship_removed_at IS NOT NULL
        THEN 'The customer removed its reseller relationship with you: Partner Center refuses every request for it.'
        ELSE license_usage_error END)::text AS license_usage_error,
    coalesce(relationship_removed_at, license_usage_checked_at) AS license_usage_checked_at
FROM customers
WHERE gone_at IS NULL AND (license_usage_error <> '' OR relationship_removed_at IS NOT NULL)
ORDER BY relationship_removed_at IS NULL, lower(company_name), id
LIMIT @lim;

-- name: LicenseUsageCounts :one
SELECT
    count(*) FILTER (WHERE license_usage_checked_at IS NOT NULL AND license_usage_error = '')::bigint AS readable,
    count(*) FILTER (WHERE license_usage_error <> '')::bigint AS unreadable,
    count(*) FILTER (WHERE relationship_removed_at IS NOT NULL)::bigint AS relationship_removed
FROM customers WHERE gone_at IS NULL;

-- name: RecentlyCreatedCustomers :many
-- Customers the portal created since @since (PC may not show them yet).
SELECT customer_id::uuid FROM commands
WHERE kind = 'create_customer' AND status = 'succeeded' AND finished_at > @since
  AND customer_id = ANY(@ids::uuid[]);
