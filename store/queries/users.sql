-- name: CreateUser :one
INSERT INTO users (email, display_name, role, password_hash, oidc_issuer, oidc_subject, customer_id, customer_via, reseller_id)
VALUES (@email, @display_name, @role, @password_hash, @oidc_issuer, @oidc_subject, @customer_id, @customer_via, sqlc.narg(reseller_id))
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = @id;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(@email);

-- name: GetUserByOIDC :one
SELECT * FROM users WHERE oidc_issuer = @oidc_issuer AND oidc_subject = @oidc_subject;

-- name: CountAdmins :one
SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL;

-- name: SetUserPassword :exec
UPDATE users SET password_hash = @password_hash, updated_at = now() WHERE id = @id;

-- name: TouchUserLogin :exec
UPDATE users SET last_login_at = now() WHERE id = @id;

-- name: LinkUserOIDC :exec
UPDATE users SET oidc_issuer = @oidc_issuer, oidc_subject = @oidc_subject, updated_at = now() WHERE id = @id;

-- name: UserCounts :one
-- The dashboard's figures: every user, and the enabled admins.
SELECT count(*)::bigint AS users,
       (count(*) FILTER (WHERE role = 'admin' AND disabled_at IS NULL))::bigint AS admins
FROM users;

-- name: ListUsers :many
SELECT * FROM users ORDER BY role, lower(email);

-- name: SetUserDisabled :exec
UPDATE users SET disabled_at = CASE WHEN @disabled::bool THEN coalesce(disabled_at, now()) ELSE NULL END,
    updated_at = now()
WHERE id = @id;

-- name: SetUserLanguage :exec
UPDATE users SET language = @language, updated_at = now() WHERE id = @id;
