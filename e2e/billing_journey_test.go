package e2e

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
	"github.com/cspportal/portal/web/templates"
)

// resale is the journey's markup: cost + 20%.
type resale struct{}

func (resale) Sale(_ context.Context, _ uuid.UUID, l billing.LineItem) (decimal.Decimal, error) {
	return l.Cost.Mul(decimal.RequireFromString("1.2")).Round(2), nil
}

// TestBillingJourney: orders and a seat change in the sandbox, the clock
// moved to the next month's 8th, the invoices imported from the billing
// page, the invoice opened with each customer's cost, sale and margin, a
// customer's lines and CSV export, the reconciliation, all accessible.
func TestBillingJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	pc := sandboxtest.New(t, sandbox.Options{Seed: 5, NoSeed: true})
	sb := pc.SB
	sb.SetBillingConfig(sandbox.BillingConfig{})
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pc.Store(st, box)
	must(st.UpdateDefaults(ctx, store.Defaults{DefaultCountry: "US", DefaultCurrency: "USD", DefaultLanguage: "en-US"}))
	must(st.CompleteSetup(ctx))
	const email, password = "bea@reseller.example", "staff password for e2e"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	must(err)
	_, err = st.CreateUser(ctx, store.NewUser{Email: email, DisplayName: "Bea Billing", Role: store.RoleStaff, PasswordHash: hash})
	must(err)
	stack := sandboxtest.NewStack(t, st, sandboxtest.StackOptions{Box: box, Now: sb.Now, Sale: resale{},
		Mirror: mirror.Options{Countries: []string{"US"}, PCNow: sb.Now}, Billing: billing.Options{PollMin: 100 * time.Millisecond}})
	stack.Start()
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e", PC: stack.PC,
		Commerce: stack.Commerce, Billing: stack.Billing, Now: sb.Now,
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	must(err)
	h = srv.Routes()

	// Orders and a seat change in the sandbox: two customers, monthly and
	// annual billing, 10 seats raised to 12 three days later.
	client := pc.Client()
	buy := func(cust, item string, qty int, cycle pccclient.BillingCycle) string {
		t.Helper()
		cart, err := client.CreateCart(ctx, pccclient.NewRequestID(), cust, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
			CatalogItemID: item, Quantity: qty, BillingCycle: cycle, TermDuration: "P1Y"}}})
		must(err)
		res, err := client.CheckoutCart(ctx, pccclient.NewRequestID(), cust, cart.ID)
		must(err)
		sb.Advance(time.Minute)
		return res.Orders[0].LineItems[0].SubscriptionID
	}
	contoso, tailspin := pc.NewCustomer(client, true), pc.NewCustomer(client, true)
	sub := buy(contoso, "CFQ7TTC0LH18:0001:CFQ7TTC0K971", 10, pccclient.BillingCycleMonthly)
	buy(contoso, "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM", 3, pccclient.BillingCycle("annual"))
	buy(tailspin, "CFQ7TTC0LH18:0001:CFQ7TTC0K971", 4, pccclient.BillingCycleMonthly)
	sb.Advance(3 * 24 * time.Hour)
	s, err := client.GetSubscription(ctx, contoso, sub)
	must(err)
	s.Quantity = 12
	_, err = client.PatchSubscription(ctx, pccclient.NewRequestID(), contoso, *s)
	must(err)
	// The mirror knows them (the portal's periodic syncs would).
	stack.Sync(mirror.KindFull)
	now := sb.Now()
	sb.Advance(time.Date(now.Year(), now.Month()+1, 8, 9, 0, 0, 0, time.UTC).Sub(now))
	invs := sb.BillingInvoices()
	if len(invs) != 1 {
		t.Fatalf("sandbox invoices %+v", invs)
	}
	inv := invs[0]

	b.run("sign in",
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), email),
		chromedp.SendKeys(field("password"), password),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("dashboard")),
	)
	b.run("open billing", chromedp.Click(testID("nav-billing")), chromedp.WaitVisible(testID("billing-empty")))
	b.checkA11y("billing-empty")
	b.run("import the invoices", chromedp.Click(testID("billing-sync")), chromedp.WaitVisible(testID("flash")))
	// The River workers list the invoices and import them.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var done int
		must(st.Pool.QueryRow(ctx, `SELECT count(*) FROM billing_imports WHERE invoice_id = $1 AND state IN ('done', 'no_data')`, inv.ID).Scan(&done))
		if done == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("imports of %s did not finish", inv.ID)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.run("see the month", chromedp.Navigate(ts.URL+"/billing"), chromedp.WaitVisible(`[data-invoice="`+inv.ID+`"]`))
	b.checkA11y("billing")
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "billing.png"))
	}
	b.run("open the invoice",
		chromedp.Click(`[data-invoice="`+inv.ID+`"] [data-testid="billing-invoice-link"]`),
		chromedp.WaitVisible(testID("invoice-customers")),
	)
	b.checkA11y("invoice")
	if got, want := b.text(`[data-testid="invoice-pc-total"]`), templates.Money(inv.Total, "USD"); got != want {
		t.Errorf("Microsoft total %q, want %q", got, want)
	}
	if b.text(`[data-testid="invoice-cost"]`) == templates.Money(decimal.Zero, "USD") {
		t.Errorf("invoice cost %q", b.text(`[data-testid="invoice-cost"]`))
	}
	if n := b.count(`[data-testid="invoice-customer"]`); n != 2 {
		t.Fatalf("%d customers on the invoice, want 2", n)
	}
	// Each customer's cost, sale (+20%) and margin.
	for i := 1; i <= 2; i++ {
		row := `[data-testid="invoice-customer"]:nth-child(` + string(rune('0'+i)) + `) `
		cost := amountOf(t, b.text(row+`[data-testid="customer-cost"]`))
		sale := amountOf(t, b.text(row+`[data-testid="customer-sale"]`))
		margin := amountOf(t, b.text(row+`[data-testid="customer-margin"]`))
		if !cost.IsPositive() || !sale.Sub(cost).Equal(margin) || !sale.Equal(cost.Mul(decimal.RequireFromString("1.2")).Round(2)) &&
			sale.Sub(cost.Mul(decimal.RequireFromString("1.2"))).Abs().GreaterThan(decimal.RequireFromString("0.05")) {
			t.Errorf("customer %d: cost %s sale %s margin %s", i, cost, sale, margin)
		}
	}
	b.run("open a customer's lines",
		chromedp.Click(`[data-testid="invoice-customer"]:first-child [data-testid="invoice-customer-link"]`),
		chromedp.WaitVisible(testID("invoice-groups")),
	)
	b.checkA11y("invoice-customer")
	if n := b.count(`[data-testid="invoice-group"][data-charge="addQuantity"]`) + b.count(`[data-testid="invoice-group"][data-charge="new"]`); n < 1 {
		t.Errorf("no new or pro-rated group")
	}
	// Export the customer's CSV with the browser's session.
	fetched, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('[data-testid="invoice-customer-csv"]').href).then(r => r.arrayBuffer())
			.then(b => new TextDecoder("utf-8", {ignoreBOM: true}).decode(b))`, chromedp.EvalAwaitPromise))
	must(err)
	if !strings.HasPrefix(fetched, "\ufeff") {
		t.Fatalf("CSV without BOM: %.60q", fetched)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(fetched, "\ufeff"))).ReadAll()
	must(err)
	if strings.Join(recs[0], ",") != strings.Join(billing.ExportColumns, ",") || len(recs) < 2 {
		t.Fatalf("CSV:\n%s", fetched)
	}
	b.run("open the reconciliation",
		chromedp.Navigate(ts.URL+"/billing/invoices/"+inv.ID+"/reconciliation"),
		chromedp.WaitVisible(testID("findings-title")),
	)
	b.checkA11y("reconciliation")
	b.run("open the customer's months",
		chromedp.Navigate(ts.URL+"/billing/customers/"+contoso),
		chromedp.WaitVisible(testID("billing-customer-months")),
	)
	b.checkA11y("billing-customer")
	b.run("view as the customer",
		chromedp.Navigate(ts.URL+"/customers/"+contoso+"/view/charges"),
		chromedp.WaitVisible(testID("charges-groups")),
	)
	b.checkA11y("customer-charges")
	if body := b.text("main"); strings.Contains(body, "Cost") || strings.Contains(body, "Margin") {
		t.Errorf("the customer view mentions cost or margin")
	}
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("console problems: %v", ps)
	}
}

// amountOf reads a dollar amount as the pages show it: "$1,234.56" (or
// "−$1.00"); anything else fails the test.
func amountOf(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	s = strings.TrimSpace(s)
	neg, ok := strings.CutPrefix(s, "−")
	num, ok2 := strings.CutPrefix(neg, "$")
	if !ok2 {
		t.Fatalf("amount %q: want $1,234.56", s)
	}
	d, err := decimal.NewFromString(strings.ReplaceAll(num, ",", ""))
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	if ok {
		d = d.Neg()
	}
	return d
}
