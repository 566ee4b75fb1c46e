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
	// Order from the catalog: the offer's "Order for a customer" asks which
	// customer and opens their cart with the offer chosen.
	b.run("order the base from its catalog page",
		chromedp.Navigate(p.URL+"/catalog/US/offers/"+base),
		chromedp.WaitVisible(testID("offer-order")),
		chromedp.Click(testID("offer-order")),
		chromedp.WaitVisible(testID("order-for-search")),
	)
	b.checkA11y("order-for")
	b.run("choose the customer",
		chromedp.SendKeys(testID("field-q"), "Contoso"),
		chromedp.Click(testID("order-for-search-submit")),
		// The page before the search lists customers too: wait for the
		// answer (its field holds the search) before clicking one.
		chromedp.WaitVisible(testID("field-q")+`[value="Contoso"]`),
		chromedp.WaitVisible(testID("order-for-link")),
		chromedp.Click(testID("order-for-link")),
		chromedp.WaitVisible(testID("cart-empty")),
	)
	b.checkA11y("cart")
	if !strings.Contains(b.location(), "/customers/"+cust+"/cart") {
		t.Fatalf("choosing Contoso opened %s, want its cart", b.location())
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	chosen, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#f-item_id').value`))
	cancel()
	if err != nil || chosen != base {
		t.Fatalf("the cart has %q chosen (%v), want the offer %s", chosen, err, base)
	}
	b.run("add the base",
		chromedp.SetValue(field("quantity"), "3"),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(testID("cart-line")),
	)
	// The add-on: found by typing (htmx narrows the list), then configured.
	b.run("find and configure the add-on",
		chromedp.SendKeys(testID("field-find"), "Archiving"),
		chromedp.WaitNotPresent(`#f-item_id option[value="`+base+`"]`),
		chromedp.SetValue(field("item_id"), addOn),
		chromedp.Click(testID("cart-configure")),
		chromedp.WaitVisible(testID("cart-configurator")),
		chromedp.WaitVisible(field("parent")),
	)
	b.checkA11y("cart-configurator")
	ctx, cancel = context.WithTimeout(b.ctx, 10*time.Second)
	parent, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#f-parent option[value^="line:"]').value`))
	cancel()
	if err != nil {
		t.Fatalf("no cart line to attach the add-on to: %v", err)
	}
	b.run("add the add-on to the base line",
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

	p.tickWhileWatching(t)
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

// tickWhileWatching moves the sandbox clock 2 s every 200 ms until the
// test ends: PC completes orders after 5 s of its clock, and the page
// under watch polls while time passes.
func (p *staffPortal) tickWhileWatching(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
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
}
