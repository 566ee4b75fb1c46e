package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestCatalogAndOnboardingJourney: search the catalog, filter to add-ons,
// open an offer, onboard a customer through the wizard against the
// sandbox (live domain check, admin sign-in shown once), and find it in the
// customer list with its agreement. axe-core checks every page.
func TestCatalogAndOnboardingJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startStaffPortal(t)
	p.signIn(b)

	b.run("catalog",
		chromedp.Navigate(p.URL+"/catalog"),
		chromedp.WaitVisible(testID("catalog-results")),
	)
	if !strings.Contains(b.text(`[data-testid="catalog-freshness"]`), "Catalog synced") {
		t.Errorf("no freshness note")
	}
	b.checkA11y("catalog")
	b.run("search the catalog",
		chromedp.SendKeys(testID("catalog-q"), "office"),
		chromedp.Click(testID("catalog-apply")),
		waitURL("q=office"),
		chromedp.WaitVisible(testID("catalog-results")),
	)
	if loc := b.location(); strings.Contains(loc, "=&") || strings.HasSuffix(loc, "=") {
		t.Errorf("the URL keeps empty filters: %s", loc)
	}
	all := b.count(`[data-testid="catalog-row"]`)
	b.run("filter to add-ons",
		chromedp.SetValue(testID("filter-addon"), "addon"),
		chromedp.Click(testID("catalog-apply")),
		waitURL("addon=addon"),
		chromedp.WaitVisible(testID("catalog-count")),
	)
	if !strings.Contains(b.location(), "addon=addon") || !strings.Contains(b.location(), "q=office") {
		t.Errorf("filters not in the URL: %s", b.location())
	}
	addOns := b.count(`[data-testid="catalog-row"]`)
	if addOns == 0 || addOns >= all || b.count(`[data-testid="catalog-row-type"]`) != addOns {
		t.Fatalf("add-on filter: %d of %d rows", addOns, all)
	}
	for i := range addOns {
		if got := b.text(`[data-testid="catalog-row"]:nth-child(` + itoa(i+1) + `) [data-testid="catalog-row-type"]`); got != "add-on" {
			t.Errorf("row %d is %q, want add-on", i+1, got)
		}
	}
	name := b.text(`[data-testid="catalog-offer-link"]`)
	b.run("open an offer",
		chromedp.Click(testID("catalog-offer-link")),
		chromedp.WaitVisible(testID("offer-name")),
	)
	if got := b.text(`[data-testid="offer-name"]`); got != name {
		t.Errorf("offer page shows %q, want %q", got, name)
	}
	if b.count(`[data-testid="offer-base"]`) == 0 || b.count(`[data-testid="offer-order"]`) != 1 {
		t.Errorf("the add-on page lists no base offer or no order action")
	}
	b.checkA11y("offer")

	// Onboarding.
	const prefix = "journeycorp7"
	b.onboard(p.URL, newCustomer{Company: "Journey Corp", First: "Jo", Last: "Urney", BadEmail: "jo@journey", Email: "jo@journey.example",
		Street: "1 Main Street", City: "Seattle", State: "WA", Postal: "98101", Prefix: prefix, AgreementDate: time.Now().Format("2006-01-02")},
		func(step string) {
			switch step {
			case "customers":
				return
			case "onboarding-review":
				if got := b.text(`[data-testid="review-domain"]`); got != prefix+".onmicrosoft.com" {
					t.Errorf("review domain %q", got)
				}
			case "onboarding-result":
				if pw := b.text(`[data-testid="admin-password"]`); len(pw) < 8 {
					t.Errorf("admin password %q", pw)
				}
			}
			b.checkA11y(step)
		})
	b.run("customer list",
		chromedp.Navigate(p.URL+"/customers?q="+prefix),
		chromedp.WaitVisible(testID("customers-results")),
	)
	if got := b.text(`[data-testid="customer-domain"]`); got != prefix+".onmicrosoft.com" {
		t.Errorf("listed domain %q", got)
	}
	if got := b.text(`[data-testid="customer-agreement"]`); got != "accepted" {
		t.Errorf("listed agreement %q, want accepted", got)
	}
	b.checkA11y("customers")
	b.run("customer page",
		chromedp.Click(testID("customer-link")),
		chromedp.WaitVisible(testID("agreement-accepted")),
	)
	b.checkA11y("customer")
	if probs := realProblems(b.Problems()); len(probs) > 0 {
		t.Errorf("browser console problems: %v", probs)
	}
}

// TestOnboardingJourneyTakenDomainAndRefusal: the live check flags a taken
// domain and Continue refuses it; then PC refuses the create and the form
// comes back with PC's message, and nothing was created.
func TestOnboardingJourneyTakenDomainAndRefusal(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startStaffPortal(t)
	var taken string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT split_part(domain, '.', 1) FROM customers WHERE domain LIKE '%.onmicrosoft.com' LIMIT 1`).Scan(&taken); err != nil {
		t.Fatal(err)
	}
	p.signIn(b)
	b.run("company",
		chromedp.Navigate(p.URL+"/customers/new"),
		chromedp.WaitVisible(testID("onboarding-company")),
		chromedp.SendKeys(field("company_name"), "Refused Ltd"),
		chromedp.SendKeys(field("first_name"), "Re"),
		chromedp.SendKeys(field("last_name"), "Fused"),
		chromedp.SendKeys(field("email"), "re@refused.example"),
		chromedp.SendKeys(field("address_line1"), "2 Main Street"),
		chromedp.SendKeys(field("city"), "Austin"),
		chromedp.SendKeys(field("state"), "TX"),
		chromedp.SendKeys(field("postal_code"), "73301"),
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("onboarding-domain")),
	)
	b.run("taken domain",
		chromedp.SendKeys(field("domain_prefix"), taken),
		chromedp.WaitVisible(testID("domain-taken")),
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("error-domain_prefix")),
	)
	b.checkA11y("onboarding-domain-taken")
	b.run("invalid characters",
		clearField("domain_prefix"),
		chromedp.SendKeys(field("domain_prefix"), "Bad-Name"),
		chromedp.WaitVisible(testID("domain-invalid")),
	)
	b.run("free domain, agreement, review",
		clearField("domain_prefix"),
		chromedp.SendKeys(field("domain_prefix"), "refusedltd9"),
		chromedp.WaitVisible(testID("domain-available")),
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("onboarding-agreement")),
		chromedp.SendKeys(field("mca_first_name"), "Al"),
		chromedp.SendKeys(field("mca_last_name"), "Lovelace"),
		chromedp.SendKeys(field("mca_email"), "al@refused.example"),
		chromedp.SendKeys(field("mca_phone"), "+1 512 555 0100"),
		chromedp.SetValue(field("mca_date"), time.Now().Format("2006-01-02")),
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("onboarding-review")),
	)
	p.Sandbox.FailNext(sandbox.OpCreateCustomer, 1, http.StatusBadRequest)
	b.run("PC refuses the create",
		chromedp.Click(testID("onboarding-create")),
		chromedp.WaitVisible(testID("form-error")),
	)
	if msg := b.text(`[data-testid="form-error"]`); !strings.Contains(msg, "Partner Center refused") {
		t.Errorf("refusal message %q", msg)
	}
	b.checkA11y("onboarding-refused")
	var n int
	p.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FROM customers WHERE domain = 'refusedltd9.onmicrosoft.com'`).Scan(&n)
	if n != 0 || p.Sandbox.Calls(sandbox.OpCreateCustomer) != 1 {
		t.Errorf("after a refusal: %d customers, %d create calls", n, p.Sandbox.Calls(sandbox.OpCreateCustomer))
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
