package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// Identical customer searches queued for a connection share one query,
// and that query sees what was committed after all of them arrived; a
// different search does not share it, and a request that gives up waiting
// does not disturb the others.
func TestCustomerSearchSharesQueuedQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := store.New(pool)

	held, err := pool.Acquire(ctx) // the only connection: searches queue
	if err != nil {
		t.Fatal(err)
	}
	var release sync.Once
	t.Cleanup(func() { release.Do(held.Release) })
	insert := func(name string) {
		t.Helper()
		if _, err := held.Exec(ctx, `INSERT INTO customers (id, company_name, domain) VALUES (gen_random_uuid(), $1, lower($1) || '.example')`, name); err != nil {
			t.Fatal(err)
		}
	}
	insert("Alpha")

	f := store.CustomerFilter{Limit: 50, NoTotal: true}
	other := store.CustomerFilter{Limit: 50, Query: "alpha"}
	const n = 5
	var (
		wg       sync.WaitGroup
		pages    [n]store.CustomerPage
		errs     [n]error
		otherRes store.CustomerPage
		otherErr error
		gaveUp   error
	)
	waitSharers := func(f store.CustomerFilter, want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for store.CustomerSearchSharers(s, f) < want {
			if time.Now().After(deadline) {
				t.Fatalf("searches not queued together: %d sharers, want %d", store.CustomerSearchSharers(s, f), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i := range n {
		wg.Go(func() { pages[i], errs[i] = s.CustomerSearch(ctx, withNow(f)) })
	}
	waitSharers(f, n-1)
	wg.Go(func() { otherRes, otherErr = s.CustomerSearch(ctx, other) })
	impatient, cancel := context.WithCancel(ctx)
	gone := make(chan struct{})
	go func() { _, gaveUp = s.CustomerSearch(impatient, withNow(f)); close(gone) }()
	waitSharers(f, n)
	if got := store.CustomerSearchSharers(s, other); got != 0 {
		t.Fatalf("a different search shares: %d", got)
	}
	cancel()
	<-gone
	// Committed after every search arrived, before any runs.
	insert("Bravo")
	release.Do(held.Release)
	wg.Wait()

	if !errors.Is(gaveUp, context.Canceled) {
		t.Errorf("cancelled search: %v", gaveUp)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("search %d: %v", i, errs[i])
		}
		if len(pages[i].Rows) != 2 || pages[i].Rows[1].CompanyName != "Bravo" {
			t.Fatalf("search %d: %+v, want Alpha and Bravo", i, pages[i].Rows)
		}
		if &pages[i].Rows[0] != &pages[0].Rows[0] {
			t.Errorf("search %d ran its own query", i)
		}
	}
	if otherErr != nil || len(otherRes.Rows) != 1 || otherRes.Total != 1 {
		t.Errorf("other search: %+v, %v", otherRes, otherErr)
	}
}

func withNow(f store.CustomerFilter) store.CustomerFilter {
	f.Now = time.Now()
	return f
}

// A customer's page reads in one batch and one snapshot: every part comes
// back, a missing customer (or another reseller's) is ErrNotFound, and the
// pool's connections stay usable after such a failure.
func TestCustomerDetailInOneBatch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	id, reseller := uuid.New(), uuid.New()
	exec(`INSERT INTO customers (id, company_name, domain, associated_partner_id) VALUES ($1, 'Contoso', 'contoso.example', $2)`, id, reseller.String())
	exec(`INSERT INTO subscriptions (id, customer_id, offer_name, quantity, unit_type, auto_renew_enabled, commitment_end_date)
		VALUES ('s1', $1, 'Teams', 3, 'Licenses', true, now()), ('s2', $1, 'Azure', 1, '', false, NULL)`, id)
	exec(`INSERT INTO orders (id, customer_id, status) VALUES ('o1', $1, 'completed')`, id)
	exec(`INSERT INTO audit_log (actor, action, outcome, customer_id) VALUES ('kim', 'order.create', 'ok', $1)`, id)

	d, err := s.CustomerDetail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Customer.CompanyName != "Contoso" || len(d.Subscriptions) != 2 || d.Subscriptions[0].OfferName != "Azure" ||
		len(d.Orders) != 1 || len(d.Audit) != 1 || d.Audit[0].Action != "order.create" || len(d.Agreements) != 0 {
		t.Fatalf("detail: %+v", d)
	}
	if len(d.Priced) != 2 || d.Priced[0].ID != "s2" || d.Priced[1].Quantity != 3 {
		t.Fatalf("priced subscriptions with the detail: %+v", d.Priced)
	}
	// The customer view reads its two lists together, no other customer's.
	exec(`INSERT INTO customers (id, company_name) VALUES ($1, 'Other')`, reseller)
	exec(`INSERT INTO subscriptions (id, customer_id, offer_name, quantity) VALUES ('s3', $1, 'Visio', 1)`, reseller)
	exec(`INSERT INTO subscription_lifecycle (subscription_id, customer_id, currency, current_unit_price, next_unit_price, next_quantity)
		VALUES ('s1', $1, 'EUR', 4.5, 5, 4)`, id)
	ep, err := s.CustomerEntitlementsPriced(ctx, id)
	ents, priced := ep.Rows, ep.Priced
	if err != nil || len(ents) != 2 || len(priced) != 2 || ents[0].ID != "s2" || priced[1].ID != "s1" {
		t.Fatalf("entitlements priced: %+v, %+v, %v", ents, priced, err)
	}
	want, err := s.CustomerPricedSubscriptions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, priced); diff != "" || !priced[1].CurrentUnitPrice.Valid {
		t.Fatalf("priced with the entitlements differ from CustomerPricedSubscriptions (-want +got):\n%s", diff)
	}
	r, err := s.ResellerCustomer(ctx, reseller, id)
	if err != nil || len(r.Subscriptions) != 2 {
		t.Fatalf("reseller's customer: %+v, %v", r, err)
	}
	// The pages' lists, made from the priced rows, hold what the table does,
	// by offer name.
	type listRow struct {
		ID, ParentSubscriptionID, OfferID, OfferName, FriendlyName, Status string
		Quantity                                                           int32
		UnitType, TermDuration, BillingCycle                               string
		AutoRenewEnabled                                                   bool
		CommitmentEndDate                                                  *time.Time
	}
	var listed []listRow
	rows, err := s.Pool.Query(ctx, `SELECT id, parent_subscription_id, offer_id, offer_name, friendly_name, status, quantity,
		unit_type, term_duration, billing_cycle, auto_renew_enabled, commitment_end_date
		FROM subscriptions WHERE customer_id = $1 AND gone_at IS NULL ORDER BY lower(offer_name), id`, id)
	if err == nil {
		listed, err = pgx.CollectRows(rows, pgx.RowToStructByPos[listRow])
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range [][]store.CustomerSubscription{d.Subscriptions, r.Subscriptions} {
		var got []listRow
		for _, x := range page {
			got = append(got, listRow{x.ID, x.ParentSubscriptionID, x.OfferID, x.OfferName, x.FriendlyName, x.Status, x.Quantity,
				x.UnitType, x.TermDuration, x.BillingCycle, x.AutoRenewEnabled, x.CommitmentEndDate})
		}
		if diff := cmp.Diff(listed, got); diff != "" {
			t.Fatalf("subscriptions from the priced rows (-table +page):\n%s", diff)
		}
	}
	if len(r.Priced) != 2 {
		t.Fatalf("the reseller's customer's priced rows: %+v", r.Priced)
	}
	for range 8 { // more failures than the pool has connections
		if _, err := s.CustomerDetail(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing customer: err = %v, want ErrNotFound", err)
		}
		if _, err := s.ResellerCustomer(ctx, uuid.New(), id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another reseller's customer: err = %v, want ErrNotFound", err)
		}
	}
	if d, err := s.CustomerDetail(ctx, id); err != nil || d.Customer.ID != id {
		t.Fatalf("after the failures: %v", err)
	}
}

// The counts mark where each page of the unfiltered list ends, in the
// list's order, leaving out customers that are gone.
func TestCustomerCountsMarkPageEnds(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	for i := range 11 {
		// Names out of id order and of mixed case, and one gone.
		exec(`INSERT INTO customers (id, company_name, gone_at) VALUES ($1, $2, $3)`, uuid.New(),
			[]string{"delta", "Alpha", "charlie", "Bravo", "echo"}[i%5]+fmt.Sprint(i/5), map[bool]any{true: time.Now(), false: nil}[i == 4])
	}
	var want []uuid.UUID
	rows, err := s.Pool.Query(ctx, `SELECT id FROM customers WHERE gone_at IS NULL ORDER BY lower(company_name), id`)
	if err == nil {
		want, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	}
	if err != nil || len(want) != 10 {
		t.Fatalf("%d customers, %v", len(want), err)
	}
	c, err := s.CustomerCounts(ctx, time.Now(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uuid.UUID{want[2], want[5], want[8]}, c.PageEnds); diff != "" || c.All != 10 {
		t.Fatalf("page ends of pages of 3 (-want +got), all %d:\n%s", c.All, diff)
	}
	if _, err := s.CustomerCounts(ctx, time.Now(), 0); err == nil {
		t.Fatal("pages of 0 customers: no error")
	}
}
