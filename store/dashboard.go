package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
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

// Dashboard is what the staff dashboard shows.
type Dashboard struct {
	Settings      Settings
	Users, Admins int
	Counts        DashboardCounts
	// Attention is the first open items due by the time asked for, and
	// AttentionTotal their number, counted up to AttentionCounted+1.
	Attention      []AttentionItem
	AttentionTotal int
}

// Dashboard reads the settings, the user counts (users, enabled admins),
// the latest sync run and the first max open attention items due by
// until in one round trip; it was four, one after another. The counts of
// the mirror are computed again when a sync run starts and at least every
// ten seconds (writes between syncs, such as an order's subscriptions,
// show within that), which costs a second round trip.
func (s *Store) Dashboard(ctx context.Context, until time.Time, max int) (Dashboard, error) {
	var d Dashboard
	var users db.UserCountsRow
	var run int64
	b := &pgx.Batch{}
	s.Q.QueueGetSettings(b, &d.Settings)
	s.Q.QueueUserCounts(b, &users)
	b.Queue(latestSyncRunSQL).QueryRow(func(r pgx.Row) error { return r.Scan(&run) })
	b.Queue(openAttentionSQL, until, max, AttentionCounted+1).Query(func(rows pgx.Rows) (err error) {
		d.Attention, d.AttentionTotal, err = collectAttention(rows)
		return err
	})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", mapErr(err))
	}
	d.Users, d.Admins = int(users.Users), int(users.Admins)
	c, err := dashboardKept.get(ctx, s, run, s.dashboardCounts)
	if err != nil {
		return Dashboard{}, err
	}
	d.Counts = c
	return d, nil
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
