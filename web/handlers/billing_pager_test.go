package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
)

// TestInvoicePagerFollowsKeys follows an invoice page's Next and Previous
// links: they name the customer the page starts after or ends before, and
// together the pages show every customer once, most charged first.
func TestInvoicePagerFollowsKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	e.createUser(store.RoleStaff, "staff@example.com")
	c := e.client()
	e.login(c, "staff@example.com")
	ctx := t.Context()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := e.st.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO billing_invoices (id, period_start, period_end, currency, customers) VALUES ('G7', '2026-11-01', '2026-11-30', 'USD', 112)`)
	var want []string
	for i := 111; i >= 0; i-- {
		name := fmt.Sprintf("Customer %03d", i)
		exec(`INSERT INTO billing_invoice_customers (invoice_id, pc_customer_id, customer_name, lines, cost, sale)
			VALUES ('G7', $1, $2, 1, $3, $3)`, fmt.Sprintf("pc-%03d", i), name, 100+i)
		want = append(want, name)
	}
	rowRe := regexp.MustCompile(`data-testid="invoice-customer" data-customer="([^"]+)"`)
	linkRe := func(rel string) *regexp.Regexp {
		return regexp.MustCompile(`href="([^"]+)" rel="` + rel + `"`)
	}
	open := func(path string) (names []string, prev, next string) {
		t.Helper()
		p := e.get(c, path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, p.StatusCode)
		}
		for _, m := range rowRe.FindAllStringSubmatch(p.body, -1) {
			names = append(names, m[1])
		}
		if m := linkRe("prev").FindStringSubmatch(p.body); m != nil {
			prev = html.UnescapeString(m[1])
		}
		if m := linkRe("next").FindStringSubmatch(p.body); m != nil {
			next = html.UnescapeString(m[1])
		}
		if !strings.Contains(p.body, "112") {
			t.Errorf("%s: the total of 112 customers is not shown", path)
		}
		return names, prev, next
	}
	first, prev, next := open("/billing/invoices/G7")
	if !slices.Equal(first, want[:50]) || prev != "" || next != "/billing/invoices/G7?after=pc-062&page=2" {
		t.Fatalf("first page: %d rows from %v, prev %q, next %q", len(first), first[:1], prev, next)
	}
	second, _, next := open(next)
	if !slices.Equal(second, want[50:100]) || next != "/billing/invoices/G7?after=pc-012&page=3" {
		t.Fatalf("second page: %d rows from %v, next %q", len(second), second[:1], next)
	}
	third, prev, next := open(next)
	if !slices.Equal(third, want[100:]) || next != "" || prev != "/billing/invoices/G7?before=pc-011&page=2" {
		t.Fatalf("third page: %v, prev %q, next %q", third, prev, next)
	}
	back, prev, _ := open(prev)
	if !slices.Equal(back, second) || prev != "/billing/invoices/G7?page=1" {
		t.Fatalf("back to the second page: %d rows from %v, prev %q", len(back), back[:1], prev)
	}
	// A link naming a customer no longer on the invoice starts again.
	if restart, _, _ := open("/billing/invoices/G7?after=gone&page=2"); !slices.Equal(restart, first) {
		t.Errorf("after a customer that is gone: %d rows", len(restart))
	}
}
