package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// The renewal calendar: every active or suspended subscription by the end
// of its term, globally or for one customer, with optional filters. The
// query is written by hand because its filters are optional (sqlc would
// need one query per combination); it walks subscription_lifecycle's
// (term_end, subscription_id) indexes with keyset paging, so a page costs
// the same at 100,000 subscriptions as at 100.

// RenewalFilter selects calendar rows.
type RenewalFilter struct {
	Customer *uuid.UUID
	// From and To bound the term end (the renewal date): [From, To).
	From, To time.Time
	// Filters: auto-renew off, a scheduled change pending, seats not
	// assigned to users (license usage), a price change at renewal, seats
	// removable now (a tranche's window open at Now).
	AutoRenewOff, Scheduled, Unassigned, PriceChanges, WindowOpen bool
	Now                                                           time.Time
	// After continues after a row (keyset paging); Limit caps the rows.
	After *RenewalCursor
	Limit int
}

// RenewalCursor is a calendar row's position.
type RenewalCursor struct {
	TermEnd time.Time
	ID      string
}

// RenewalRow is one subscription on the calendar.
type RenewalRow struct {
	SubscriptionID, CustomerID, CustomerName string
	Name, OfferName, Status                  string
	TermEnd                                  time.Time
	AutoRenew                                bool
	Quantity, NextQuantity                   int
	TermDuration, BillingCycle               string
	NextTitle, NextTermDuration              string
	NextBillingCycle                         string
	Scheduled                                bool
	Currency                                 string
	CurrentPrice, NextPrice                  decimal.NullDecimal
	PriceChanges                             bool
	// OpenSeats can be removed now, until WindowClosesAt at the latest.
	OpenSeats      int
	WindowClosesAt *time.Time
	// Assigned and Purchased are the license usage of the product (HasUsage
	// false when the customer's usage is not known).
	HasUsage            bool
	Assigned, Purchased int
}

// Cursor is r's position for the next page.
func (r RenewalRow) Cursor() RenewalCursor {
	return RenewalCursor{TermEnd: r.TermEnd, ID: r.SubscriptionID}
}

// RenewalCalendar returns the calendar rows f selects, by term end.
func (s *Store) RenewalCalendar(ctx context.Context, f RenewalFilter) ([]RenewalRow, error) {
	q, args := renewalQuery(f)
	rows, err := s.Pool.Query(ctx, q, args)
	if err != nil {
		return nil, fmt.Errorf("renewal calendar: %w", err)
	}
	return scanRenewals(rows)
}

// RenewalPage is a page of the renewal calendar with the viewer's live
// calendar feed (nil: none).
type RenewalPage struct {
	Rows []RenewalRow
	Feed *CalendarFeed
}

// RenewalPage reads a page of the calendar as RenewalCalendar does and
// user's live calendar feed (user 0: none asked for) in one round trip.
func (s *Store) RenewalPage(ctx context.Context, f RenewalFilter, user int64) (RenewalPage, error) {
	var p RenewalPage
	b := &pgx.Batch{}
	q, args := renewalQuery(f)
	b.Queue(q, args).Query(func(rows pgx.Rows) (err error) {
		p.Rows, err = scanRenewals(rows)
		return err
	})
	var feeds []CalendarFeed
	if user != 0 {
		s.Q.QueueLiveCalendarFeed(b, user, &feeds)
	}
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return RenewalPage{}, fmt.Errorf("renewal calendar: %w", mapErr(err))
	}
	if len(feeds) > 0 {
		p.Feed = &feeds[0]
	}
	return p, nil
}

