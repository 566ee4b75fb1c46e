-- +goose Up

-- Partner Center service requests (issue 21): what the partner filed with
-- Microsoft support, mirrored by the service request sync (PC is the
-- system of record; rows are upserted by PC's id). customer_id is the
-- customer PC lists the request under, NULL for the partner's own
-- requests (the API creates only those). notes is PC's conversation as
-- PC returns it ([{createdByName, createdDate, text}]).
CREATE TABLE pc_service_requests (
    id                  text PRIMARY KEY,
    customer_id         uuid,
    title               text NOT NULL,
    description         text NOT NULL DEFAULT '',
    severity            text NOT NULL,
    status              text NOT NULL,
    support_topic_id    text NOT NULL DEFAULT '',
    support_topic_name  text NOT NULL DEFAULT '',
    created_date        timestamptz,
    last_modified_date  timestamptz,
    last_closed_date    timestamptz,
    notes               jsonb NOT NULL DEFAULT '[]',
    raw                 jsonb NOT NULL,
    synced_at           timestamptz NOT NULL
);
CREATE INDEX pc_service_requests_customer_idx ON pc_service_requests (customer_id, created_date DESC);

-- The topics a new service request must name (GET /servicerequests/supporttopics).
CREATE TABLE pc_support_topics (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    synced_at    timestamptz NOT NULL
);

-- The partner's support profile in Partner Center (one row): what
-- customers see as "contact your partner" on their requests page. Read by
-- the service request sync, written by the admins' settings through the
-- outbox (update_support_profile).
CREATE TABLE pc_support_profile (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    email      text NOT NULL DEFAULT '',
    telephone  text NOT NULL DEFAULT '',
    website    text NOT NULL DEFAULT '',
    etag       text NOT NULL DEFAULT '',
    synced_at  timestamptz NOT NULL
);

-- A portal ticket escalated to Microsoft: the outbox command that files
-- the service request (one per ticket) and, once PC answered, its id.
ALTER TABLE support_requests
    ADD COLUMN escalation_command_id bigint REFERENCES commands (id) ON DELETE SET NULL,
    ADD COLUMN pc_service_request_id text;
CREATE UNIQUE INDEX support_requests_escalation_idx ON support_requests (escalation_command_id)
    WHERE escalation_command_id IS NOT NULL;

ALTER TABLE commands DROP CONSTRAINT commands_kind_check;
ALTER TABLE commands ADD CONSTRAINT commands_kind_check CHECK (kind IN ('create_customer', 'accept_agreement',
    'create_order', 'patch_order', 'patch_subscription', 'create_transition', 'create_service_request', 'update_service_request', 'update_support_profile'));

-- +goose Down
DELETE FROM commands WHERE kind IN ('create_service_request', 'update_service_request', 'update_support_profile');
ALTER TABLE commands DROP CONSTRAINT commands_kind_check;
ALTER TABLE commands ADD CONSTRAINT commands_kind_check CHECK (kind IN ('create_customer', 'accept_agreement',
    'create_order', 'patch_order', 'patch_subscription', 'create_transition'));
DROP INDEX support_requests_escalation_idx;
ALTER TABLE support_requests DROP COLUMN pc_service_request_id, DROP COLUMN escalation_command_id;
DROP TABLE pc_support_profile;
DROP TABLE pc_support_topics;
DROP TABLE pc_service_requests;
