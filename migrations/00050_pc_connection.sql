-- +goose Up

-- The Partner Center connection's app+user credential (issue 9): who
-- connected it, with or without MFA, when its refresh token last rolled,
-- and each credential's last success and last error, for the settings
-- page's health panel. The refresh token itself stays in
-- settings.pc_refresh_token_enc (AES-GCM, see internal/secrets).
ALTER TABLE settings
    ADD COLUMN pc_user                text NOT NULL DEFAULT '',
    ADD COLUMN pc_user_mfa            boolean NOT NULL DEFAULT false,
    ADD COLUMN pc_connected_at        timestamptz,
    ADD COLUMN pc_refresh_rotated_at  timestamptz,
    ADD COLUMN pc_app_only_ok_at      timestamptz,
    ADD COLUMN pc_app_only_error      text NOT NULL DEFAULT '',
    ADD COLUMN pc_app_only_error_at   timestamptz,
    ADD COLUMN pc_app_user_ok_at      timestamptz,
    ADD COLUMN pc_app_user_error      text NOT NULL DEFAULT '',
    ADD COLUMN pc_app_user_error_at   timestamptz;

-- A customer that removed its relationship with the partner: PC still
-- lists it but refuses every call for it. Sync marks it and carries on.
-- license_usage_error says why the last sync could not read the customer's
-- license usage (subscribed SKUs), '' when it could.
ALTER TABLE customers
    ADD COLUMN relationship_removed_at    timestamptz,
    ADD COLUMN relationship_removed_error text NOT NULL DEFAULT '',
    ADD COLUMN license_usage_error        text NOT NULL DEFAULT '',
    ADD COLUMN license_usage_checked_at   timestamptz;
CREATE INDEX customers_relationship_removed_idx ON customers (id) WHERE relationship_removed_at IS NOT NULL;

-- +goose Down
DROP INDEX customers_relationship_removed_idx;
ALTER TABLE customers
    DROP COLUMN relationship_removed_at,
    DROP COLUMN relationship_removed_error,
    DROP COLUMN license_usage_error,
    DROP COLUMN license_usage_checked_at;
ALTER TABLE settings
    DROP COLUMN pc_user,
    DROP COLUMN pc_user_mfa,
    DROP COLUMN pc_connected_at,
    DROP COLUMN pc_refresh_rotated_at,
    DROP COLUMN pc_app_only_ok_at,
    DROP COLUMN pc_app_only_error,
    DROP COLUMN pc_app_only_error_at,
    DROP COLUMN pc_app_user_ok_at,
    DROP COLUMN pc_app_user_error,
    DROP COLUMN pc_app_user_error_at;