// renewalQuery is the calendar's statement for f, with its arguments.
func renewalQuery(f RenewalFilter) (string, pgx.NamedArgs) {
	var where []string
	args := pgx.NamedArgs{"from": f.From, "to": f.To, "now": f.Now}
	where = append(where, "l.term_end >= @from", "l.term_end < @to", "l.status IN ('active', 'suspended')")
	if f.Customer != nil {
		where = append(where, "l.customer_id = @customer")
		args["customer"] = *f.Customer
	}
	if f.AutoRenewOff {
		where = append(where, "NOT l.auto_renew")
	}
	if f.Scheduled {
		where = append(where, "l.scheduled")
	}
	if f.PriceChanges {
		where = append(where, "l.price_changes")
	}
	if f.WindowOpen {
		where = append(where, "l.window_closes_at >= @now")
	}
	if f.Unassigned {
		where = append(where, "u.active_units > u.consumed_units")
	}
	if f.After != nil {
		where = append(where, "(l.term_end, l.subscription_id) > (@after_end, @after_id)")
		args["after_end"], args["after_id"] = f.After.TermEnd, f.After.ID
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 100
	}
	args["limit"] = limit
	q := `SELECT l.subscription_id, l.customer_id::text, c.company_name, coalesce(nullif(s.friendly_name, ''), s.offer_name),
	s.offer_name, l.status, l.term_end, l.auto_renew, s.quantity, l.next_quantity, s.term_duration, s.billing_cycle,
	l.next_title, l.next_term_duration, l.next_billing_cycle, l.scheduled, l.currency, l.current_unit_price,
	l.next_unit_price, coalesce(l.price_changes, false),
	CASE WHEN l.window_closes_at >= @now THEN (SELECT coalesce(sum(t.quantity), 0) FROM subscription_tranches t
		WHERE t.subscription_id = l.subscription_id AND t.allowed_until >= @now) ELSE 0 END,
	CASE WHEN l.window_closes_at >= @now THEN l.window_closes_at END,
	u.active_units IS NOT NULL, coalesce(u.consumed_units, 0), coalesce(u.active_units, 0)
FROM subscription_lifecycle l
JOIN subscriptions s ON s.id = l.subscription_id AND s.gone_at IS NULL
JOIN customers c ON c.id = l.customer_id
LEFT JOIN LATERAL (SELECT k.consumed_units, k.active_units FROM subscribed_skus k
	WHERE k.customer_id = l.customer_id AND lower(k.sku_name) = lower(s.offer_name) AND k.gone_at IS NULL
	ORDER BY k.sku_id LIMIT 1) u ON true
WHERE ` + strings.Join(where, " AND ") + `
ORDER BY l.term_end, l.subscription_id
LIMIT @limit`
	return q, args
}

// scanRenewals reads the calendar's rows and closes rows.
func scanRenewals(rows pgx.Rows) ([]RenewalRow, error) {
	defer rows.Close()
	var out []RenewalRow
	for rows.Next() {
		var r RenewalRow
		var qty, next, open, assigned, purchased int32
		if err := rows.Scan(&r.SubscriptionID, &r.CustomerID, &r.CustomerName, &r.Name, &r.OfferName, &r.Status, &r.TermEnd,
			&r.AutoRenew, &qty, &next, &r.TermDuration, &r.BillingCycle, &r.NextTitle, &r.NextTermDuration, &r.NextBillingCycle,
			&r.Scheduled, &r.Currency, &r.CurrentPrice, &r.NextPrice, &r.PriceChanges, &open, &r.WindowClosesAt, &r.HasUsage,
			&assigned, &purchased); err != nil {
			return nil, fmt.Errorf("renewal calendar: %w", err)
		}
		r.Quantity, r.NextQuantity, r.OpenSeats, r.Assigned, r.Purchased = int(qty), int(next), int(open), int(assigned), int(purchased)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("renewal calendar: %w", err)
	}
	return out, nil
}

// WindowClosing is a tranche whose window closes in a range (the
// iCalendar feed's "last day to remove seats" events).
type WindowClosing struct {
	SubscriptionID, CustomerID, CustomerName, Name string
	Quantity                                       int
	Until                                          time.Time
}

// WindowsClosing returns the open tranches whose windows close in
// [from, to), soonest first, at most limit.
func (s *Store) WindowsClosing(ctx context.Context, customer *uuid.UUID, from, to time.Time, limit int) ([]WindowClosing, error) {
	args := pgx.NamedArgs{"from": from, "to": to, "limit": limit}
	cust := ""
	if customer != nil {
		cust, args["customer"] = " AND t.customer_id = @customer", *customer
	}
	rows, err := s.Pool.Query(ctx, `SELECT t.subscription_id, t.customer_id::text, c.company_name,
	coalesce(nullif(s.friendly_name, ''), s.offer_name), t.quantity, t.allowed_until
FROM subscription_tranches t
JOIN subscriptions s ON s.id = t.subscription_id AND s.gone_at IS NULL AND s.status = 'active'
JOIN customers c ON c.id = t.customer_id
WHERE t.allowed_until >= @from AND t.allowed_until < @to`+cust+`
ORDER BY t.allowed_until, t.subscription_id, t.ordinal
LIMIT @limit`, args)
	if err != nil {
		return nil, fmt.Errorf("windows closing: %w", err)
	}
	defer rows.Close()
	var out []WindowClosing
	for rows.Next() {
		var w WindowClosing
		var q int32
		if err := rows.Scan(&w.SubscriptionID, &w.CustomerID, &w.CustomerName, &w.Name, &q, &w.Until); err != nil {
			return nil, fmt.Errorf("windows closing: %w", err)
		}
		w.Quantity = int(q)
		out = append(out, w)
	}
	return out, rows.Err()
}
