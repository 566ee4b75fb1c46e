-- name: GetSettings :one
SELECT * FROM settings WHERE id = 1;
