package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOrderNCEPromotionAndCoTermJourney: staff find Microsoft 365 E3 in the
// cart configurator, choose the 3-year plan, its running promotion and a
// first term that ends with the calendar month; the cart, the review and
// the order page say so, and Partner Center's subscription carries both.
func TestOrderNCEPromotionAndCoTermJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	var cust, item string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT c.id::text FROM customers c WHERE c.company_name = 'Contoso Ltd'`).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT a.catalog_item_id FROM availabilities a JOIN skus k
		ON k.country = a.country AND k.product_id = a.product_id AND k.id = a.sku_id
		WHERE a.country = 'US' AND a.is_purchasable AND k.title = 'Microsoft 365 E3' AND a.terms::text LIKE '%P3Y%'
		ORDER BY a.catalog_item_id LIMIT 1`).Scan(&item); err != nil {
		t.Fatalf("no Microsoft 365 E3 for three years: %v", err)
	}
	b.run("find Microsoft 365 E3 and configure it",
		chromedp.Navigate(p.URL+"/customers/"+cust+"/cart"),
		chromedp.WaitVisible(testID("field-find")),
		chromedp.SendKeys(testID("field-find"), "Microsoft 365 E3"),
		chromedp.WaitNotPresent(`#f-item_id option[value*="CFQ7TTC0LCHC"]`),
		chromedp.SetValue(field("item_id"), item),
		chromedp.Click(testID("cart-configure")),
		chromedp.WaitVisible(testID("cart-configurator")),
		chromedp.WaitVisible(testID("cart-promotions")),
		chromedp.WaitVisible(testID("cart-term-ends")),
	)
	b.checkA11y("cart-configurator-promotions")
	if got := b.text(`[data-testid="cart-promotions"]`); !strings.Contains(got, "Microsoft 365 E3 three-year 10% off") || !strings.Contains(got, "10% off on 3 years") {
		t.Fatalf("the promotion is not offered in words: %q", got)
	}
	b.run("choose three years billed monthly, the promotion and the month's end",
		chromedp.Click(`input[name="plan"][value="P3Y|monthly"]`),
		chromedp.Click(testID("cart-promotion")),
		chromedp.Click(`input[name="term_end"][value^="P3Y|"]`),
		chromedp.SetValue(field("quantity"), "4"),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(testID("cart-line")),
	)
	if got := b.text(`[data-testid="cart-line-promotion"]`); !strings.Contains(got, "10% off") {
		t.Errorf("the cart line's promotion: %q", got)
	}
	if got := b.text(`[data-testid="cart-line-term-end"]`); !strings.Contains(got, "First term ends") {
		t.Errorf("the cart line's end date: %q", got)
	}
	b.run("review", chromedp.Click(testID("cart-review")), chromedp.WaitVisible(testID("review-form")))
	b.checkA11y("review-promotion")
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "order-promotion-review.png"))
	}
	p.tickWhileWatching(t)
	b.run("place the order and watch it complete",
		chromedp.Click(testID("review-submit")),
		chromedp.WaitVisible(`[data-testid="order-progress"][data-done="true"]`),
	)
	if got := b.text(`[data-testid="order-base-state"]`); got != "completed" {
		t.Fatalf("order %q, want completed", got)
	}
	if !strings.Contains(b.text(`[data-testid="order-line-promotion"]`), "10% off") || b.count(`[data-testid="order-line-term-end"]`) != 1 {
		t.Errorf("the order page does not name the promotion and the end date")
	}
	var promo, end string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT c.payload->'order'->'lineItems'->0->>'promotionId',
		c.payload->'order'->'lineItems'->0->>'customTermEndDate' FROM order_placements o JOIN commands c ON c.id = o.base_command_id`).Scan(&promo, &end); err != nil {
		t.Fatal(err)
	}
	if promo == "" || end == "" {
		t.Fatalf("the order sent to PC lacks promotionId %q or customTermEndDate %q", promo, end)
	}
}
