package e2e

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
	"github.com/cspportal/portal/web/templates"
)

// TestPricesJourney: the admin imports Partner Center's price sheets and
// sets a 20% default margin; staff see cost, sale and margin on an offer
// and in a customer's cart; the customer sees only sale prices.
func TestPricesJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	pc := sandboxtest.New(t, sandbox.Options{Seed: 5, NoSeed: true})
	sb := pc.SB
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
	const password = "a password for the e2e journey"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	must(err)
	_, err = st.CreateUser(ctx, store.NewUser{Email: "ada@reseller.example", DisplayName: "Ada Admin", Role: store.RoleAdmin, PasswordHash: hash})
	must(err)
	staffID, err := st.CreateUser(ctx, store.NewUser{Email: "sam@reseller.example", DisplayName: "Sam Staff", Role: store.RoleStaff, PasswordHash: hash})
	must(err)
	stack := sandboxtest.NewStack(t, st, sandboxtest.StackOptions{Box: box, Now: sb.Now,
		Mirror: mirror.Options{Countries: []string{"US"}, PCNow: sb.Now}})
	stack.Start()
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e", PC: stack.PC,
		Commerce: stack.Commerce, Billing: stack.Billing, Prices: stack.Prices, Now: sb.Now,
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	must(err)
	h = srv.Routes()

	// A customer with an order in Partner Center, mirrored with the catalog.
	const item = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
	client := pc.Client()
	cust := pc.NewCustomer(client, true)
	cart, err := client.CreateCart(ctx, pccclient.NewRequestID(), cust, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: item, Quantity: 4, BillingCycle: pccclient.BillingCycleMonthly, TermDuration: "P1Y"}}})
	must(err)
	order, err := client.CheckoutCart(ctx, pccclient.NewRequestID(), cust, cart.ID)
	must(err)
	sb.Advance(time.Minute)
	stack.Sync(mirror.KindCatalog)
	stack.Sync(mirror.KindFull)
	custID := uuid.MustParse(cust)
	_, err = st.CreateUser(ctx, store.NewUser{Email: "cu@customer.example", DisplayName: "Cus Tomer", Role: store.RoleCustomer,
		PasswordHash: hash, CustomerID: &custID, CustomerVia: "invitation"})
	must(err)

	signIn := func(email, landing string) { b.signIn(ts.URL, email, password, landing) }
	signOut := b.signOut

	// The admin imports the sheets and sets the margin.
	signIn("ada@reseller.example", "dashboard")
	b.run("the catalog says there are no prices", chromedp.Click(testID("nav-catalog")), chromedp.WaitVisible(testID("catalog-no-prices")))
	b.run("open prices", chromedp.Click(`[data-testid="catalog-no-prices"] a`), chromedp.WaitVisible(testID("prices-no-imports")))
	b.checkA11y("prices")
	b.run("import the price sheets", chromedp.Click(testID("prices-import")), chromedp.WaitVisible(testID("flash")))
	deadline := time.Now().Add(60 * time.Second)
	for {
		var open int
		must(st.Pool.QueryRow(ctx, `SELECT count(*) FROM price_sheet_imports WHERE state IN ('queued', 'loading')`).Scan(&open))
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the price sheet imports did not finish")
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.run("see the import", chromedp.Navigate(ts.URL+"/admin/prices"), chromedp.WaitVisible(testID("price-import-rows")))
	if !strings.Contains(b.text("#price-import-table"), "done") {
		t.Fatalf("imports: %s", b.text("#price-import-table"))
	}
	b.run("set a 20% default margin",
		chromedp.SendKeys(field("amount"), "20"),
		chromedp.Click(testID("markup-save")),
		chromedp.WaitVisible(testID("markup-rule-markup")),
	)
	if got := b.text(`[data-testid="markup-rule-markup"]`); got != "+20%" {
		t.Fatalf("rule shows %q", got)
	}
	signOut()

	// Staff: cost, sale and margin on the offer page and in the cart.
	signIn("sam@reseller.example", "dashboard")
	b.run("open the catalog", chromedp.Navigate(ts.URL+"/catalog?q=Business+Basic"), chromedp.WaitVisible(testID("catalog-results")))
	if b.count(`[data-testid="catalog-no-prices"]`) != 0 || !strings.Contains(b.text(`[data-testid="catalog-results"]`), " / ") {
		t.Fatalf("the catalog shows no prices: %s", b.text(`[data-testid="catalog-results"]`))
	}
	b.run("open the offer", chromedp.Navigate(ts.URL+"/catalog/US/products/CFQ7TTC0LH18/skus/0001"), chromedp.WaitVisible(testID("offer-sale")))
	b.checkA11y("offer-prices")
	cost := amountOf(t, b.text(`[data-testid="offer-cost"]`))
	sale := amountOf(t, b.text(`[data-testid="offer-sale"]`))
	if want := rules.ApplyMarkup(cost, rules.MarkupRule{Kind: rules.MarkupPercent, Amount: twenty, Rounding: rules.RoundCents}); !sale.Equal(want) {
		t.Fatalf("offer: cost %s sale %s, want %s", cost, sale, want)
	}
	cc, err := st.CartCustomer(ctx, custID)
	must(err)
	_, problems, err := stack.Commerce.AddCartLine(ctx, commerce.Actor{UserID: &staffID.ID, Label: "sam@reseller.example"}, cc,
		commerce.CartLineRequest{ItemID: item, CartRequest: rules.CartRequest{Quantity: "3", Term: "P1Y", Cycle: "monthly"}})
	must(err)
	if len(problems) > 0 {
		t.Fatalf("cart line: %v", problems)
	}
	b.run("open the cart", chromedp.Navigate(ts.URL+"/customers/"+cust+"/cart"), chromedp.WaitVisible(testID("cart-line-sale")))
	lineCost, lineSale := amountOf(t, b.text(`[data-testid="cart-line-cost"]`)), amountOf(t, b.text(`[data-testid="cart-line-sale"]`))
	if !lineSale.GreaterThan(lineCost) || lineSale.Equal(lineCost) {
		t.Fatalf("cart: cost %s sale %s", lineCost, lineSale)
	}
	b.run("review", chromedp.Navigate(ts.URL+"/customers/"+cust+"/cart/review"), chromedp.WaitVisible(testID("review-sale-total")))
	if got, want := amountOf(t, b.text(`[data-testid="review-sale-total"]`)), lineSale.Mul(three); !got.Equal(want) {
		t.Fatalf("review sale total %s, want %s (the sum of its lines)", got, want)
	}
	// The customer page: the run rate at cost and sale (the subscription
	// is the cart line's item, term and plan), the renewals whose price changes.
	b.run("open the customer", chromedp.Navigate(ts.URL+"/customers/"+cust), chromedp.WaitVisible(testID("run-rate-table")))
	b.checkA11y("customer-run-rate")
	if got := amountOf(t, b.text(`[data-testid="run-rate-unit-sale"]`)); !got.Equal(lineSale) {
		t.Errorf("run rate unit sale %s, want %s", got, lineSale)
	}
	if got := amountOf(t, b.text(`[data-testid="run-rate-sale"]`)); !got.Equal(lineSale.Mul(decimal.NewFromInt(4))) {
		t.Errorf("run rate %s a month, want 4 x %s", got, lineSale)
	}
	b.run("open the price changes", chromedp.Navigate(ts.URL+"/renewals/price-changes"), chromedp.WaitVisible(testID("price-changes-title")))
	b.checkA11y("price-changes")
	signOut()

	// The customer: sale prices only. The mirror does not ask PC for the
	// order's prices (include_price); the line carries the cost PC billed.
	orderID := order.Orders[0].ID
	_, err = st.Pool.Exec(ctx, `UPDATE order_line_items SET unit_price = $2 WHERE order_id = $1`, orderID, cost)
	must(err)
	signIn("cu@customer.example", "nav-my-subscriptions")
	b.run("open the order", chromedp.Navigate(ts.URL+"/my/orders/"+orderID), chromedp.WaitVisible(testID("order-line-price")))
	b.checkA11y("customer-order")
	body := b.text("main")
	if !strings.Contains(body, templates.Money(sale, "USD")) {
		t.Errorf("the customer's order does not show the sale price %s:\n%s", templates.Money(sale, "USD"), body)
	}
	if strings.Contains(body, cost.StringFixed(2)) || strings.Contains(body, "Cost") || strings.Contains(body, "Margin") {
		t.Errorf("the customer's order shows a cost or margin:\n%s", body)
	}
	b.run("open the subscriptions", chromedp.Navigate(ts.URL+"/my/subscriptions"), chromedp.WaitVisible(testID("entitlements-table")))
	b.checkA11y("customer-subscriptions")
	body = b.text("main")
	if !strings.Contains(body, templates.Money(lineSale, "USD")) || !strings.Contains(body, templates.Money(lineSale.Mul(decimal.NewFromInt(4)), "USD")+" a month") {
		t.Errorf("the customer's subscriptions do not show the sale price %s:\n%s", lineSale.StringFixed(2), body)
	}
	if strings.Contains(body, lineCost.StringFixed(2)) || strings.Contains(body, "Cost") || strings.Contains(body, "Margin") {
		t.Errorf("the customer's subscriptions show a cost or margin:\n%s", body)
	}
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("console problems: %v", ps)
	}
}

var (
	twenty = decimal.RequireFromString("20")
	three  = decimal.RequireFromString("3")
)
