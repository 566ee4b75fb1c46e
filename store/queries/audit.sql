-- name: InsertAudit :one
INSERT INTO audit_log (actor_user_id, actor, action, target_type, target_id, customer_id, before, after, pc_request_id, outcome, detail)
VALUES (@actor_user_id, @actor, @action, @target_type, @target_id, @customer_id, @before, @after, @pc_request_id, @outcome, @detail)
RETURNING id;
