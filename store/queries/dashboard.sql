-- name: DashboardCounts :one
-- What the dashboard shows about the mirror; cheap enough per page view at
-- the design size (count on indexed tables of ~100k rows).
SELECT
    (SELECT count(*) FROM customers c WHERE c.gone_at IS NULL)::bigint AS customers,
    (SELECT count(*) FROM subscriptions s WHERE s.gone_at IS NULL)::bigint AS subscriptions,
    (SELECT count(*) FROM subscriptions s WHERE s.gone_at IS NULL AND lower(s.status) = 'active')::bigint AS active_subscriptions,
    (SELECT count(*) FROM offers o WHERE o.gone_at IS NULL)::bigint AS offers,
    coalesce((SELECT max(r.finished_at) FROM sync_runs r WHERE r.status = 'succeeded'), 'epoch'::timestamptz)::timestamptz AS last_sync;
