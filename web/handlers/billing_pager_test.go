package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
)

// billingStaff is a set-up portal with a signed-in staff client, for
// tests that write billing rows themselves.
func billingStaff(t *testing.T) (*env, *http.Client) {
	t.Helper()
	e := newEnv(t)
	e.completeSetup()
	e.createUser(store.RoleStaff, "staff@example.com")
	c := e.client()
	e.login(c, "staff@example.com")
	return e, c
}

// TestInvoicePagerFollowsKeys follows an invoice page's Next and Previous
// links: they name the customer the page starts after or ends before, and
// together the pages show every customer once, most charged first.
func TestInvoicePagerFollowsKeys(t *testing.T) {
	t.Parallel()
	e, c := billingStaff(t)
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

// TestFindingsPages checks the reconciliation page shows the first
// findings of each check with a link to all of them, and that a check's
// own pages show every finding once.
func TestFindingsPages(t *testing.T) {
	t.Parallel()
	e, c := billingStaff(t)
	ctx := t.Context()
	if _, err := e.st.Pool.Exec(ctx, `INSERT INTO billing_invoices (id, period_start, period_end, currency) VALUES ('G8', '2026-11-01', '2026-11-30', 'USD')`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, `INSERT INTO billing_findings (invoice_id, check_name, customer_name, subscription_id, amount, reason)
		SELECT 'G8', 'seats', 'Customer ' || lpad(i::text, 3, '0'), 'sub-' || i, 1, 'Billed ' || i || ' seats, holds 1'
		FROM generate_series(1, 130) i
		UNION ALL SELECT 'G8', 'price', 'Priced', 'sub-p' || i, 2, 'Price differs' FROM generate_series(1, 3) i`); err != nil {
		t.Fatal(err)
	}
	section := func(body, check string) string {
		i := strings.Index(body, `data-testid="findings-`+check+`"`)
		if i < 0 {
			return ""
		}
		rest := body[i:]
		if j := strings.Index(rest, "</section>"); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	reasons := regexp.MustCompile(`data-testid="finding-reason">Billed (\d+) seats`)
	seen := func(s string) (out []string) {
		for _, m := range reasons.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		return out
	}
	link := func(s, attr string) string {
		m := regexp.MustCompile(`href="([^"]+)" ` + attr).FindStringSubmatch(s)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	p := e.get(c, "/billing/invoices/G8/reconciliation")
	seats, price := section(p.body, "seats"), section(p.body, "price")
	if n := len(seen(seats)); n != 20 || !strings.Contains(seats, "(130)") || !strings.Contains(seats, "1–20 of 130") {
		t.Fatalf("overview: %d seat findings shown; section:\n%s", n, seats)
	}
	all := link(seats, `data-testid="findings-all"`)
	if all != "/billing/invoices/G8/reconciliation?check=seats&page=1" {
		t.Fatalf("link to all seat findings: %q", all)
	}
	if strings.Count(price, `data-testid="finding"`) != 3 || strings.Contains(price, "findings-all") {
		t.Errorf("price findings: all three, no link expected:\n%s", price)
	}
	var got []string
	for path := all; path != ""; {
		p := e.get(c, path)
		if p.StatusCode != http.StatusOK || section(p.body, "price") != "" || !strings.Contains(p.body, `data-testid="findings-back"`) {
			t.Fatalf("%s: %d, or another check shown, or no way back", path, p.StatusCode)
		}
		s := section(p.body, "seats")
		got = append(got, seen(s)...)
		path = link(s, `rel="next"`)
	}
	var want []string
	for i := 1; i <= 130; i++ {
		want = append(want, strconv.Itoa(i))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("seat findings over the pages: %v", got)
	}
	// A page past the last (the findings changed) goes to the first.
	if p := e.get(c, "/billing/invoices/G8/reconciliation?check=seats&page=9"); p.StatusCode != http.StatusSeeOther ||
		p.location() != "/billing/invoices/G8/reconciliation?check=seats" {
		t.Errorf("past the last page: %d to %q", p.StatusCode, p.location())
	}
}

// TestBillingGroupsPages checks a customer's lines of an invoice come 100
// a page, on the staff's invoice page of the customer and on the
// customer's own charges, and that the pages together show every one.
func TestBillingGroupsPages(t *testing.T) {
	t.Parallel()
	e, staff := billingStaff(t)
	cu := e.createUser(store.RoleCustomer, "buyer@example.com")
	pc := strings.ToLower(cu.CustomerID.String())
	ctx := t.Context()
	for _, q := range []string{
		`INSERT INTO billing_invoices (id, period_start, period_end, currency, customers) VALUES ('G9', '2026-11-01', '2026-11-30', 'USD', 1)`,
		`INSERT INTO billing_invoice_customers (invoice_id, pc_customer_id, customer_id, customer_name, lines, cost, sale, groups)
			VALUES ('G9', $1, $2, 'Buyer', 130, 130, 150, 130)`,
		`INSERT INTO billing_invoice_groups (invoice_id, pc_customer_id, customer_id, subscription_id, product_name, charge_type, kind,
			lines, quantity, cost, sale)
			SELECT 'G9', $1, $2, 'sub-' || lpad(i::text, 3, '0'), 'Product', 'cycleCharge', 'license', 1, i, 1, 1.15
			FROM generate_series(1, 130) i`,
	} {
		args := []any{pc, *cu.CustomerID}
		if !strings.Contains(q, "$1") {
			args = nil
		}
		if _, err := e.st.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`)
	walk := func(c *http.Client, path, rowID string) (rows, pages int) {
		t.Helper()
		for path != "" {
			p := e.get(c, path)
			if p.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, p.StatusCode)
			}
			n := strings.Count(p.body, `data-testid="`+rowID+`"`)
			if n > 100 {
				t.Fatalf("%s: %d rows on one page", path, n)
			}
			rows, pages, path = rows+n, pages+1, ""
			if m := next.FindStringSubmatch(p.body); m != nil {
				path = html.UnescapeString(m[1])
			}
		}
		return rows, pages
	}
	if rows, pages := walk(staff, "/billing/invoices/G9/customers/"+pc, "invoice-group"); rows != 130 || pages != 2 {
		t.Errorf("staff: %d lines over %d pages, want 130 over 2", rows, pages)
	}
	// Past the last page (the lines changed since the link): the first.
	if p := e.get(staff, "/billing/invoices/G9/customers/"+pc+"?page=9"); p.StatusCode != http.StatusSeeOther ||
		p.location() != "/billing/invoices/G9/customers/"+pc {
		t.Errorf("staff past the last page: %d to %q", p.StatusCode, p.location())
	}
	buyer := e.client()
	e.login(buyer, "buyer@example.com")
	if rows, pages := walk(buyer, "/my/charges?invoice=G9", "charges-group"); rows != 130 || pages != 2 {
		t.Errorf("customer: %d charges over %d pages, want 130 over 2", rows, pages)
	}
	if p := e.get(buyer, "/my/charges?invoice=G9&page=9"); p.StatusCode != http.StatusSeeOther || p.location() != "/my/charges?invoice=G9" {
		t.Errorf("customer past the last page: %d to %q", p.StatusCode, p.location())
	}
}
