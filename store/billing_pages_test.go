package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// TestBillingInvoiceCustomersPages walks an invoice's customers page by
// page through the pager's keys, forwards and back, and checks each is
// seen once in the list's order (most charged first, ties by PC's id
// descending), as the offset pages and a search see them.
func TestBillingInvoiceCustomersPages(t *testing.T) {
	t.Parallel()
	s := testdb.NewStore(t)
	ctx := t.Context()
	exec := sqlExec(t, s)
	exec(`INSERT INTO billing_invoices (id, period_start, period_end, currency) VALUES ('G1', '2026-11-01', '2026-11-30', 'USD')`)
	var want []string
	for i := range 23 {
		pc := fmt.Sprintf("pc-%02d", i)
		// Costs repeat (0..4 times 10), so ties are ordered by id.
		exec(`INSERT INTO billing_invoice_customers (invoice_id, pc_customer_id, customer_name, lines, cost, sale)
			VALUES ('G1', $1, $2, 1, $3, $3)`, pc, "Customer "+pc, (i%5)*10)
		want = append(want, pc)
	}
	slices.SortFunc(want, func(a, b string) int {
		var ia, ib int
		fmt.Sscanf(a, "pc-%d", &ia)
		fmt.Sscanf(b, "pc-%d", &ib)
		if ia%5 != ib%5 {
			return ib%5 - ia%5
		}
		return ib - ia
	})
	ids := func(rows []store.BillingCustomerRow) (out []string) {
		for _, r := range rows {
			out = append(out, r.PCCustomerID)
		}
		return out
	}
	page := func(f store.BillingCustomerFilter) []string {
		t.Helper()
		f.Limit = 5
		rows, _, err := s.BillingInvoiceCustomers(ctx, "G1", f)
		if err != nil {
			t.Fatal(err)
		}
		return ids(rows)
	}

	var forward []string
	for p := page(store.BillingCustomerFilter{}); len(p) > 0; p = page(store.BillingCustomerFilter{After: p[len(p)-1]}) {
		forward = append(forward, p...)
	}
	if !slices.Equal(forward, want) {
		t.Fatalf("forward by keys:\n got %v\nwant %v", forward, want)
	}
	var back []string
	for p := page(store.BillingCustomerFilter{Before: "pc-00"}); len(p) > 0; p = page(store.BillingCustomerFilter{Before: p[0]}) {
		back = append(p, back...)
	}
	if !slices.Equal(back, want[:len(want)-1]) { // all before the last row, pc-00
		t.Fatalf("back by keys:\n got %v\nwant %v", back, want[:len(want)-1])
	}
	if got := page(store.BillingCustomerFilter{Offset: 10}); !slices.Equal(got, want[10:15]) {
		t.Errorf("offset 10: %v, want %v", got, want[10:15])
	}
	rows, total, err := s.BillingInvoiceCustomers(ctx, "G1", store.BillingCustomerFilter{Q: "pc-1", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var match []string
	for _, id := range want {
		if id >= "pc-10" && id <= "pc-19" {
			match = append(match, id)
		}
	}
	if total != 10 || !slices.Equal(ids(rows), match[:5]) {
		t.Errorf("search pc-1: %v of %d, want %v of 10", ids(rows), total, match[:5])
	}
	if got := page(store.BillingCustomerFilter{After: "gone"}); len(got) != 0 {
		t.Errorf("after a customer not on the invoice: %v", got)
	}
}
