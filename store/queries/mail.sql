-- name: UpdateSMTPSettings :exec
-- A nil smtp_password_enc keeps the stored password.
UPDATE settings SET smtp_host = @smtp_host, smtp_port = @smtp_port, smtp_security = @smtp_security,
    smtp_username = @smtp_username, smtp_password_enc = coalesce(sqlc.narg(smtp_password_enc), smtp_password_enc),
    smtp_from = @smtp_from, smtp_from_name = @smtp_from_name, updated_at = now()
WHERE id = 1;

-- name: InsertMail :one
-- Queues a mail; a mail with the same dedupe key queued before is kept
-- (no row comes back).
INSERT INTO mail_outbox (kind, dedupe_key, recipients, subject, body_enc, message_id)
VALUES (@kind, sqlc.narg(dedupe_key), @recipients, @subject, @body_enc, @message_id)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id;

-- name: StartMailAttempt :one
-- Takes a queued mail for one attempt (not a sent or failed one).
UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, updated_at = now()
WHERE id = @id AND status IN ('pending', 'sending')
RETURNING *;

-- name: MailSent :exec
-- Sent: the body (which can hold a one-time link) is erased.
UPDATE mail_outbox SET status = 'sent', sent_at = now(), body_enc = NULL, last_error = '', updated_at = now() WHERE id = @id;

-- name: MailRetry :exec
UPDATE mail_outbox SET status = 'pending', last_error = @last_error, updated_at = now() WHERE id = @id;

-- name: MailFailed :exec
UPDATE mail_outbox SET status = 'failed', last_error = @last_error, body_enc = NULL, updated_at = now() WHERE id = @id;

-- name: CreatePasswordReset :exec
INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES (@user_id, @token_hash, @expires_at);

-- name: RecentPasswordResets :one
-- How many resets a user asked for since a time (a limit against floods).
SELECT count(*) FROM password_resets WHERE user_id = @user_id AND created_at > @since;

-- name: PasswordResetByToken :one
SELECT r.*, u.email, u.disabled_at FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = @token_hash;

-- name: UsePasswordReset :execrows
-- Uses a reset up, once, while it is valid.
UPDATE password_resets SET used_at = now() WHERE id = @id AND used_at IS NULL AND expires_at > now();
