package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
)

// TestTwoTierPricesJourney: an indirect provider's admin prices reseller
// First Up at cost + 10 % on the prices page; First Up's user adds 20 % on
// its own prices page and sees its cost, its customer's price and its
// margin on its customer's page; the customer sees First Up's price, and
// the provider its own cost and sale, never the reseller's price.
func TestTwoTierPricesJourney(t *testing.T) {
	b := newBrowser(t)
	p := startPortal(t)
	ctx := t.Context()
	const reseller = "484e548c-f5f3-4528-93a9-c16c6373cb59"
	const password = "a long password for two tiers"
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := p.Store.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO resellers (tenant_id, name, mpn_id, mpa_signed) VALUES ($1, 'First Up', '4847383', true)`, reseller)
	exec(`UPDATE settings SET partner_mode = 'indirect'`)
	alpha := uuid.New()
	subs, _ := seedCustomer(t, p.Store, alpha, "Alpha", 2)
	exec(`UPDATE customers SET associated_partner_id = $1 WHERE id = $2`, reseller, alpha)
	// Microsoft's price of Alpha's first subscription: 8.37 EUR a licence a
	// month (5 licences).
	exec(`UPDATE subscriptions SET billing_cycle = 'monthly' WHERE id = $1`, subs[0])
	exec(`INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, auto_renew, currency, current_unit_price)
		VALUES ($1, $2, 'active', true, true, 'EUR', 8.37)`, subs[0], alpha)
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	res := uuid.MustParse(reseller)
	for _, u := range []store.NewUser{{Email: "ada@provider.example", Role: store.RoleAdmin},
		{Email: "cleo@firstup.example", Role: store.RoleReseller, ResellerID: &res},
		{Email: "dana@alpha.example", Role: store.RoleCustomer, CustomerID: &alpha, CustomerVia: "invitation"}} {
		u.PasswordHash = hash
		if _, err := p.Store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Store.CompleteSetup(ctx); err != nil {
		t.Fatal(err)
	}
	signIn := func(email, landing string) { b.signIn(p.URL, email, password, landing) }
	signOut := b.signOut
	has := func(who, css string, want, never []string) {
		t.Helper()
		text := b.text(css)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: lacks %q in\n%s", who, w, text)
			}
		}
		for _, n := range never {
			if strings.Contains(text, n) {
				t.Errorf("%s: shows %q in\n%s", who, n, text)
			}
		}
	}

	signIn("ada@provider.example", "dashboard")
	b.run("the provider prices First Up at cost + 10 %",
		chromedp.Navigate(p.URL+"/admin/prices"),
		chromedp.WaitVisible(testID("markup-form")),
		chromedp.SetValue(field("reseller"), reseller),
		chromedp.SendKeys(field("amount"), "10"),
		chromedp.Click(testID("markup-save")),
		chromedp.WaitVisible(testID("flash")),
		chromedp.WaitVisible(testID("markup-rule-reseller")),
	)
	has("provider's rules", `[data-testid="markup-rules"]`, []string{"First Up", "+10%"}, nil)
	b.checkA11y("provider's prices with a reseller rule")
	signOut()

	signIn("cleo@firstup.example", "reseller-customers-results")
	b.run("First Up adds 20 % for its customers",
		chromedp.Click(testID("nav-reseller-prices")),
		chromedp.WaitVisible(testID("markup-empty")),
		chromedp.SendKeys(field("amount"), "20"),
		chromedp.Click(testID("markup-save")),
		chromedp.WaitVisible(testID("flash")),
		chromedp.WaitVisible(testID("markup-rule-markup")),
	)
	has("reseller's rules", `[data-testid="markup-rules"]`, []string{"+20%"}, []string{"+10%", "First Up"})
	b.checkA11y("reseller's prices")
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "reseller-prices.png"))
	}
	// 8.37 + 10 % = 9.21 is First Up's cost; + 20 % = 11.05 Alpha's price;
	// 5 licences: 46.05 and 55.25 a month, a margin of 9.20.
	b.run("First Up opens Alpha",
		chromedp.Click(testID("nav-reseller-customers")),
		chromedp.WaitVisible(testID("reseller-customer-link")),
		chromedp.Click(testID("reseller-customer-link")),
		chromedp.WaitVisible(testID("reseller-run-rate")),
	)
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "reseller-customer-prices.png"))
	}
	has("reseller's customer", "main", []string{"€9.21", "€11.05", "€46.05", "€55.25", "€9.20 (16.7 %)"}, []string{"8.37", "41.85"})
	b.checkA11y("reseller's customer with prices")
	signOut()

	signIn("dana@alpha.example", "entitlements-title")
	has("customer", "main", []string{"€11.05", "€55.25"}, []string{"8.37", "9.21", "46.05"})
	signOut()

	signIn("ada@provider.example", "dashboard")
	b.run("the provider opens Alpha", chromedp.Navigate(p.URL+"/customers/"+alpha.String()), chromedp.WaitVisible(testID("customer-run-rate")))
	has("provider's customer page", `[data-testid="customer-run-rate"]`, []string{"€8.37", "€9.21", "€41.85", "€46.05"}, []string{"11.05", "55.25"})
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("console problems: %v", ps)
	}
}
