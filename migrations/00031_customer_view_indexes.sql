-- +goose Up

-- The customer view marks a subscription "replaced by a newer order" when
-- another subscription of the customer was migrated from it; PC gives that
-- link only inside the raw resource. This partial index finds the few
-- such rows of a customer without reading every subscription's raw JSON.
CREATE INDEX subscriptions_migrated_from_idx
    ON subscriptions (customer_id, (raw->>'migratedFromSubscriptionId'))
    WHERE raw->>'migratedFromSubscriptionId' <> '' AND gone_at IS NULL;

-- +goose Down
DROP INDEX subscriptions_migrated_from_idx;
