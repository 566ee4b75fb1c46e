-- Invitations of customer users (one-time links; only the token's hash is
-- stored).

-- name: CreateInvitation :one
INSERT INTO invitations (email, customer_id, token_hash, expires_at, created_by)
VALUES (@email, @customer_id, @token_hash, @expires_at, @created_by)
RETURNING *;

-- name: InvitationByTokenHash :one
SELECT * FROM invitations WHERE token_hash = @token_hash;

-- name: InvitationsOfCustomer :many
SELECT * FROM invitations WHERE customer_id = @customer_id ORDER BY created_at DESC, id DESC LIMIT 100;

-- name: MarkInvitationAccepted :execrows
UPDATE invitations SET accepted_at = @now::timestamptz, user_id = @user_id::bigint
WHERE id = @id AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @now::timestamptz;

-- name: RevokeInvitation :execrows
UPDATE invitations SET revoked_at = @now::timestamptz
WHERE id = @id AND customer_id = @customer_id AND accepted_at IS NULL AND revoked_at IS NULL;
