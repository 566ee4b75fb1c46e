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

// DashboardCounts counts the mirrored customers, subscriptions and offers.
func (s *Store) DashboardCounts(ctx context.Context) (DashboardCounts, error) {
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
