package store

import (
	"context"
	"fmt"
	"time"
)

// DashboardCounts is what the dashboard shows about the mirror.
type DashboardCounts struct {
	Customers, Subscriptions, ActiveSubscriptions, Offers int64
	LastSync                                              *time.Time // nil when no sync has succeeded yet
}

// dashboardTTL is how long the dashboard's counts are reused while no
// sync run starts: they count every subscription (about 10 ms at the
// design size), and every staff member opens the dashboard.
const dashboardTTL = 10 * time.Second

// latestSyncRunSQL is the newest sync run's id (0 before the first), the
// version of the counts kept between syncs.
const latestSyncRunSQL = `SELECT coalesce(max(id), 0) FROM sync_runs`

// dashboardKept keeps each store's counts with the newest sync run they
// were counted after.
var dashboardKept = kept[*Store, DashboardCounts]{ttl: dashboardTTL}

// DashboardCounts counts the mirrored customers, subscriptions and offers.
// The counts are computed again when a sync run starts and at least every
// ten seconds (writes between syncs, such as an order's subscriptions,
// show within that).
func (s *Store) DashboardCounts(ctx context.Context) (DashboardCounts, error) {
	var run int64
	if err := s.Pool.QueryRow(ctx, latestSyncRunSQL).Scan(&run); err != nil {
		return DashboardCounts{}, fmt.Errorf("dashboard counts: %w", mapErr(err))
	}
	return dashboardKept.get(ctx, s, run, s.dashboardCounts)
}

func (s *Store) dashboardCounts(ctx context.Context) (DashboardCounts, error) {
	r, err := s.Q.DashboardCounts(ctx, s.Pool)
	if err != nil {
		return DashboardCounts{}, fmt.Errorf("dashboard counts: %w", mapErr(err))
	}
	d := DashboardCounts{Customers: r.Customers, Subscriptions: r.Subscriptions, ActiveSubscriptions: r.ActiveSubscriptions, Offers: r.Offers}
	if r.LastSync.Unix() > 0 {
		t := r.LastSync
		d.LastSync = &t
	}
	return d, nil
}
