package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/store"
)

// TestPartnerCenterPagesA11y: an admin walks the Partner Center pages
// (settings with the connection section, the health panel, the disconnect
// confirmation, the health panel and settings after disconnecting, then
// with nothing configured) and the customer list and page of a customer
// that removed its relationship; axe-core finds no serious or critical
// problem on any of them. With E2E_SCREENSHOTS set, each page is saved
// there as a full-page PNG.
func TestPartnerCenterPagesA11y(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startStaffPortal(t)
	ctx := t.Context()
	const email, password = "ada@reseller.example", "admin password for e2e"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.CreateUser(ctx, store.NewUser{Email: email, DisplayName: "Ada Admin", Role: store.RoleAdmin, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	var cust string
	if err := p.Store.Pool.QueryRow(ctx, `UPDATE customers SET relationship_removed_at = now(),
		relationship_removed_error = 'Partner Center: 403 (2000) the customer has removed the reseller relationship'
		WHERE company_name = 'Contoso Ltd' RETURNING id::text`).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) {
		if dir := screenshotsDir(); dir != "" {
			b.fullScreenshot(filepath.Join(dir, "pc-"+name+".png"))
		}
	}
	check := func(name string) { b.checkA11y(name); shot(name) }

	b.run("sign in as admin",
		chromedp.Navigate(p.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), email),
		chromedp.SendKeys(field("password"), password),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("dashboard")),
	)
	b.run("settings", chromedp.Navigate(p.URL+"/admin/settings#pc"), chromedp.WaitVisible(testID("pc-user-connected")))
	check("settings-connected")
	b.run("health", chromedp.Navigate(p.URL+"/admin/settings/partner-center/health"), chromedp.WaitVisible(testID("pc-health-green")))
	if got := b.text(`[data-testid="pc-health-relationship-removed"]`); !strings.Contains(got, "1 customer") {
		t.Errorf("health panel says %q about removed relationships", got)
	}
	// The customer is listed (first) with the reason and a link to its page.
	if got := b.text(`[data-testid="pc-health-license-problem"]`); !strings.Contains(got, "Contoso Ltd") || !strings.Contains(got, "removed its reseller relationship") {
		t.Errorf("health panel's first customer row is %q, want Contoso Ltd with the removed relationship", got)
	}
	b.run("open the removed customer from the health panel",
		chromedp.Click(chromedp.CSS(`[data-testid="pc-health-license-problem"] a`)),
		chromedp.WaitVisible(testID("customer-name")),
	)
	if loc := b.location(); !strings.HasSuffix(loc, "/customers/"+cust) {
		t.Errorf("the health panel's link went to %s, want /customers/%s", loc, cust)
	}
	b.run("back to the health panel", chromedp.Navigate(p.URL+"/admin/settings/partner-center/health"), chromedp.WaitVisible(testID("pc-health-green")))
	check("health-green")
	b.run("disconnect confirmation",
		chromedp.Click(testID("pc-disconnect-link")),
		chromedp.WaitVisible(testID("pc-disconnect-confirm")),
	)
	check("disconnect-confirm")
	b.run("disconnect",
		chromedp.Click(testID("pc-disconnect-submit")),
		chromedp.WaitNotPresent(testID("pc-disconnect-confirm")),
		chromedp.Navigate(p.URL+"/admin/settings/partner-center/health"),
		chromedp.WaitVisible(`[data-testid="pc-health-app-user"][data-status="not-connected"]`),
	)
	check("health-no-admin")
	b.run("settings without a partner admin", chromedp.Navigate(p.URL+"/admin/settings#pc"), chromedp.WaitVisible(testID("pc-user-not-connected")))
	check("settings-no-admin")
	b.run("connect, then cancel on the sign-in page",
		chromedp.Navigate(p.URL+"/admin/settings/partner-center/connect"),
		chromedp.WaitVisible(chromedp.CSS("#cancel")),
		chromedp.Click(chromedp.CSS("#cancel")),
		chromedp.WaitVisible(testID("pc-consent-failed")),
	)
	check("consent-cancelled")
	b.run("customer list", chromedp.Navigate(p.URL+"/customers"), chromedp.WaitVisible(testID("customer-relationship-removed")))
	check("customers")
	b.run("customer page", chromedp.Navigate(p.URL+"/customers/"+cust), chromedp.WaitVisible(testID("customer-relationship-removed")))
	check("customer-removed")
	if b.count(`[data-testid="customer-order-link"]`) != 0 {
		t.Error("the page of a customer that removed the relationship offers a new order Partner Center would refuse")
	}

	if _, err := p.Store.Pool.Exec(ctx, `UPDATE settings SET pc_tenant_id = '', pc_client_id = '', pc_client_secret_enc = NULL`); err != nil {
		t.Fatal(err)
	}
	b.run("health, nothing configured", chromedp.Navigate(p.URL+"/admin/settings/partner-center/health"), chromedp.WaitVisible(testID("pc-health-not-configured")))
	if b.count(`[data-testid="pc-connect-user"]`) != 0 || b.count(`[data-testid="pc-health-setup"]`) != 1 {
		t.Error("health panel with nothing configured offers to connect a partner admin instead of entering the app id and secret")
	}
	check("health-not-configured")
	for _, pr := range b.Problems() {
		t.Errorf("browser problem: %s", pr)
	}
}
