-- Partner Center service requests and support topics (issue 21), written
-- by the mirror's service request sync and commerce's escalation; read by
-- the staff's support pages only.

-- name: UpsertSupportTopic :exec
INSERT INTO pc_support_topics (id, name, description, synced_at)
VALUES (@id, @name, @description, @synced_at)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, synced_at = EXCLUDED.synced_at;

-- name: DeleteStaleSupportTopics :exec
-- Topics PC no longer lists (not in the sync that just ran).
DELETE FROM pc_support_topics WHERE synced_at < @synced_at;

-- name: SupportTopics :many
SELECT id, name, description FROM pc_support_topics ORDER BY name, id LIMIT 500;

-- name: SupportTopicName :one
SELECT name FROM pc_support_topics WHERE id = @id;

-- name: UpsertServiceRequest :exec
INSERT INTO pc_service_requests (id, customer_id, title, description, severity, status, support_topic_id, support_topic_name,
    created_date, last_modified_date, last_closed_date, notes, raw, synced_at)
VALUES (@id, sqlc.narg(customer_id), @title, @description, @severity, @status, @support_topic_id, @support_topic_name,
    sqlc.narg(created_date), sqlc.narg(last_modified_date), sqlc.narg(last_closed_date), @notes, @raw, @synced_at)
ON CONFLICT (id) DO UPDATE SET
    customer_id = COALESCE(EXCLUDED.customer_id, pc_service_requests.customer_id),
    title = EXCLUDED.title, description = EXCLUDED.description, severity = EXCLUDED.severity,
    status = EXCLUDED.status, support_topic_id = EXCLUDED.support_topic_id,
    support_topic_name = EXCLUDED.support_topic_name, created_date = EXCLUDED.created_date,
    last_modified_date = EXCLUDED.last_modified_date, last_closed_date = EXCLUDED.last_closed_date,
    notes = EXCLUDED.notes, raw = EXCLUDED.raw, synced_at = EXCLUDED.synced_at
WHERE pc_service_requests.synced_at <= EXCLUDED.synced_at;

-- name: SetSupportEscalation :exec
UPDATE support_requests SET escalation_command_id = @command_id, updated_at = now() WHERE id = @id;

-- name: LinkEscalatedServiceRequest :execrows
-- The escalation's command succeeded: the ticket points at PC's request.
UPDATE support_requests SET pc_service_request_id = @service_request_id, updated_at = now()
WHERE escalation_command_id = @command_id;

-- name: SupportEscalation :one
-- A ticket's escalation: the command's delivery and the mirrored request.
SELECT r.id, r.escalation_command_id, COALESCE(r.pc_service_request_id, '')::text AS service_request_id,
    COALESCE(c.status, '')::text AS command_status, COALESCE(c.last_error, '')::text AS command_error,
    c.ms_request_id AS ms_request_id,
    COALESCE(sr.status, '')::text AS pc_status, COALESCE(sr.severity, '')::text AS pc_severity,
    COALESCE(sr.support_topic_name, '')::text AS pc_topic, COALESCE(sr.notes, '[]')::jsonb AS pc_notes,
    sr.last_modified_date AS pc_last_modified, sr.synced_at AS pc_synced_at
FROM support_requests r
LEFT JOIN commands c ON c.id = r.escalation_command_id
LEFT JOIN pc_service_requests sr ON sr.id = r.pc_service_request_id
WHERE r.id = @id;

-- name: UpsertSupportProfile :exec
INSERT INTO pc_support_profile (id, email, telephone, website, etag, synced_at)
VALUES (true, @email, @telephone, @website, @etag, @synced_at)
ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, telephone = EXCLUDED.telephone, website = EXCLUDED.website,
    etag = EXCLUDED.etag, synced_at = EXCLUDED.synced_at
WHERE pc_support_profile.synced_at <= EXCLUDED.synced_at;

-- name: SupportProfile :one
SELECT email, telephone, website, synced_at FROM pc_support_profile WHERE id;

-- name: SupportProfileChange :one
-- The latest change of the support profile sent to Partner Center.
SELECT id, status, last_error, created_at FROM commands WHERE kind = 'update_support_profile' ORDER BY id DESC LIMIT 1;

-- name: CustomerEscalation :one
-- What a customer may see of their ticket's escalation: whether it was
-- filed and PC's status. PC's notes (the partner's conversation with
-- Microsoft), topic, severity, request id and delivery errors are staff's
-- only and are not read here.
SELECT COALESCE(c.status, '')::text AS command_status, COALESCE(sr.status, '')::text AS pc_status,
    sr.last_modified_date AS pc_last_modified
FROM support_requests r
LEFT JOIN commands c ON c.id = r.escalation_command_id
LEFT JOIN pc_service_requests sr ON sr.id = r.pc_service_request_id
WHERE r.id = @id AND r.customer_id = @customer_id AND r.escalation_command_id IS NOT NULL;
