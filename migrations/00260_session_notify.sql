-- +goose Up

-- The portal keeps the sessions it found (with their user and the instance
-- settings) in memory and forgets them when these notifications say the
-- rows changed, so a page costs no session query and a disabled user, a
-- changed role or a signed-out session still count from the next request,
-- on every instance. A session's payload is the SHA-256 of its token (the
-- token itself is a credential); '*' means forget every session.

-- +goose StatementBegin
CREATE FUNCTION notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    PERFORM pg_notify('portal_sessions', encode(sha256(convert_to(CASE WHEN TG_OP = 'DELETE' THEN OLD.token ELSE NEW.token END, 'UTF8')), 'hex'));
  ELSE
    PERFORM pg_notify('portal_sessions', '*');
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER sessions_notify_row AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION notify_session_changed();
CREATE TRIGGER sessions_notify_truncate AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_session_changed();
CREATE TRIGGER users_notify_sessions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_session_changed();
CREATE TRIGGER settings_notify_sessions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
  FOR EACH STATEMENT EXECUTE FUNCTION notify_session_changed();

-- +goose Down
DROP TRIGGER settings_notify_sessions ON settings;
DROP TRIGGER users_notify_sessions ON users;
DROP TRIGGER sessions_notify_truncate ON sessions;
DROP TRIGGER sessions_notify_row ON sessions;
DROP FUNCTION notify_session_changed();
