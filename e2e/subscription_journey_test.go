package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// subHref is the staff page of a customer's subscription found by names.
func (p *staffPortal) subHref(t *testing.T, company, offerPattern string) string {
	t.Helper()
	var cust, sub string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT c.id::text, s.id FROM subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE c.company_name = $1 AND s.offer_name ILIKE $2 ORDER BY s.id LIMIT 1`, company, offerPattern).Scan(&cust, &sub); err != nil {
		t.Fatalf("subscription %s / %s: %v", company, offerPattern, err)
	}
	return "/customers/" + cust + "/subscriptions/" + sub
}

// confirmChange clicks through the confirmation and waits for PC's answer.
func (b *browser) confirmChange(name string) {
	b.run(name+": confirm",
		chromedp.WaitVisible(testID("change-confirm")),
		chromedp.Click(testID("confirm-submit")),
		chromedp.WaitVisible(testID("change-done")),
	)
}

// TestSubscriptionSeatsJourney: increase seats on a new-commerce
// subscription inside its window; 8 days later a decrease is refused with
// the explanation.
func TestSubscriptionSeatsJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	href := p.subHref(t, "Fabrikam Inc", "%Premium%")

	b.run("open the subscription from the customer page",
		chromedp.Navigate(p.URL+strings.Split(href, "/subscriptions/")[0]),
		chromedp.WaitVisible(testID("customer-subscriptions")),
		chromedp.Navigate(p.URL+href),
		chromedp.WaitVisible(testID("sub-seats")),
	)
	if !strings.Contains(b.text(`[data-testid="decrease-window"]`), "Seats can be removed until") {
		t.Fatalf("window: %q", b.text(`[data-testid="decrease-window"]`))
	}
	b.checkA11y("subscription")
	b.run("increase seats",
		chromedp.SetValue(field("quantity"), "45"),
		chromedp.Click(testID("quantity-submit")),
		chromedp.WaitVisible(testID("confirm-effect")),
	)
	if got := b.text(`[data-testid="confirm-effect"]`); !strings.Contains(got, "Adds 5 seat(s)") {
		t.Errorf("confirmation says %q", got)
	}
	b.checkA11y("confirmation")
	b.confirmChange("increase")
	b.run("back to the subscription",
		chromedp.Click(testID("change-back")),
		chromedp.WaitVisible(testID("sub-quantity")),
	)
	if got := b.text(`[data-testid="sub-quantity"]`); got != "45" {
		t.Fatalf("quantity %q after the increase, want 45", got)
	}

	p.Sandbox.Advance(8 * 24 * time.Hour)
	b.run("eight days later",
		chromedp.Navigate(p.URL+href),
		chromedp.WaitVisible(testID("decrease-impossible")),
		chromedp.SetValue(field("quantity"), "40"),
		chromedp.Click(testID("quantity-submit")),
		chromedp.WaitVisible(testID("error-quantity")),
	)
	if got := b.text(`[data-testid="error-quantity"]`); !strings.Contains(got, "cancellation window") || !strings.Contains(got, "closed on") {
		t.Errorf("refusal says %q", got)
	}
	if got := b.text(`[data-testid="sub-quantity"]`); got != "45" {
		t.Errorf("quantity %q after a refused decrease, want 45", got)
	}
}

// TestSubscriptionSuspendJourney: suspending a base suspends its add-on
// (listed on the confirmation); reactivating brings both back.
func TestSubscriptionSuspendJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	base := p.subHref(t, "Contoso Ltd", "Office 365 E3")
	addOn := p.subHref(t, "Contoso Ltd", "%Archiving%")

	b.run("suspend the base",
		chromedp.Navigate(p.URL+base),
		chromedp.WaitVisible(testID("form-suspend")),
		chromedp.SendKeys(field("reason"), "Unpaid invoices"),
		chromedp.Click(testID("suspend-submit")),
		chromedp.WaitVisible(testID("confirm-addons")),
	)
	if got := b.text(`[data-testid="confirm-addon"]`); !strings.Contains(got, "Archiving") {
		t.Errorf("confirmation lists %q, want the archiving add-on", got)
	}
	b.confirmChange("suspend")
	b.run("the add-on followed",
		chromedp.Navigate(p.URL+addOn),
		chromedp.WaitVisible(testID("sub-status")),
	)
	if got := b.text(`[data-testid="sub-status"]`); got != "suspended" {
		t.Fatalf("add-on status %q, want suspended", got)
	}
	b.run("reactivate the base",
		chromedp.Navigate(p.URL+base),
		chromedp.WaitVisible(testID("form-reactivate")),
		chromedp.Click(testID("reactivate-submit")),
	)
	b.confirmChange("reactivate")
	b.run("the add-on is back",
		chromedp.Navigate(p.URL+addOn),
		chromedp.WaitVisible(testID("sub-status")),
	)
	if got := b.text(`[data-testid="sub-status"]`); got != "active" {
		t.Fatalf("add-on status %q, want active", got)
	}
}

// TestSubscriptionDecreaseBelowAssignedJourney: removing seats that users
// hold warns with the numbers and needs the box ticked; without it the
// confirmation is refused next to the box, with it PC gets the decrease.
func TestSubscriptionDecreaseBelowAssignedJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	href := p.subHref(t, "Fabrikam Inc", "%Premium%")
	cust, sub, _ := strings.Cut(strings.TrimPrefix(href, "/customers/"), "/subscriptions/")
	var part string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT k.sku_part_number FROM subscribed_skus k JOIN subscriptions s
		ON s.customer_id = k.customer_id AND lower(s.offer_name) = lower(k.sku_name) WHERE s.id = $1`, sub).Scan(&part); err != nil {
		t.Fatalf("no licence usage mirrored for the subscription: %v", err)
	}
	if err := p.Sandbox.AssignLicenses(cust, part, 30); err != nil {
		t.Fatal(err)
	}
	p.sync(t)

	b.run("ask to keep 5 of 40 seats",
		chromedp.Navigate(p.URL+href),
		chromedp.WaitVisible(testID("sub-seats")),
		chromedp.SetValue(field("quantity"), "5"),
		chromedp.Click(testID("quantity-submit")),
		chromedp.WaitVisible(testID("confirm-licence-loss")),
	)
	if got := b.text(`[data-testid="confirm-licence-loss"]`); !strings.Contains(got, "30 licence(s)") || !strings.Contains(got, "25 user(s)") {
		t.Errorf("the warning says %q", got)
	}
	b.checkA11y("confirm-licence-loss")
	b.run("confirm without ticking the box",
		chromedp.Click(testID("confirm-submit")),
		chromedp.WaitVisible(testID("error-accept_licence_loss")),
	)
	b.run("tick the box and confirm",
		chromedp.Click(field("accept_licence_loss")),
		chromedp.Click(testID("confirm-submit")),
		chromedp.WaitVisible(testID("change-done")),
		chromedp.Click(testID("change-back")),
		chromedp.WaitVisible(testID("sub-quantity")),
	)
	if got := b.text(`[data-testid="sub-quantity"]`); got != "5" {
		t.Fatalf("quantity %q after the consented decrease, want 5", got)
	}
}
