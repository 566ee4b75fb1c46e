-- name: GetSettings :one
SELECT * FROM settings WHERE id = 1;

-- name: SetSetupTokenHash :exec
UPDATE settings SET setup_token_hash = @setup_token_hash, updated_at = now() WHERE id = 1;

-- name: SetSetupStep :exec
UPDATE settings SET setup_step = @setup_step, updated_at = now() WHERE id = 1;

-- name: CompleteSetup :exec
UPDATE settings SET setup_completed_at = now(), setup_token_hash = NULL, updated_at = now() WHERE id = 1;

-- name: UpdatePCSettings :exec
-- A NULL secret keeps the stored one (an empty form field means "keep").
UPDATE settings SET
    pc_tenant_id = @pc_tenant_id,
    pc_client_id = @pc_client_id,
    pc_client_secret_enc = coalesce(sqlc.narg(pc_client_secret_enc), pc_client_secret_enc),
    pc_api_url = @pc_api_url,
    pc_token_url = @pc_token_url,
    pc_cloud = @pc_cloud,
    updated_at = now()
WHERE id = 1;

-- name: UpdateOIDCSettings :exec
-- A NULL secret keeps the stored one.
UPDATE settings SET
    oidc_enabled = @oidc_enabled,
    oidc_issuer = @oidc_issuer,
    oidc_client_id = @oidc_client_id,
    oidc_client_secret_enc = coalesce(sqlc.narg(oidc_client_secret_enc), oidc_client_secret_enc),
    oidc_allowed_tenants = @oidc_allowed_tenants,
    updated_at = now()
WHERE id = 1;

-- name: UpdateDefaults :exec
UPDATE settings SET
    default_country = @default_country,
    default_currency = @default_currency,
    default_language = @default_language,
    partner_mode = coalesce(sqlc.narg(partner_mode), partner_mode),
    updated_at = now()
WHERE id = 1;
