-- +goose Up

-- Two-tier CSP (issue 19). The partner is a direct-bill partner (sells to
-- its own customers) or an indirect provider (sells through indirect
-- resellers); the admin confirms which in the wizard or the settings.
ALTER TABLE settings ADD COLUMN partner_mode text NOT NULL DEFAULT 'direct'
    CHECK (partner_mode IN ('direct', 'indirect'));

-- An indirect provider's resellers, as the mirror reads them from Partner
-- Center (GET /relationships?relationship_type=IsIndirectCloudSolutionProviderOf)
-- with their Microsoft Partner Agreement status (GET
-- /compliance/csp/agreementstatus). tenant_id is the reseller's tenant (what
-- a customer's associatedPartnerId carries); mpn_id its partner id (what an
-- order line's partnerIdOnRecord carries). mpa_signed is NULL until checked;
-- mpa_code and mpa_description keep PC's answer when not signed.
CREATE TABLE resellers (
    tenant_id          uuid PRIMARY KEY,
    name               text NOT NULL,
    mpn_id             text NOT NULL,
    location           text NOT NULL DEFAULT '',
    state              text NOT NULL DEFAULT '',
    relationship_type  text NOT NULL DEFAULT '',
    mpa_signed         boolean,
    mpa_code           text NOT NULL DEFAULT '',
    mpa_description    text NOT NULL DEFAULT '',
    mpa_checked_at     timestamptz,
    synced_at          timestamptz NOT NULL DEFAULT now(),
    gone_at            timestamptz
);
CREATE INDEX resellers_name ON resellers (lower(name), tenant_id);
CREATE INDEX resellers_mpn ON resellers (mpn_id);

-- A reseller's customers: customers.associated_partner_id is the reseller's
-- tenant id (text, as PC sends it).
CREATE INDEX customers_associated_partner ON customers (associated_partner_id, id)
    WHERE associated_partner_id <> '';

-- +goose Down
DROP INDEX customers_associated_partner;
DROP TABLE resellers;
ALTER TABLE settings DROP COLUMN partner_mode;
