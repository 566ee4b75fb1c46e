package handlers_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/web/templates"
)

// markup sells at cost + 25%, so cost and sale never coincide.
type markup struct{}

func (markup) Sale(_ context.Context, _ uuid.UUID, l billing.LineItem) (decimal.Decimal, error) {
	return l.Cost.Mul(decimal.RequireFromString("1.25")).Round(2), nil
}

// billedPortal is a portal whose sandbox billed one customer a month
// (a purchase and a seat increase), imported with a 25% markup.
func billedPortal(t *testing.T) (pe *pcEnv, customer uuid.UUID, invoice string) {
	t.Helper()
	pe = startPCEnv(t, sandbox.Options{NoSeed: true}, true)
	pe.sb.SetBillingConfig(sandbox.BillingConfig{})
	customer = billMonth(t, pe, 10, 14)
	ctx := t.Context()
	st := sandboxtest.NewStack(t, pe.st, sandboxtest.StackOptions{Box: pe.box, Sale: markup{},
		Mirror: mirror.Options{PCNow: pe.sb.Now}})
	if err := st.Billing.Sync(ctx, billing.SyncArgs{Invoices: true}); err != nil {
		t.Fatal(err)
	}
	rows, err := pe.st.Pool.Query(ctx, `SELECT id FROM billing_imports`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := st.Billing.RunImport(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	invs := pe.sb.BillingInvoices()
	if len(invs) != 1 {
		t.Fatalf("invoices %+v", invs)
	}
	return pe, customer, invs[0].ID
}

// TestBillingMonthTotals: a month's total row adds every invoice of that
// month and currency, as the database adds them.
func TestBillingMonthTotals(t *testing.T) {
	t.Parallel()
	pe, _, invoice := billedPortal(t)
	ctx := t.Context()
	// A second invoice of the same month and currency, twice the first.
	if _, err := pe.st.Pool.Exec(ctx, `INSERT INTO billing_invoices
		SELECT (jsonb_populate_record(NULL::billing_invoices, to_jsonb(b) || jsonb_build_object('id', b.id || '-2',
			'cost', b.cost * 2, 'sale', b.sale * 2, 'total', b.total * 2))).*
		FROM billing_invoices b WHERE id = $1`, invoice); err != nil {
		t.Fatal(err)
	}
	var cost, sale decimal.Decimal
	var cur string
	if err := pe.st.Pool.QueryRow(ctx, `SELECT sum(cost), sum(sale), min(currency) FROM billing_invoices
		WHERE date_trunc('month', period_start) = (SELECT date_trunc('month', period_start) FROM billing_invoices WHERE id = $1)`,
		invoice).Scan(&cost, &sale, &cur); err != nil {
		t.Fatal(err)
	}
	c := pe.client()
	pe.login(c, "staff@example.com")
	p := pe.get(c, "/billing")
	_, row, _ := strings.Cut(p.body, `data-testid="billing-month-total"`)
	row, _, _ = strings.Cut(row, "</tr>")
	for _, want := range []string{templates.Money(cost, cur), templates.Money(sale, cur), templates.Money(sale.Sub(cost), cur)} {
		if !strings.Contains(row, html.EscapeString(want)) {
			t.Errorf("month total row lacks %s:\n%s", want, row)
		}
	}
	if strings.Count(p.body, `data-testid="billing-month-total"`) != 1 || !strings.Contains(p.body, invoice+"-2") {
		t.Errorf("the two invoices are not one month:\n%s", p.body)
	}
}

// costs are every line's cost as the pages and exports would print it.
func costs(t *testing.T, pe *pcEnv, invoice string) (html, plain []string) {
	t.Helper()
	rows, err := pe.st.Pool.Query(t.Context(), `SELECT cost, sale FROM billing_lines WHERE invoice_id = $1
	    UNION ALL SELECT cost, sale FROM billing_invoices WHERE id = $1`, invoice)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, s decimal.Decimal
		_ = rows.Scan(&c, &s)
		if c.Equal(s) {
			t.Fatalf("cost %s = sale: the markup did not apply", c)
		}
		html = append(html, templates.Money(c, ""))
		plain = append(plain, c.StringFixed(2))
	}
	return html, plain
}

func TestBillingPagesAndStaffExport(t *testing.T) {
	t.Parallel()
	pe, customer, invoice := billedPortal(t)
	c := pe.client()
	pe.login(c, "staff@example.com")
	p := pe.get(c, "/billing")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, invoice) || !strings.Contains(p.body, `data-testid="chart-usd"`) {
		t.Fatalf("billing page %d", p.StatusCode)
	}
	p = pe.get(c, "/billing/invoices/"+invoice)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Fabrikam") || strings.Contains(p.body, `data-testid="invoice-differs"`) {
		t.Fatalf("invoice page %d:\n%s", p.StatusCode, p.body)
	}
	pcID := strings.ToLower(customer.String())
	p = pe.get(c, "/billing/invoices/"+invoice+"/customers/"+pcID)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, `data-charge="addQuantity"`) || !strings.Contains(p.body, `data-charge="new"`) {
		t.Fatalf("customer lines %d", p.StatusCode)
	}
	p = pe.get(c, "/billing/invoices/"+invoice+"/customers/"+pcID+"/export.csv")
	if p.StatusCode != http.StatusOK || !strings.HasPrefix(p.body, "\ufeff") || p.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv %d %s", p.StatusCode, p.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(billing.ExportColumns, ",") || len(recs) != 3 {
		t.Fatalf("csv:\n%s", p.body)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for _, r := range recs[1:] {
		if _, err := time.Parse(time.DateOnly, r[col["ChargeStart"]]); err != nil || r[col["Currency"]] != "USD" ||
			!decimal.RequireFromString(r[col["Sale"]]).Sub(decimal.RequireFromString(r[col["Cost"]])).Equal(decimal.RequireFromString(r[col["Margin"]])) {
			t.Fatalf("row %v", r)
		}
	}
	if p = pe.get(c, "/billing/invoices/"+invoice+"/customers/"+pcID+"/export.json"); p.StatusCode != http.StatusOK ||
		!strings.Contains(p.body, `"chargeType":"addQuantity"`) {
		t.Fatalf("json %d %s", p.StatusCode, p.body)
	}
	if p = pe.get(c, "/billing/invoices/"+invoice+"/reconciliation"); p.StatusCode != http.StatusOK ||
		!strings.Contains(p.body, `data-testid="findings-none"`) {
		t.Fatalf("reconciliation %d", p.StatusCode)
	}
	if p = pe.get(c, "/billing/customers/"+customer.String()); p.StatusCode != http.StatusOK || !strings.Contains(p.body, invoice) {
		t.Fatalf("customer billing %d", p.StatusCode)
	}
	if p = pe.get(c, "/billing/invoices/"+invoice+"/customers/"+uuid.NewString()+"/export.csv"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown customer's export: %d", p.StatusCode)
	}
	for _, path := range []string{"/billing/invoices/" + invoice + "/customers/" + uuid.NewString(), "/billing/invoices/G000000000/customers/" + pcID,
		"/billing/invoices/G000000000/reconciliation"} {
		if p = pe.get(c, path); p.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, p.StatusCode)
		}
	}
}

