package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// englishUI are words of the portal's own English that a page in Chinese
// must not show; the seeded data (company and product names) has none of
// them.
var englishUI = []string{"Save", "Cancel", "Next", "Back", "Quantity", "Customers", "Subscriptions", "Status", "Price",
	"Seats", "Confirm", "Submit", "Search", "Country", "Currency", "Billing", "Review", "Order", "Cart", "Company",
	"Email", "Domain", "Agreement", "Place", "Total", "Increase", "Decrease", "Change", "Product", "Term", "None"}

// englishOnPage lists the words of englishUI the page's main content shows
// as whole words (its visible text, labels and button captions included).
func (b *browser) englishOnPage() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	words, _ := json.Marshal(englishUI)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const main = document.querySelector('main') || document.body;
		let text = main.innerText;
		for (const el of main.querySelectorAll('input[type=submit], input[placeholder], [aria-label], [title]')) {
			text += ' ' + (el.value || '') + ' ' + (el.placeholder || '') + ' ' + (el.getAttribute('aria-label') || '') + ' ' + (el.title || '');
		}
		const found = [];
		for (const w of `+string(words)+`) {
			const m = new RegExp('\\b' + w + '\\b').exec(text);
			if (m) found.push(w + ' in "' + text.slice(Math.max(0, m.index - 30), m.index + 40).replace(/\\s+/g, ' ') + '"');
		}
		return found;
	})()`))
	if err != nil {
		b.t.Fatal(err)
	}
	return got
}

// hasHan reports whether s holds Chinese characters.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// mirroredSubscription waits (up to 30 s) for the customer's subscription
// to offer to reach the mirror, as an order's does once PC provisions it,
// and returns its id.
func (p *staffPortal) mirroredSubscription(t *testing.T, customer, offer string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		var sub string
		_ = p.Store.Pool.QueryRow(ctx, `SELECT id FROM subscriptions WHERE customer_id = $1 AND offer_name = $2`, customer, offer).Scan(&sub)
		if sub != "" {
			return sub
		}
		select {
		case <-ctx.Done():
			t.Fatal("the order's subscription never reached the mirror")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestChinaStaffJourney: the whole staff flow in Chinese against the
// sandbox playing Partner Center operated by 21Vianet: onboard a customer
// (a mistake first, explained in Chinese), order for it, add seats to what
// it bought. Every page is in Chinese (<html lang="zh-Hans">, none of the
// portal's English words in its content) and axe-core finds no serious or
// critical problem. The English flow against the global cloud is the
// catalog, order and seats journeys.
func TestChinaStaffJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := newCloudPortal(t, true, sandbox.CloudChina)
	check := func(name string) {
		t.Helper()
		b.checkA11y(name)
		if lang := b.htmlLang(); lang != "zh-Hans" {
			t.Errorf("%s: <html lang=%q>, want zh-Hans", name, lang)
		}
		if words := b.englishOnPage(); len(words) > 0 {
			t.Errorf("%s: the page in Chinese shows English: %v", name, words)
		}
		if dir := screenshotsDir(); dir != "" {
			b.fullScreenshot(filepath.Join(dir, "china-staff-"+name+".png"))
		}
	}
	p.signIn(b)
	b.run("switch to 中文",
		chromedp.SetValue(testID("lang-select"), "zh-Hans"),
		chromedp.Click(testID("lang-submit")),
		chromedp.WaitVisible(`html[lang="zh-Hans"] [data-testid="dashboard"]`),
	)

	// Onboarding, with a mistake the form explains in Chinese.
	const prefix = "zhongguo7"
	b.onboard(p.URL, newCustomer{Company: "长城贸易有限公司", First: "伟", Last: "王", BadEmail: "wang@changcheng", Email: "wang@changcheng.example",
		Street: "1 Main Street", City: "Seattle", State: "WA", Postal: "98101", Prefix: prefix, AgreementDate: p.Sandbox.Now().Format("2006-01-02")},
		func(step string) {
			if step == "onboarding-company-errors" {
				if got := b.text(`[data-testid="error-email"]`); !hasHan(got) {
					t.Errorf("the email's error is not in Chinese: %q", got)
				}
			}
			check(step)
		})

	// An order for the new customer.
	var cust string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE domain = $1`, prefix+".onmicrosoft.com").Scan(&cust); err != nil {
		t.Fatalf("the onboarded customer is not in the mirror: %v", err)
	}
	b.run("open the cart",
		chromedp.Navigate(p.URL+"/customers/"+cust+"/cart"),
		chromedp.WaitVisible(testID("cart-empty")),
	)
	check("cart-empty")
	// The new-commerce Office 365 E3 (the legacy one is marked as such).
	offer := evalJS[string](t, b, `[...document.querySelectorAll('#f-item_id option')].find(o => o.textContent.trim() === 'Office 365 E3').value`)
	b.run("configure a line",
		chromedp.SetValue(field("item_id"), offer),
		chromedp.Click(testID("cart-configure")),
		chromedp.WaitVisible(testID("cart-configurator")),
	)
	check("cart-configurator")
	b.run("add the line",
		chromedp.SetValue(field("quantity"), "3"),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(testID("cart-line")),
	)
	check("cart")
	b.run("review the order",
		chromedp.Click(testID("cart-review")),
		chromedp.WaitVisible(testID("review-submit")),
	)
	check("order-review")
	p.tickWhileWatching(t)
	b.run("place the order",
		chromedp.Click(testID("review-submit")),
		chromedp.WaitVisible(`[data-testid="order-progress"][data-done="true"]`),
	)
	check("order")

	// More seats on what it bought.
	sub := p.mirroredSubscription(t, cust, "Office 365 E3")
	b.run("open the subscription",
		chromedp.Navigate(p.URL+"/customers/"+cust+"/subscriptions/"+sub),
		chromedp.WaitVisible(testID("sub-seats")),
	)
	check("subscription")
	b.run("add seats",
		chromedp.SetValue(field("quantity"), "5"),
		chromedp.Click(testID("quantity-submit")),
		chromedp.WaitVisible(testID("confirm-effect")),
	)
	if got := b.text(`[data-testid="confirm-effect"]`); !hasHan(got) || !strings.Contains(got, "2") {
		t.Errorf("the confirmation says %q, want Chinese naming the 2 seats added", got)
	}
	check("seat-confirmation")
	b.confirmChange("add seats")
	check("seat-change-done")
	b.run("back to the subscription",
		chromedp.Click(testID("change-back")),
		chromedp.WaitVisible(testID("sub-quantity")),
	)
	if got := b.text(`[data-testid="sub-quantity"]`); got != "5" {
		t.Errorf("quantity %q after adding seats, want 5", got)
	}
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("browser problems: %v", ps)
	}
}
