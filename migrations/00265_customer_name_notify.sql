-- +goose Up

-- A customer user's session is kept in memory with their customer's name
-- (their pages' heading, migration 00260's cache), so renaming a customer
-- makes every instance forget the sessions it keeps. Only a change of the
-- name or domain notifies: a sync rewrites customers' rows far more often
-- than it renames one, and a transaction's identical notifications are
-- sent once.

-- +goose StatementBegin
CREATE FUNCTION notify_sessions_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portal_sessions', '*');
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER customers_name_notify_sessions AFTER UPDATE OF company_name, domain ON customers
  FOR EACH ROW WHEN (OLD.company_name IS DISTINCT FROM NEW.company_name OR OLD.domain IS DISTINCT FROM NEW.domain)
  EXECUTE FUNCTION notify_sessions_all();
CREATE TRIGGER customers_delete_notify_sessions AFTER DELETE OR TRUNCATE ON customers
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_all();

-- +goose Down
DROP TRIGGER customers_delete_notify_sessions ON customers;
DROP TRIGGER customers_name_notify_sessions ON customers;
DROP FUNCTION notify_sessions_all();