// TestCustomerSeesNoCost: the customer's charges (page, CSV, and staff
// viewing as the customer) show sale amounts and never a cost.
func TestCustomerSeesNoCost(t *testing.T) {
	t.Parallel()
	pe, customer, invoice := billedPortal(t)
	htmlCosts, plainCosts := costs(t, pe, invoice)
	pe.createCustomerUser("ap@fabrikam.example", customer)
	c := pe.client()
	pe.login(c, "ap@fabrikam.example")
	staff := pe.client()
	pe.login(staff, "staff@example.com")
	for _, tc := range []struct {
		name string
		c    *http.Client
		path string
	}{
		{"page", c, "/my/charges"},
		{"month", c, "/my/charges?invoice=" + invoice},
		{"csv", c, "/my/charges.csv?invoice=" + invoice},
		{"newest csv", c, "/my/charges.csv"},
		{"view as", staff, "/customers/" + customer.String() + "/view/charges"},
		{"view as csv", staff, "/customers/" + customer.String() + "/view/charges.csv?invoice=" + invoice},
	} {
		p := pe.get(tc.c, tc.path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.name, p.StatusCode)
		}
		for _, w := range []string{"Cost", "Margin", "cost", "margin", "UnitCost"} {
			if strings.Contains(p.body, w) {
				t.Errorf("%s mentions %q", tc.name, w)
			}
		}
		for _, amt := range append(htmlCosts, plainCosts...) {
			if strings.Contains(p.body, amt) {
				t.Errorf("%s shows the cost %s", tc.name, amt)
			}
		}
		if strings.HasSuffix(tc.name, "csv") {
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\ufeff"))).ReadAll()
			if err != nil || strings.Join(recs[0], ",") != strings.Join(billing.CustomerExportColumns, ",") || len(recs) != 3 {
				t.Errorf("%s: %v\n%s", tc.name, err, p.body)
			}
		}
	}
	// Another month id than the customer's is not found.
	if p := pe.get(c, "/my/charges?invoice=G000000000"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown month: %d", p.StatusCode)
	}
}

// billMonth creates a customer in the sandbox, buys qty seats, raises them
// to more three days later, moves the clock to the 8th of the next month
// (the invoice is out) and syncs the mirror; it returns the customer.
func billMonth(t *testing.T, pe *pcEnv, qty, more int) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	pc, err := pe.stack.PC.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cu, err := pc.CreateCustomer(ctx, pccclient.NewRequestID(), pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: "fabrikam" + uuid.NewString()[:6] + ".onmicrosoft.com"},
		BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "ap@fabrikam.example", CompanyName: "Fabrikam",
			DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond", State: "WA",
				PostalCode: "98052", Country: "US"}}})
	if err != nil {
		t.Fatal(err)
	}
	md, err := pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.CreateAgreement(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Agreement{TemplateID: md.TemplateID,
		Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: pe.sb.Now(),
		PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}); err != nil {
		t.Fatal(err)
	}
	cart, err := pc.CreateCart(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: "CFQ7TTC0LH18:0001:CFQ7TTC0K971", Quantity: qty, BillingCycle: pccclient.BillingCycleMonthly, TermDuration: "P1Y"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pc.CheckoutCart(ctx, pccclient.NewRequestID(), cu.ID, cart.ID)
	if err != nil {
		t.Fatal(err)
	}
	pe.sb.Advance(3 * 24 * time.Hour)
	sub, err := pc.GetSubscription(ctx, cu.ID, res.Orders[0].LineItems[0].SubscriptionID)
	if err != nil {
		t.Fatal(err)
	}
	sub.Quantity = more
	if _, err := pc.PatchSubscription(ctx, pccclient.NewRequestID(), cu.ID, *sub); err != nil {
		t.Fatal(err)
	}
	now := pe.sb.Now()
	pe.sb.Advance(time.Date(now.Year(), now.Month()+1, 8, 1, 0, 0, 0, time.UTC).Sub(now))
	pe.sync("full")
	return uuid.MustParse(cu.ID)
}
