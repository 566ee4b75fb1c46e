-- +goose Up

-- A user's language for the portal's pages and mail (issue 18): '' means
-- the browser's Accept-Language, else the portal's default_language.
ALTER TABLE users
    ADD COLUMN language text NOT NULL DEFAULT '' CHECK (language IN ('', 'en', 'zh-Hans'));

-- +goose Down
ALTER TABLE users DROP COLUMN language;
