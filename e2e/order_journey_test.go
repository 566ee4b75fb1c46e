package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOrderBaseWithAddOnJourney: a cart with a base and an add-on of it;
// the portal places the base, waits for its subscription, then places the
// add-on; the order page shows both phases complete.
func TestOrderBaseWithAddOnJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	var cust, base, addOn string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT c.id::text FROM customers c WHERE c.company_name = 'Contoso Ltd'`).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT b.id, a.id FROM offers b JOIN offers a ON a.country = b.country
		WHERE b.country = 'US' AND b.name = 'Office 365 E3' AND a.name ILIKE '%Archiving%'`).Scan(&base, &addOn); err != nil {
		t.Fatal(err)
	}
	b.run("open the cart from the customer page",
		chromedp.Navigate(p.URL+"/customers/"+cust),
		chromedp.WaitVisible(testID("customer-order-link")),
		chromedp.Click(testID("customer-order-link")),
		chromedp.WaitVisible(testID("cart-empty")),
	)
	b.checkA11y("cart")
	b.run("add the base",
		chromedp.SetValue(field("item_id"), base),
		chromedp.SetValue(field("quantity"), "3"),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(testID("cart-line")),
	)
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	parent, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#f-parent option[value^="line:"]').value`))
	cancel()
	if err != nil {
		t.Fatalf("no cart line to attach the add-on to: %v", err)
	}
	b.run("add the add-on to the base line",
		chromedp.SetValue(field("item_id"), addOn),
		chromedp.SetValue(field("quantity"), "3"),
		chromedp.SetValue(field("parent"), parent),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(`[data-testid="cart-line"]:nth-child(2)`),
		chromedp.Click(testID("cart-review")),
		chromedp.WaitVisible(testID("review-phases")),
	)
	b.checkA11y("review")
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "order-review.png"))
	}

	// PC completes orders after 5 s of its clock: move it while we watch.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				p.Sandbox.Advance(2 * time.Second)
			}
		}
	}()
	b.run("place the order and watch both phases complete",
		chromedp.Click(testID("review-submit")),
		chromedp.WaitVisible(testID("order-progress")),
		chromedp.WaitVisible(`[data-testid="order-progress"][data-done="true"]`),
	)
	if got := b.text(`[data-testid="order-base-state"]`); got != "completed" {
		t.Errorf("base phase %q, want completed", got)
	}
	if got := b.text(`[data-testid="order-addons-state"]`); got != "completed" {
		t.Errorf("add-on phase %q, want completed", got)
	}
	if n := b.count(`[data-testid="order-addons-sub"]`); n != 1 || !strings.Contains(b.text(`[data-testid="order-addons-sub-status"]`), "active") {
		t.Errorf("add-on subscriptions: %d", n)
	}
	b.checkA11y("order")
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "order-phases.png"))
	}
}
