package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Partner modes (settings.partner_mode).
const (
	// ModeDirect is a direct-bill partner selling to its own customers.
	ModeDirect = "direct"
	// ModeIndirect is an indirect provider selling through indirect resellers.
	ModeIndirect = "indirect"
)

// Reseller is an indirect reseller as the mirror last read it.
type Reseller = db.Reseller

// ResellerRow is a reseller on the resellers page, with its customer count.
type ResellerRow struct {
	db.ListResellersPageRow
	Customers int64
}

// ResellersPage is one page of the resellers list.
type ResellersPage struct {
	Rows  []ResellerRow
	Total int // current resellers
}

// resellerCountsTTL is how long the resellers' customer counts are reused
// while no sync run starts: counting every reseller's customers for each
// page was most of its Postgres time, and the counts change with syncs
// (an order's new customer shows within the TTL, as on the dashboard).
const resellerCountsTTL = 10 * time.Second

// resellerCountsKept keeps each store's counts, by partner of record, with
// the newest sync run they were counted after.
var resellerCountsKept = kept[*Store, map[string]int64]{ttl: resellerCountsTTL}

// ResellersPage returns one page (1-based) of the current resellers by
// name, with how many there are, in one round trip, and their customer
// counts as kept for the newest sync run.
func (s *Store) ResellersPage(ctx context.Context, page, size int) (ResellersPage, error) {
	var out ResellersPage
	var total, run int64
	var rows []db.ListResellersPageRow
	err := s.readSnapshot(ctx, func(b *pgx.Batch) {
		s.Q.QueueCountResellers(b, &total)
		s.Q.QueueListResellersPage(b, db.ListResellersPageParams{Lim: int32(size), Off: int32((page - 1) * size)}, &rows)
		b.Queue(latestSyncRunSQL).QueryRow(func(r pgx.Row) error { return r.Scan(&run) })
	})
	if err != nil {
		return out, fmt.Errorf("list resellers: %w", mapErr(err))
	}
	counts, err := resellerCountsKept.get(ctx, s, run, s.resellerCustomerCounts)
	if err != nil {
		return out, err
	}
	out.Total = int(total)
	for _, r := range rows {
		out.Rows = append(out.Rows, ResellerRow{ListResellersPageRow: r, Customers: counts[r.TenantID.String()]})
	}
	return out, nil
}

func (s *Store) resellerCustomerCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.Q.ResellerCustomerCounts(ctx, s.Pool)
	if err != nil {
		return nil, fmt.Errorf("reseller customer counts: %w", mapErr(err))
	}
	m := make(map[string]int64, len(rows))
	for _, r := range rows {
		m[r.AssociatedPartnerID] = r.Customers
	}
	return m, nil
}

// CountResellers returns how many resellers Partner Center listed at the
// last sync (the settings page's hint for the partner mode).
func (s *Store) CountResellers(ctx context.Context) (int, error) {
	n, err := s.Q.CountResellers(ctx, s.Pool)
	if err != nil {
		return 0, fmt.Errorf("count resellers: %w", mapErr(err))
	}
	return int(n), nil
}

// Reseller returns a reseller by tenant id (ErrNotFound if unknown).
func (s *Store) Reseller(ctx context.Context, tenantID uuid.UUID) (Reseller, error) {
	r, err := s.Q.GetReseller(ctx, s.Pool, tenantID)
	if err != nil {
		return Reseller{}, fmt.Errorf("get reseller %s: %w", tenantID, mapErr(err))
	}
	return r, nil
}

// ResellerChoice is a reseller a new customer may be created for.
type ResellerChoice = db.ResellerChoicesRow

// ResellerChoices returns the current resellers by name when the partner is
// an indirect provider, none otherwise.
func (s *Store) ResellerChoices(ctx context.Context) ([]ResellerChoice, error) {
	rows, err := s.Q.ResellerChoices(ctx, s.Pool)
	if err != nil {
		return nil, fmt.Errorf("reseller choices: %w", mapErr(err))
	}
	return rows, nil
}

// ResellerCustomerRow is a customer on a reseller user's list.
type ResellerCustomerRow = db.ListResellerCustomersRow

// ResellerCustomersPage is one page of a reseller's customers.
type ResellerCustomersPage struct {
	Rows  []ResellerCustomerRow
	Total int
}

