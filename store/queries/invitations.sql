-- Invitations of customer users (one-time links; only the token's hash is
-- stored).

-- name: CreateInvitation :one
INSERT INTO invitations (email, customer_id, token_hash, expires_at, created_by)
VALUES (@email, @customer_id, @token_hash, @expires_at, @created_by)
RETURNING *;

-- name: InvitationByTokenHash :one
SELECT * FROM invitations WHERE token_hash = @token_hash;

-- name: InvitationsOfCustomer :many
SELECT * FROM invitations WHERE customer_id = @customer_id::uuid ORDER BY created_at DESC, id DESC LIMIT 100;

-- name: MarkInvitationAccepted :execrows
UPDATE invitations SET accepted_at = @now::timestamptz, user_id = @user_id::bigint
WHERE id = @id AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @now::timestamptz;

-- name: RevokeInvitation :execrows
UPDATE invitations SET revoked_at = @now::timestamptz
WHERE id = @id AND customer_id = @customer_id::uuid AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: CreateResellerInvitation :one
INSERT INTO invitations (email, reseller_id, token_hash, expires_at, created_by)
VALUES (@email, @reseller_id::uuid, @token_hash, @expires_at, @created_by)
RETURNING *;

-- name: InvitationsOfReseller :many
SELECT * FROM invitations WHERE reseller_id = @reseller_id::uuid ORDER BY created_at DESC, id DESC LIMIT 100;

-- name: RevokeResellerInvitation :execrows
UPDATE invitations SET revoked_at = @now::timestamptz
WHERE id = @id AND reseller_id = @reseller_id::uuid AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: UsersOfReseller :many
SELECT * FROM users WHERE role = 'reseller' AND reseller_id = @reseller_id::uuid ORDER BY lower(email), id;

-- name: ResellerUser :one
SELECT * FROM users WHERE id = @id AND role = 'reseller' AND reseller_id = @reseller_id::uuid;

-- name: DisableResellerUser :execrows
UPDATE users SET disabled_at = @now::timestamptz, updated_at = @now::timestamptz
WHERE id = @id AND role = 'reseller' AND reseller_id = @reseller_id::uuid AND disabled_at IS NULL;
