package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store/db"
)

// CustomerFilter narrows the customer list.
type CustomerFilter struct {
	Query       string    // part of the name or domain, or a tenant id
	Suspended   bool      // has suspended subscriptions
	Renewals    bool      // a subscription's term ends within 30 days of Now
	NoAgreement bool      // no agreement accepted
	Now         time.Time // reference time for Renewals
	// NoTotal skips counting the matches (the caller knows the total, e.g.
	// from CustomerCounts when nothing is filtered); Total is then 0.
	NoTotal bool
	Offset  int
	Limit   int
	// After and Before page by keyset instead of Offset: the rows after
	// (or the last Limit rows before) this customer in the list's order,
	// so a page's cost does not grow with its number.
	After, Before *uuid.UUID
}

// CustomerRow is one line of the customer list.
type CustomerRow struct {
	ID            uuid.UUID
	CompanyName   string
	Domain        string
	Country       string
	Subscriptions int
	Suspended     int
	HasAgreement  bool
	NextRenewal   *time.Time
	// RelationshipRemoved: the customer removed its relationship with the
	// partner (sync found PC refusing every call for it).
	RelationshipRemoved bool
}

// CustomerPage is one page of the customer list and the number of matches.
type CustomerPage struct {
	Rows  []CustomerRow
	Total int
}

// renewalWindow is how far ahead "renewals soon" looks.
const renewalWindow = 30 * 24 * time.Hour

// CustomerSearch returns a page of customers matching f, ordered by name.
//
// Identical searches share one query while it waits for a connection:
// under load, requests for the same page that arrive while an earlier one
// is still queued for the pool take its result instead of queueing their
// own query. The query starts (and takes its snapshot) only after every
// request sharing it has arrived, with the latest of their Now, so each
// gets an answer as fresh as its own query would have been.
func (s *Store) CustomerSearch(ctx context.Context, f CustomerFilter) (CustomerPage, error) {
	key := searchKey{st: s, f: f}
	key.f.Now = time.Time{}
	for {
		customerFlights.Lock()
		fl := customerFlights.m[key]
		if fl != nil {
			if f.Now.After(fl.now) {
				fl.now = f.Now
			}
			fl.sharers++
			customerFlights.Unlock()
			select {
			case <-ctx.Done():
				return CustomerPage{}, fmt.Errorf("customer search: %w", ctx.Err())
			case <-fl.done:
			}
			if fl.err != nil && ctx.Err() == nil && (errors.Is(fl.err, context.Canceled) || errors.Is(fl.err, context.DeadlineExceeded)) {
				continue // the request running it went away; run our own
			}
			return fl.page, fl.err
		}
		fl = &searchFlight{now: f.Now, done: make(chan struct{})}
		customerFlights.m[key] = fl
		customerFlights.Unlock()

		conn, err := s.Pool.Acquire(ctx)
		customerFlights.Lock()
		delete(customerFlights.m, key) // later requests start their own
		f.Now = fl.now
		customerFlights.Unlock()
		if err != nil {
			fl.err = fmt.Errorf("customer search: %w", err)
		} else {
			fl.page, fl.err = searchCustomers(ctx, conn, f)
			conn.Release()
		}
		close(fl.done)
		return fl.page, fl.err
	}
}

// searchKey identifies identical searches: the store and the filter
// without Now.
type searchKey struct {
	st *Store
	f  CustomerFilter
}

// searchFlight is a search waiting for its connection, then running.
type searchFlight struct {
	now     time.Time // the latest Now of the requests sharing it
	sharers int       // requests waiting for it besides the one running it
	done    chan struct{}
	page    CustomerPage
	err     error
}

