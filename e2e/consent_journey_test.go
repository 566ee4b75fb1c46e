package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPartnerAdminConsentJourney: in the wizard's Partner Center step the
// admin clicks "Connect a partner admin account", signs in as
// admin@sandbox.test on the sandbox's sign-in page, comes back to the
// wizard connected, and the connection health panel is green.
func TestPartnerAdminConsentJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startPortal(t)
	link, err := p.Server.PrepareSetup(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	creds := p.Sandbox.Credentials()
	const email, password = "ada@reseller.example", "a long admin password"

	b.wizardAdmin(link, email, password)
	b.run("no partner admin yet", chromedp.WaitVisible(testID("pc-user-not-connected")))
	shot := func(name string) {
		if dir := screenshotsDir(); dir != "" {
			b.fullScreenshot(filepath.Join(dir, "consent-"+name+".png"))
		}
	}
	b.checkA11y("setup-pc")
	shot("setup-pc")
	b.run("partner center: connect a partner admin",
		chromedp.SetValue(field("pc_tenant_id"), creds.TenantID),
		chromedp.SetValue(field("pc_client_id"), creds.ClientID),
		chromedp.SendKeys(field("pc_client_secret"), creds.ClientSecret),
		chromedp.SetValue(field("pc_api_url"), p.PCURL),
		chromedp.SetValue(field("pc_token_url"), p.PCURL+"/{tenant}/oauth2/token"),
		chromedp.Click(testID("pc-connect-user")),
		// The sandbox's sign-in page (its own origin).
		chromedp.WaitVisible(chromedp.CSS("#username")),
	)
	if loc := b.location(); !strings.HasPrefix(loc, p.PCURL) || !strings.Contains(loc, "/oauth2/v2.0/authorize") {
		t.Fatalf("not on the sandbox's sign-in page: %s", loc)
	}
	b.checkA11y("sandbox-sign-in")
	shot("sandbox-sign-in")
	b.run("sign in as the partner admin",
		chromedp.SendKeys(chromedp.CSS("#username"), "admin@sandbox.test"),
		chromedp.SendKeys(chromedp.CSS("#password"), "sandbox-admin"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(testID("setup-pc")),
		chromedp.WaitVisible(testID("pc-user-connected")),
	)
	if got := b.text(`[data-testid="pc-user-connected"]`); !strings.Contains(got, "admin@sandbox.test") {
		t.Errorf("wizard after consent says %q", got)
	}
	b.checkA11y("setup-pc-connected")
	shot("setup-pc-connected")
	b.run("connection health is green",
		chromedp.Navigate(p.URL+"/admin/settings/partner-center/health"),
		chromedp.WaitVisible(testID("pc-health-green")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pc-health-app-user"][data-status="ok"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pc-health-app-only"][data-status="ok"]`)),
	)
	st, err := p.Store.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.PcUser != "admin@sandbox.test" || !st.PcUserMfa || len(st.PcRefreshTokenEnc) == 0 {
		t.Errorf("stored consent: user %q mfa %v", st.PcUser, st.PcUserMfa)
	}
	for _, pr := range b.Problems() {
		t.Errorf("browser problem: %s", pr)
	}
}
