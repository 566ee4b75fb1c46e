-- +goose Up

-- Which Partner Center the connection talks to (issue 18): the global
-- cloud or Partner Center operated by 21Vianet. The cloud sets the
-- defaults of the API and token URLs, the token audience and the
-- capabilities the pages check (rules.ProfileOf).
ALTER TABLE settings
    ADD COLUMN pc_cloud text NOT NULL DEFAULT 'global' CHECK (pc_cloud IN ('global', 'china'));

-- +goose Down
ALTER TABLE settings DROP COLUMN pc_cloud;