var customerFlights = struct {
	sync.Mutex
	m map[searchKey]*searchFlight
}{m: map[searchKey]*searchFlight{}}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// searchCustomers runs the customer list's query for f on conn.
func searchCustomers(ctx context.Context, conn querier, f CustomerFilter) (CustomerPage, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := []string{"c.gone_at IS NULL"}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		if id, err := uuid.Parse(q); err == nil {
			p := arg(id)
			where = append(where, "(c.id = "+p+" OR lower(c.tenant_id) = "+arg(q)+")")
		} else {
			p := arg("%" + likeEscape(q) + "%")
			where = append(where, "(lower(c.company_name) LIKE "+p+" OR lower(c.domain) LIKE "+p+")")
		}
	}
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	if f.Suspended {
		where = append(where, "EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id AND s.status = 'suspended' AND s.gone_at IS NULL)")
	}
	if f.Renewals {
		where = append(where, "EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id AND s.gone_at IS NULL AND s.status = 'active' AND s.commitment_end_date >= "+
			arg(now)+" AND s.commitment_end_date < "+arg(now.Add(renewalWindow))+")")
	}
	if f.NoAgreement {
		where = append(where, "NOT EXISTS (SELECT 1 FROM agreements a WHERE a.customer_id = c.id AND a.gone_at IS NULL)")
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	order, offset := "lower(c.company_name), c.id", max(f.Offset, 0)
	switch {
	case f.After != nil:
		where = append(where, "(lower(c.company_name), c.id) > (SELECT lower(k.company_name), k.id FROM customers k WHERE k.id = "+arg(*f.After)+")")
		offset = 0
	case f.Before != nil:
		where = append(where, "(lower(c.company_name), c.id) < (SELECT lower(k.company_name), k.id FROM customers k WHERE k.id = "+arg(*f.Before)+")")
		order, offset = "lower(c.company_name) DESC, c.id DESC", 0
	}
	nowArg := arg(now)
	total := "count(*) OVER ()"
	if f.NoTotal {
		total = "0::bigint"
	}
	q := `WITH page AS (
		SELECT c.id, c.company_name, c.domain, c.address_country, c.relationship_removed_at IS NOT NULL AS removed, ` + total + ` AS total
		FROM customers c WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(offset) + `)
	SELECT p.id, p.company_name, p.domain, p.address_country, p.removed, p.total,
		coalesce(st.n, 0), coalesce(st.suspended, 0), st.next_renewal, ag.has IS NOT NULL
	FROM page p
	LEFT JOIN LATERAL (SELECT true AS has FROM agreements a WHERE a.customer_id = p.id AND a.gone_at IS NULL LIMIT 1) ag ON true
	LEFT JOIN LATERAL (SELECT count(*) AS n, count(*) FILTER (WHERE s.status = 'suspended') AS suspended,
		min(s.commitment_end_date) FILTER (WHERE s.status = 'active' AND s.commitment_end_date >= ` + nowArg + `) AS next_renewal
		FROM subscriptions s WHERE s.customer_id = p.id AND s.gone_at IS NULL) st ON true
	ORDER BY lower(p.company_name), p.id`
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return CustomerPage{}, fmt.Errorf("customer search: %w", err)
	}
	var page CustomerPage
	for rows.Next() {
		var r CustomerRow
		var total, n, susp int64
		if err := rows.Scan(&r.ID, &r.CompanyName, &r.Domain, &r.Country, &r.RelationshipRemoved, &total, &n, &susp, &r.NextRenewal, &r.HasAgreement); err != nil {
			rows.Close()
			return CustomerPage{}, fmt.Errorf("customer search: %w", err)
		}
		r.Subscriptions, r.Suspended, page.Total = int(n), int(susp), int(total)
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return CustomerPage{}, fmt.Errorf("customer search: %w", err)
	}
	if len(page.Rows) == 0 && f.Offset > 0 && !f.NoTotal {
		f.Offset, f.Limit = 0, 1
		p, err := searchCustomers(ctx, conn, f)
		if err != nil {
			return page, err
		}
		page.Total = p.Total
	}
	return page, nil
}

// CustomerCounts are the sizes of the customer list's filters.
type CustomerCounts struct {
	All, Suspended, Renewals, NoAgreement int
	// PageEnds are the last customer of each full page of the unfiltered
	// list, pages of the size CustomerCounts was given: page n+1 is the
	// keyset page after PageEnds[n-1], which costs what page 2 does where
	// an offset walks every customer before it.
	PageEnds []uuid.UUID
}

// CustomerCounts counts all customers and those each filter selects, and
// marks where each page of pageSize customers of the unfiltered list ends.
func (s *Store) CustomerCounts(ctx context.Context, now time.Time, pageSize int) (CustomerCounts, error) {
	if pageSize <= 0 {
		return CustomerCounts{}, fmt.Errorf("customer counts: page size %d", pageSize)
	}
	r, err := s.Q.CountCustomersByFilter(ctx, s.Pool, db.CountCustomersByFilterParams{RenewFrom: now, RenewTo: now.Add(renewalWindow),
		PageSize: int32(pageSize)})
	if err != nil {
		return CustomerCounts{}, fmt.Errorf("customer counts: %w", err)
	}
	return CustomerCounts{All: int(r.AllCustomers), Suspended: int(r.Suspended), Renewals: int(r.Renewals), NoAgreement: int(r.NoAgreement),
		PageEnds: r.PageEnds}, nil
}

// Customer is a mirrored customer.
type Customer = db.Customer

// CustomerAgreement is an accepted agreement.
type CustomerAgreement = db.ListCustomerAgreementsRow

// CustomerSubscription is a subscription as the customer page lists it:
// its priced row, by name (sortPriced).
type CustomerSubscription = PricedSubscription

// CustomerOrder is an order with its number of line items.
type CustomerOrder = db.ListCustomerOrdersRow

// LicenseUsage is a customer's use of one Entra SKU: Assigned (consumed)
// against Purchased (active) units.
type LicenseUsage = db.ListCustomerUsageRow

// CustomerAuditEntry is one line of a customer's audit trail: the portal's
// own audit log (Source "portal") or Partner Center's activity log ("pc").
type CustomerAuditEntry = db.ListCustomerAuditRow

// CustomerDetail is everything the customer page shows.
type CustomerDetail struct {
	Customer      Customer
	Agreements    []CustomerAgreement
	Subscriptions []CustomerSubscription
	Orders        []CustomerOrder
	Usage         []LicenseUsage
	Audit         []CustomerAuditEntry
	// Priced are the subscriptions with their term prices, for the run
	// rate (prices.Pricer.RunRateOf): the same rows as Subscriptions, read
	// once, which neither list's reader changes (a big customer's are
	// shared between requests).
	Priced []PricedSubscription
	// Version is the customer's data version the subscriptions are at.
	Version int64
	// Nest is how the subscriptions' add-ons nest under their bases, by
	// position in Subscriptions (and Priced).
	Nest rules.Nesting
}

// CustomerDetail reads a customer and its mirrored data in one snapshot,
// in one round trip. A big customer's subscriptions are read only when
// their version moved since they were last read (kept_rows.go).
func (s *Store) CustomerDetail(ctx context.Context, id uuid.UUID) (CustomerDetail, error) {
	var d CustomerDetail
	keptVersion, kept := s.priced.get(id)
	err := s.readSnapshot(ctx, func(b *pgx.Batch) {
		s.Q.QueueGetMirrorCustomer(b, id, &d.Customer)
		s.Q.QueueListCustomerAgreements(b, id, &d.Agreements)
		s.Q.QueueListCustomerOrders(b, id, &d.Orders)
		s.Q.QueueListCustomerUsage(b, id, &d.Usage)
		s.Q.QueueListCustomerAudit(b, &id, &d.Audit)
		s.Q.QueueCustomerDataVersion(b, id, &d.Version)
		s.Q.QueueCustomerPricedSubscriptions(b, db.CustomerPricedSubscriptionsParams{CustomerID: id, UnlessVersion: keptVersion}, &d.Priced)
	})
	if err != nil {
		return d, fmt.Errorf("customer %s: %w", id, mapErr(err))
	}
	l := s.priced.keep(id, keptVersion, d.Version, kept, d.Priced, sortPriced)
	d.Priced, d.Subscriptions, d.Nest = l.rows, l.rows, l.nest
	return d, nil
}

// readSnapshot sends the queries queue adds in one batch, inside a
// read-only repeatable-read transaction: one snapshot and one round trip,
// where a transaction of its own cost a round trip per query plus two.
// The first failing query's error is returned (pgx.ErrNoRows for a
// missing row); the connection of a failed batch, still in its aborted
// transaction, is closed by the pool rather than reused.
func (s *Store) readSnapshot(ctx context.Context, queue func(*pgx.Batch)) error {
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
	queue(b)
	b.Queue("COMMIT")
	return s.Pool.SendBatch(ctx, b).Close()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
