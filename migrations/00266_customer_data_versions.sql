-- +goose Up

-- A version per customer of what its customer page and view read: its
-- subscriptions, their lifecycle (term prices), orders and licence usage.
-- The portal keeps a big customer's subscriptions, read and sorted, and
-- their run rate between requests, and reads them again only when the
-- version moved (store.CustomerDetail). Versions come from one sequence,
-- so a version is never reused, even after its row is gone.
--
-- The bump runs at commit (deferred constraint triggers), once per
-- customer and transaction (by_xact): the version row is then locked only
-- while committing. Locked at each statement, it would serialize every
-- writer of one customer's rows until commit, and two of them writing
-- rows in another order could deadlock. At commit, two transactions can
-- still wait on each other only when each wrote several customers, in
-- another order; Postgres then fails one, and its job is retried like
-- any other failed write. A TRUNCATE of any of those
-- tables moves the version of every customer (the row of the nil uuid,
-- which every reader reads too).
CREATE SEQUENCE customer_data_version_seq;

CREATE TABLE customer_data_versions (
    customer_id uuid PRIMARY KEY,
    version     bigint NOT NULL,
    by_xact     xid8 NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION bump_customer_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN
    c := OLD.customer_id;
  ELSE
    c := NEW.customer_id;
  END IF;
  INSERT INTO customer_data_versions AS v (customer_id, version, by_xact)
  VALUES (c, nextval('customer_data_version_seq'), pg_current_xact_id())
  ON CONFLICT (customer_id) DO UPDATE SET version = excluded.version, by_xact = excluded.by_xact
  WHERE v.by_xact <> excluded.by_xact;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION bump_all_customer_data_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_data_versions AS v (customer_id, version, by_xact)
  VALUES ('00000000-0000-0000-0000-000000000000', nextval('customer_data_version_seq'), pg_current_xact_id())
  ON CONFLICT (customer_id) DO UPDATE SET version = excluded.version, by_xact = excluded.by_xact;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER subscriptions_data_version AFTER INSERT OR UPDATE OR DELETE ON subscriptions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_customer_data_version();
CREATE CONSTRAINT TRIGGER subscription_lifecycle_data_version AFTER INSERT OR UPDATE OR DELETE ON subscription_lifecycle
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_customer_data_version();
CREATE CONSTRAINT TRIGGER orders_data_version AFTER INSERT OR UPDATE OR DELETE ON orders
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_customer_data_version();
CREATE CONSTRAINT TRIGGER subscribed_skus_data_version AFTER INSERT OR UPDATE OR DELETE ON subscribed_skus
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_customer_data_version();

CREATE TRIGGER subscriptions_truncate_data_version AFTER TRUNCATE ON subscriptions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_customer_data_versions();
CREATE TRIGGER subscription_lifecycle_truncate_data_version AFTER TRUNCATE ON subscription_lifecycle
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_customer_data_versions();
CREATE TRIGGER orders_truncate_data_version AFTER TRUNCATE ON orders
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_customer_data_versions();
CREATE TRIGGER subscribed_skus_truncate_data_version AFTER TRUNCATE ON subscribed_skus
  FOR EACH STATEMENT EXECUTE FUNCTION bump_all_customer_data_versions();

-- +goose Down
DROP TRIGGER subscribed_skus_truncate_data_version ON subscribed_skus;
DROP TRIGGER orders_truncate_data_version ON orders;
DROP TRIGGER subscription_lifecycle_truncate_data_version ON subscription_lifecycle;
DROP TRIGGER subscriptions_truncate_data_version ON subscriptions;
DROP TRIGGER subscribed_skus_data_version ON subscribed_skus;
DROP TRIGGER orders_data_version ON orders;
DROP TRIGGER subscription_lifecycle_data_version ON subscription_lifecycle;
DROP TRIGGER subscriptions_data_version ON subscriptions;
DROP FUNCTION bump_all_customer_data_versions();
DROP FUNCTION bump_customer_data_version();
DROP TABLE customer_data_versions;
DROP SEQUENCE customer_data_version_seq;
