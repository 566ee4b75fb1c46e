-- name: FindUserSession :one
-- A live session of a signed-in user with that user's current row (role,
-- disabled), the instance settings every page reads (partner mode,
-- cloud, default language) and, for a customer user, the name of their
-- customer that their pages show, in one round trip. No row for an
-- anonymous session: then FindSession.
SELECT s.data, s.expiry, sqlc.embed(u), st.partner_mode, st.pc_cloud, st.default_language,
    (c.id IS NOT NULL)::boolean AS customer_found, coalesce(nullif(c.company_name, ''), c.domain, '')::text AS customer_name
FROM sessions s JOIN users u ON u.id = s.user_id CROSS JOIN settings st
LEFT JOIN customers c ON c.id = u.customer_id
WHERE s.token = @token AND current_timestamp < s.expiry AND st.id = 1;

-- name: FindSession :one
SELECT data, expiry, user_id FROM sessions WHERE token = @token AND current_timestamp < expiry;

-- name: CommitSession :exec
INSERT INTO sessions (token, data, expiry, user_id) VALUES (@token, @data, @expiry, sqlc.narg(user_id))
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, user_id = excluded.user_id;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token = @token;