// ResellerCustomers returns one page (1-based) of reseller's customers by
// name, those whose name or domain contains q when q is not empty, and how
// many there are. The reseller is a parameter of every query: another
// reseller's customers never come back.
func (s *Store) ResellerCustomers(ctx context.Context, reseller uuid.UUID, q string, page, size int) (ResellerCustomersPage, error) {
	var out ResellerCustomersPage
	var err error
	if q = strings.TrimSpace(q); q != "" {
		args := db.SearchResellerCustomersParams{ResellerID: reseller.String(), Pattern: "%" + likeEscape(q) + "%",
			Lim: int32(size), Off: int32((page - 1) * size)}
		rows, err := s.Q.SearchResellerCustomers(ctx, s.Pool, args)
		if err == nil && len(rows) == 0 && page > 1 {
			// Past the last page: the first row of the first says how many.
			args.Lim, args.Off = 1, 0
			var first []db.SearchResellerCustomersRow
			if first, err = s.Q.SearchResellerCustomers(ctx, s.Pool, args); err == nil && len(first) > 0 {
				out.Total = int(first[0].Total)
			}
		}
		if err != nil {
			return out, fmt.Errorf("search reseller customers: %w", mapErr(err))
		}
		for _, r := range rows {
			out.Rows = append(out.Rows, ResellerCustomerRow(r))
		}
		if len(rows) > 0 {
			out.Total = int(rows[0].Total)
		}
		return out, nil
	}
	// The page carries the count (one round trip: this list is the
	// reseller users' busiest page); only a page past the end asks again.
	out.Rows, err = s.Q.ListResellerCustomers(ctx, s.Pool, db.ListResellerCustomersParams{ResellerID: reseller.String(),
		Lim: int32(size), Off: int32((page - 1) * size)})
	if err != nil {
		return out, fmt.Errorf("list reseller customers: %w", mapErr(err))
	}
	if len(out.Rows) > 0 {
		out.Total = int(out.Rows[0].Total)
		return out, nil
	}
	if page > 1 {
		n, err := s.Q.CountResellerCustomers(ctx, s.Pool, reseller.String())
		if err != nil {
			return out, fmt.Errorf("count reseller customers: %w", mapErr(err))
		}
		out.Total = int(n)
	}
	return out, nil
}

// ResellerCustomerDetail is a reseller's customer with its subscriptions,
// also with their term prices for the run rate (prices.Pricer.RunRateOf).
type ResellerCustomerDetail struct {
	Customer      Customer
	Subscriptions []CustomerSubscription
	Priced        []PricedSubscription
	Version       int64 // the customer's data version (CustomerDetail)
}

// ResellerCustomer reads one of reseller's customers and its subscriptions
// in one snapshot; ErrNotFound when the customer is not that reseller's.
func (s *Store) ResellerCustomer(ctx context.Context, reseller, id uuid.UUID) (ResellerCustomerDetail, error) {
	var d ResellerCustomerDetail
	keptVersion, kept := s.priced.get(id)
	err := s.readSnapshot(ctx, func(b *pgx.Batch) {
		s.Q.QueueGetResellerCustomer(b, db.GetResellerCustomerParams{ID: id, ResellerID: reseller.String()}, &d.Customer)
		s.Q.QueueCustomerDataVersion(b, id, &d.Version)
		s.Q.QueueCustomerPricedSubscriptions(b, db.CustomerPricedSubscriptionsParams{CustomerID: id, UnlessVersion: keptVersion}, &d.Priced)
	})
	if err != nil {
		return ResellerCustomerDetail{}, fmt.Errorf("reseller customer %s: %w", id, mapErr(err))
	}
	d.Priced = s.priced.keep(id, keptVersion, d.Version, kept, d.Priced, sortPriced).rows
	d.Subscriptions = d.Priced
	return d, nil
}

// LineWithoutRecord is an order line of a reseller's customer that does
// not name the reseller as partner of record.
type LineWithoutRecord = db.ResellerLinesWithoutRecordRow

// ResellerLinesWithoutRecord returns up to 100 order lines of r's
// customers whose partner of record is not r, newest first.
func (s *Store) ResellerLinesWithoutRecord(ctx context.Context, r Reseller) ([]LineWithoutRecord, error) {
	rows, err := s.Q.ResellerLinesWithoutRecord(ctx, s.Pool, db.ResellerLinesWithoutRecordParams{TenantID: r.TenantID.String(), MpnID: r.MpnID})
	if err != nil {
		return nil, fmt.Errorf("order lines of reseller %s without it as partner of record: %w", r.TenantID, mapErr(err))
	}
	return rows, nil
}
