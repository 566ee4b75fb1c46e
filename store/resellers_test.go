package store_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// threeResellers seeds the resellers A, B and Empty.
func threeResellers(t *testing.T) (s *store.Store, exec func(string, ...any), a, b, empty uuid.UUID) {
	t.Helper()
	s = testdb.NewStore(t)
	a, b, empty = uuid.New(), uuid.New(), uuid.New()
	exec = sqlExec(t, s)
	exec(`INSERT INTO resellers (tenant_id, name, mpn_id) VALUES ($1, 'A', '1'), ($2, 'B', '2'), ($3, 'Empty', '3')`, a, b, empty)
	return s, exec, a, b, empty
}

// customerAdder adds a customer of partner (a reseller's id, "" for the
// provider's own), gone or not.
func customerAdder(t *testing.T, exec func(string, ...any)) func(name, partner string, gone bool) {
	return func(name, partner string, gone bool) {
		t.Helper()
		exec(`INSERT INTO customers (id, company_name, domain, associated_partner_id, gone_at)
			VALUES (gen_random_uuid(), $1, lower($1) || '.example', $2, CASE WHEN $3::bool THEN now() END)`, name, partner, gone)
	}
}

// A reseller's customer list pages by name with the reseller's count on
// every page, past the end too; other resellers', the provider's own and
// gone customers are not in it.
func TestResellerCustomersPagesAndCounts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, exec, a, b, empty := threeResellers(t)
	add := customerAdder(t, exec)
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("alpha %d", 5-i) // inserted out of name order
		add(name, a.String(), false)
		want = append([]string{name}, want...)
	}
	add("alpha gone", a.String(), true)
	add("bravo", b.String(), false)
	add("own", "", false)

	names := func(reseller uuid.UUID, q string, page, size int) ([]string, int) {
		t.Helper()
		res, err := s.ResellerCustomers(ctx, reseller, q, page, size)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range res.Rows {
			out = append(out, r.CompanyName)
		}
		return out, res.Total
	}
	for _, c := range []struct {
		reseller   uuid.UUID
		q          string
		page, size int
		want       []string
		total      int
	}{
		{a, "", 1, 2, want[:2], 5},
		{a, "", 2, 2, want[2:4], 5},
		{a, "", 3, 2, want[4:], 5},
		{a, "", 4, 2, nil, 5}, // past the end: still the count
		{b, "", 1, 50, []string{"bravo"}, 1},
		{empty, "", 1, 50, nil, 0},
		{empty, "", 2, 50, nil, 0},
		// Searches: name or domain, any case, only the reseller's own.
		{a, "ALPHA 3", 1, 50, []string{"alpha 3"}, 1},
		{a, "a 4.example", 1, 50, []string{"alpha 4"}, 1},
		{a, "alpha", 2, 2, want[2:4], 5},
		{a, "alpha", 9, 2, nil, 5}, // past the end of a search: its count
		{a, "bravo", 1, 50, nil, 0},
		{a, "gone", 1, 50, nil, 0},
		{a, "%", 1, 50, nil, 0}, // a wildcard is a character
	} {
		got, total := names(c.reseller, c.q, c.page, c.size)
		if diff := cmp.Diff(c.want, got); diff != "" || total != c.total {
			t.Errorf("reseller %s %q page %d of %d: total %d, want %d; rows (-want +got):\n%s", c.reseller, c.q, c.page, c.size, total, c.total, diff)
		}
	}
}

// The resellers page counts each reseller's current customers, counted
// again once a sync run starts.
func TestResellersPageCounts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, exec, a, b, _ := threeResellers(t)
	add := customerAdder(t, exec)
	add("a1", a.String(), false)
	add("a2", a.String(), false)
	add("a3", a.String(), true)
	add("b1", b.String(), false)
	add("own", "", false)
	counts := func() map[string]int64 {
		t.Helper()
		p, err := s.ResellersPage(ctx, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 3 || len(p.Rows) != 2 {
			t.Fatalf("total %d, %d rows", p.Total, len(p.Rows))
		}
		m := map[string]int64{}
		for _, r := range p.Rows {
			m[r.Name] = r.Customers
		}
		return m
	}
	if got, want := counts(), map[string]int64{"A": 2, "B": 1}; !cmp.Equal(got, want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	add("b2", b.String(), false)
	exec(`INSERT INTO sync_runs (kind, status) VALUES ('incremental', 'running')`)
	if got, want := counts(), map[string]int64{"A": 2, "B": 2}; !cmp.Equal(got, want) {
		t.Fatalf("after a sync run: %v, want %v", got, want)
	}
	if p, err := s.ResellersPage(ctx, 2, 2); err != nil || len(p.Rows) != 1 || p.Rows[0].Name != "Empty" || p.Rows[0].Customers != 0 {
		t.Fatalf("second page: %+v, %v", p, err)
	}
}
