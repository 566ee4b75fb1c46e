package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDevCustomerEntraSignInJourney is the README's customer single
// sign-on in `portal dev`: the sandbox plays Entra ID for its customers'
// tenants and dev configures it as the sign-in provider, so after the
// wizard staff turn on tenant sign-in for Fabrikam, and Fabrikam's admin
// signs in on the sandbox's page and sees Fabrikam's subscriptions, and
// nothing of the other customers.
func TestDevCustomerEntraSignInJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	setup, base := startDev(t)
	const email, password = "ada@reseller.example", "a long admin password"

	b.wizardAdmin(setup, email, password)
	b.run("save the sandbox's connection",
		chromedp.Click(testID("pc-save")),
		chromedp.WaitVisible(testID("setup-oidc")),
	)
	// dev filled in the sign-in provider: the sandbox's Entra ID.
	issuer, err := chromedp.Run(b.ctx, chromedp.Value(field("oidc_issuer")))
	if err != nil {
		t.Fatalf("the sign-in step's issuer: %v", err)
	}
	if !strings.HasPrefix(issuer, "http://127.0.0.1:") || !strings.HasSuffix(issuer, "/organizations/v2.0") {
		t.Fatalf("sign-in step's issuer %q, want the sandbox's organizations authority", issuer)
	}
	b.run("keep it and finish",
		chromedp.Click(testID("oidc-save")),
		chromedp.WaitVisible(testID("setup-defaults")),
		chromedp.SetValue(field("default_country"), "US"),
		chromedp.SetValue(field("default_currency"), "USD"),
		chromedp.Click(testID("defaults-save")),
		chromedp.WaitVisible(testID("setup-finish")),
		chromedp.Click(testID("setup-finish")),
		chromedp.WaitVisible(testID("sync-title")),
	)

	// The import brings the demo customers.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b.run("find Fabrikam", chromedp.Navigate(base+"/customers?q=Fabrikam"), chromedp.WaitVisible(chromedp.CSS("main")))
		if b.count(`[data-testid="customer-link"]`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Fabrikam not imported after 2 minutes:\n%s", b.text("main"))
		}
		time.Sleep(time.Second)
	}
	b.run("turn on tenant sign-in for Fabrikam",
		chromedp.Click(testID("customer-link")),
		chromedp.WaitVisible(testID("customer-users-link")),
		chromedp.Click(testID("customer-users-link")),
		chromedp.WaitVisible(testID("tenant-signin-enable")),
		chromedp.Click(testID("tenant-signin-enable")),
		chromedp.WaitVisible(testID("tenant-signin-on")),
		chromedp.Click(testID("logout")),
		chromedp.WaitVisible(testID("login-oidc")),
	)

	b.run("Fabrikam's admin signs in on the sandbox's Entra page",
		chromedp.Click(testID("login-oidc")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.Click(chromedp.CSS("details summary")),
	)
	if page := b.text("main"); !strings.Contains(page, "admin@fabrikamsbx.onmicrosoft.com") {
		t.Errorf("the sandbox's sign-in page does not list Fabrikam's admin:\n%s", page)
	}
	b.run("sign in",
		chromedp.SendKeys(chromedp.CSS("#username"), "admin@fabrikamsbx.onmicrosoft.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "sandbox-customer"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(testID("entitlements-title")),
	)
	if who := b.text(`[data-testid="current-role"]`); !strings.EqualFold(who, "customer") {
		t.Fatalf("role shown %q, want customer", who)
	}
	view := b.text("main")
	if !strings.Contains(view, "Fabrikam") || b.count(`[data-testid="entitlements-table"]`) == 0 {
		t.Errorf("Fabrikam's view:\n%s", view)
	}
	for _, other := range []string{"Contoso", "Tailspin", "Northwind"} {
		if strings.Contains(view, other) {
			t.Errorf("Fabrikam's admin sees %s:\n%s", other, view)
		}
	}
	if nav := b.text(`[data-testid="nav"]`); strings.Contains(nav, "Customers") || strings.Contains(nav, "Settings") {
		t.Errorf("customer navigation shows staff pages: %q", nav)
	}
	b.run("staff pages are refused",
		chromedp.Navigate(base+"/customers?q=Contoso"),
		chromedp.WaitVisible(testID("error-403")),
	)
	if strings.Contains(b.text("main"), "Contoso") {
		t.Errorf("the refusal names another customer:\n%s", b.text("main"))
	}
	for _, pr := range realProblems(b.Problems()) {
		if strings.Contains(pr, "403") {
			continue
		}
		t.Errorf("browser problem: %s", pr)
	}
}
