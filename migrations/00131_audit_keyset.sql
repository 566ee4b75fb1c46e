-- +goose Up

-- The audit page pages by (at, id) instead of OFFSET and shows a command's
-- outcome on the line that queued it (found by its MS-RequestId).
CREATE INDEX audit_log_at_id_idx ON audit_log (at DESC, id DESC);
DROP INDEX audit_log_at_idx;
CREATE INDEX audit_log_request_idx ON audit_log (pc_request_id, id) WHERE pc_request_id IS NOT NULL;
DROP INDEX audit_log_customer_idx;
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, at DESC, id DESC) WHERE customer_id IS NOT NULL;

-- +goose Down
DROP INDEX audit_log_customer_idx;
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, at DESC) WHERE customer_id IS NOT NULL;
DROP INDEX audit_log_request_idx;
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
DROP INDEX audit_log_at_id_idx;
