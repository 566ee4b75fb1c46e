package store_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// bigCustomer inserts a customer with n subscriptions ("s001"...) of
// quantity 1 and a priced lifecycle row each.
func bigCustomer(t *testing.T, s *store.Store, n int) uuid.UUID {
	t.Helper()
	exec := sqlExec(t, s)
	id := uuid.New()
	exec(`INSERT INTO customers (id, company_name) VALUES ($1, 'Big')`, id)
	exec(`INSERT INTO subscriptions (id, customer_id, offer_name, quantity, status)
		SELECT $2 || lpad(g::text, 3, '0'), $1, 'Offer ' || g, 1, 'active' FROM generate_series(1, $3::int) g`, id, id.String()[:8], n)
	exec(`INSERT INTO subscription_lifecycle (subscription_id, customer_id, currency, current_unit_price)
		SELECT id, customer_id, 'EUR', 2 FROM subscriptions WHERE customer_id = $1`, id)
	return id
}

func quantities(rows []store.PricedSubscription) (sum int) {
	for _, r := range rows {
		sum += int(r.Quantity)
	}
	return sum
}

// A big customer's subscriptions are read again when, and only when, a
// write to what its pages read moves its data version: a change made
// behind the triggers' back shows only once another write moves it.
func TestBigCustomerRowsAreKeptUntilTheirVersionMoves(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	big, small := bigCustomer(t, s, 120), bigCustomer(t, s, 10)

	detail := func(id uuid.UUID) store.CustomerDetail {
		t.Helper()
		d, err := s.CustomerDetail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := detail(big)
	if len(d.Priced) != 120 || quantities(d.Priced) != 120 || d.Version == 0 {
		t.Fatalf("first read: %d rows, %d seats, version %d", len(d.Priced), quantities(d.Priced), d.Version)
	}
	v1 := d.Version
	first := d.Priced[0].ID
	silently := func(q string, args ...any) { execSilently(t, s, q, args...) }
	silently(`UPDATE subscriptions SET quantity = 5 WHERE customer_id = $1 AND id = $2`, big, first)
	if d := detail(big); d.Version != v1 || quantities(d.Priced) != 120 {
		t.Fatalf("unnotified change: version %d (was %d), %d seats: the kept rows were not used", d.Version, v1, quantities(d.Priced))
	}
	// A small customer is read every time.
	silently(`UPDATE subscriptions SET quantity = 5 WHERE customer_id = $1`, small)
	detail(small)
	if d := detail(small); quantities(d.Priced) != 50 {
		t.Fatalf("small customer: %d seats, want 50", quantities(d.Priced))
	}

	// Each table the pages read moves the version, by insert, update and
	// delete; the rows read then hold every change.
	for _, w := range []struct {
		name, sql   string
		rows, seats int
	}{
		{"lifecycle update", `UPDATE subscription_lifecycle SET current_unit_price = 3 WHERE customer_id = $1 AND subscription_id = $2`, 120, 124},
		{"subscription insert", `INSERT INTO subscriptions (id, customer_id, offer_name, quantity) VALUES ($2 || '-new', $1, 'New', 2)`, 121, 126},
		{"subscription delete", `DELETE FROM subscriptions WHERE customer_id = $1 AND id = $2 || '-new'`, 120, 124},
		{"order insert", `INSERT INTO orders (id, customer_id, status) VALUES ($2, $1, 'pending')`, 120, 124},
		{"order update", `UPDATE orders SET status = 'completed' WHERE customer_id = $1 AND id = $2`, 120, 124},
		{"licence usage insert", `INSERT INTO subscribed_skus (customer_id, sku_id, sku_name) VALUES ($1, $2, 'Offer 1')`, 120, 124},
		{"licence usage delete", `DELETE FROM subscribed_skus WHERE customer_id = $1 AND sku_id = $2`, 120, 124},
		{"lifecycle delete", `DELETE FROM subscription_lifecycle WHERE customer_id = $1 AND subscription_id = $2`, 120, 124},
	} {
		before := detail(big).Version
		exec(w.sql, big, first)
		d := detail(big)
		if d.Version <= before || len(d.Priced) != w.rows {
			t.Fatalf("%s: version %d (was %d), %d rows (want %d)", w.name, d.Version, before, len(d.Priced), w.rows)
		}
		if quantities(d.Priced) != w.seats {
			t.Fatalf("%s: %d seats, want %d: the rows were not read again", w.name, quantities(d.Priced), w.seats)
		}
	}
	// The customer view's list is kept and read again the same way.
	e, err := s.CustomerEntitlementsPriced(ctx, big)
	if err != nil || len(e.Rows) != 120 || e.Version != detail(big).Version {
		t.Fatalf("entitlements: %d rows at version %d, %v", len(e.Rows), e.Version, err)
	}
	silently(`UPDATE subscriptions SET quantity = 1 WHERE customer_id = $1 AND id = $2`, big, first)
	if e, _ := s.CustomerEntitlementsPriced(ctx, big); quantities(e.Priced) != 124 {
		t.Fatalf("entitlements after an unnotified change: %d seats, want the kept 124", quantities(e.Priced))
	}
	exec(`UPDATE orders SET status = 'failed' WHERE customer_id = $1`, big)
	if e, _ := s.CustomerEntitlementsPriced(ctx, big); quantities(e.Priced) != 120 {
		t.Fatalf("entitlements after an order's change: %d seats, want 120", quantities(e.Priced))
	}
}

// The versions move at commit, once per customer and transaction, for
// every customer the transaction wrote to; a TRUNCATE moves every
// customer's.
func TestDataVersionsMoveAtCommit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	a, b := uuid.New(), uuid.New()
	version := func(id uuid.UUID) int64 {
		t.Helper()
		v, err := s.Q.CustomerDataVersion(ctx, s.Pool, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if version(a) != 0 {
		t.Fatalf("a customer never written to: version %d, want 0", version(a))
	}
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for i := range 3 {
		if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (id, customer_id) VALUES ($1, $2)`, fmt.Sprint("a", i), a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO orders (id, customer_id) VALUES ('o', $1)`, b); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM customer_data_versions`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("versions before commit: %d, %v (they move at commit)", rows, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	va, vb := version(a), version(b)
	if va == 0 || vb == 0 || va == vb {
		t.Fatalf("after commit: a %d, b %d", va, vb)
	}
	// Once per customer: the table, empty before, holds two row versions
	// (a customer's bump per row would have updated a's three times).
	var last int
	if err := s.Pool.QueryRow(ctx, `SELECT max((ctid::text::point)[1])::int FROM customer_data_versions`).Scan(&last); err != nil || last != 2 {
		t.Fatalf("row versions written: %d, %v; want 2", last, err)
	}
	if _, err := s.Pool.Exec(ctx, `TRUNCATE subscribed_skus`); err != nil {
		t.Fatal(err)
	}
	if version(a) <= va || version(b) <= vb {
		t.Fatalf("after a TRUNCATE: a %d (was %d), b %d (was %d)", version(a), va, version(b), vb)
	}
}
