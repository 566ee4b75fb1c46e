package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	day         = 24 * time.Hour
	nceBasic    = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
	nceStandard = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM"
)

// keepAdvancing moves the sandbox clock while a page waits for PC (orders
// and transitions complete after 5 s of its time) until stop is closed.
func keepAdvancing(sb *sandbox.Sandbox) (stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
				sb.Advance(2 * time.Second)
			}
		}
	}()
	return func() { close(done) }
}

// buyNCE orders qty seats of a new-commerce item for company through the
// cart and returns the new subscription's page.
func (p *staffPortal) buyNCE(t *testing.T, b *browser, company, item string, qty, term, cycle string) string {
	t.Helper()
	var cust string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE company_name = $1`, company).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	b.run("buy "+qty+" seats",
		chromedp.Navigate(p.URL+"/customers/"+cust+"/cart"),
		chromedp.WaitVisible(testID("cart-empty")),
		chromedp.SetValue(field("item_id"), item),
		chromedp.Click(testID("cart-configure")),
		chromedp.WaitVisible(testID("cart-configurator")),
		chromedp.SetValue(field("quantity"), qty),
		chromedp.Click(`input[name="plan"][value="`+term+`|`+strings.ToLower(cycle)+`"]`),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(testID("cart-line")),
		chromedp.Click(testID("cart-review")),
		chromedp.WaitVisible(testID("review-submit")),
	)
	stop := keepAdvancing(p.Sandbox)
	b.run("place the order",
		chromedp.Click(testID("review-submit")),
		chromedp.WaitVisible(`[data-testid="order-progress"][data-done="true"]`),
	)
	stop()
	var sub string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT id FROM subscriptions WHERE customer_id = $1 AND upper(offer_id) = upper($2)
		AND status = 'active' ORDER BY creation_date DESC NULLS LAST LIMIT 1`, cust, item).Scan(&sub); err != nil {
		t.Fatalf("the new subscription: %v", err)
	}
	return "/customers/" + cust + "/subscriptions/" + sub
}

// changeSeats sets the seat count through the form and its confirmation;
// warn reports whether the confirmation warned about a scheduled change.
func (b *browser) changeSeats(name, qty string) (warning string) {
	b.run(name,
		chromedp.WaitVisible(testID("form-quantity")),
		chromedp.SetValue(field("quantity"), qty),
		chromedp.Click(testID("quantity-submit")),
		chromedp.WaitVisible(testID("change-confirm")),
	)
	if b.count(`[data-testid="confirm-warning"]`) > 0 {
		warning = b.text(`[data-testid="confirm-warning"]`)
	}
	b.confirmChange(name)
	return warning
}

// backToSub returns to the subscription page after a change.
func (b *browser) backToSub() {
	b.run("back to the subscription", chromedp.Click(testID("change-back")), chromedp.WaitVisible(testID("sub-next-term")))
}

// sync runs an incremental sync (a reconcile when the clock moved past PC's
// audit retention), as the periodic job would.
func (p *staffPortal) sync(t *testing.T) {
	t.Helper()
	p.Stack.Sync(mirror.KindIncremental)
}

// TestLifecycleJourney: tranches, a scheduled change and the mid-term
// change that deletes it, a renewal at a new price, suspension,
// reactivation with the auto-renew prompt, and a suspended term end.
func TestLifecycleJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	href := p.buyNCE(t, b, "Contoso Ltd", nceBasic, "10", "P1Y", "annual")

	// Three days later, 5 seats more; five days after that only those 5
	// can be removed, and the page says until when.
	p.Sandbox.Advance(3 * day)
	b.run("open the subscription", chromedp.Navigate(p.URL+href), chromedp.WaitVisible(testID("sub-seats")))
	b.changeSeats("add 5 seats", "15")
	p.Sandbox.Advance(5 * day)
	b.run("eight days after the purchase", chromedp.Navigate(p.URL+href), chromedp.WaitVisible(testID("tranche")))
	if n := b.count(`[data-testid="tranche"]`); n != 1 {
		t.Fatalf("%d open tranches, want 1", n)
	}
	first := b.text(`[data-testid="tranche"]`)
	if !strings.HasPrefix(first, "5 seats can be removed until ") || !strings.Contains(first, "from now") {
		t.Fatalf("tranche says %q", first)
	}
	if got := b.text(`[data-testid="decrease-window"]`); !strings.Contains(got, "at most 5 of 15") {
		t.Errorf("decrease window says %q", got)
	}
	b.checkA11y("subscription-tranches")
	// The countdown is live: an hour later the fragment says so.
	p.Sandbox.Advance(time.Hour)
	// (htmx polls every minute; ask it now instead of waiting.)
	b.eval("the countdown refreshes", `htmx.ajax('GET', document.querySelector('#tranches').getAttribute('hx-get'), {target: '#tranches', swap: 'outerHTML'}); true`)
	b.eval("the countdown refreshed", `new Promise(ok => { const f = () => { const el = document.querySelector('[data-testid="tranche"]');
		if (el && el.textContent.trim() !== `+jsString(first)+`) ok(true); else setTimeout(f, 50); }; f(); })`)
	if later := b.text(`[data-testid="tranche"]`); later == first || !strings.Contains(later, "from now") {
		t.Errorf("countdown after an hour: %q (was %q)", later, first)
	}
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "subscription-lifecycle.png"))
	}

	// Schedule a next-term change: quantity and billing plan.
	b.run("open the next-term editor",
		chromedp.Click(testID("next-term-edit")),
		chromedp.WaitVisible(testID("form-next-term")),
	)
	b.checkA11y("next-term-editor")
	b.run("schedule 12 seats billed monthly",
		chromedp.SetValue(field("item_id"), nceBasic),
		chromedp.SetValue(field("quantity"), "12"),
		chromedp.SetValue(field("term"), "P1Y/monthly"),
		chromedp.Click(testID("next-term-submit")),
		chromedp.WaitVisible(testID("change-confirm")),
	)
	if got := b.text(`[data-testid="confirm-effect"]`); !strings.Contains(got, "quantity 15 → 12") || !strings.Contains(got, "billing plan annual → monthly") {
		t.Errorf("schedule confirmation says %q", got)
	}
	b.confirmChange("schedule")
	b.backToSub()
	if got := b.text(`[data-testid="next-term-summary"]`); !strings.HasPrefix(got, "12 seats of") || !strings.Contains(got, "billed monthly") {
		t.Fatalf("next term %q", got)
	}
	if b.count(`[data-testid="midterm-warning"]`) != 1 {
		t.Fatal("no warning about mid-term changes while a change is scheduled")
	}
	b.checkA11y("subscription-scheduled")

	// A mid-term change: the confirmation warns, then the scheduled change is gone.
	warn := b.changeSeats("add a seat mid-term", "16")
	if !strings.Contains(warn, "deletes the change scheduled for the next term (12 seats") {
		t.Fatalf("mid-term confirmation warned %q", warn)
	}
	b.backToSub()
	if b.count(`[data-testid="next-term-scheduled"]`) != 0 || !strings.Contains(b.text(`[data-testid="scheduled-gone"]`), "deleted by a mid-term change") {
		t.Fatalf("after the mid-term change: %q", b.text(`[data-testid="sub-next-term"]`))
	}

	// A price list raises the price for the next term; renew through the clock.
	ctx := context.Background()
	save := func(price string) {
		if err := p.Stack.Mirror.SavePrices(ctx, "US", []mirror.Price{{ItemID: nceBasic, TermDuration: "P1Y", BillingCycle: "annual",
			Currency: "USD", UnitPrice: decimal.RequireFromString(price)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Stack.Mirror.RepriceRenewals(ctx); err != nil {
			t.Fatal(err)
		}
	}
	save("72.00")
	save("86.40")
	p.Sandbox.SetTermPricer(func(q sandbox.TermPriceQuery) (decimal.Decimal, bool) {
		return decimal.RequireFromString("86.40"), q.Renewal
	})
	b.run("the next-term price", chromedp.Navigate(p.URL+href), chromedp.WaitVisible(testID("next-term-price")))
	if got := b.text(`[data-testid="next-term-price-change"]`); !strings.Contains(got, "$72.00 → $86.40") {
		t.Errorf("price change says %q", got)
	}
	var termEnd time.Time
	if err := p.Store.Pool.QueryRow(ctx, `SELECT term_end FROM subscription_lifecycle WHERE subscription_id = $1`, href[strings.LastIndex(href, "/")+1:]).Scan(&termEnd); err != nil {
		t.Fatal(err)
	}
	p.Sandbox.Advance(termEnd.Sub(p.Sandbox.Now()) + day)
	p.sync(t)
	b.run("renewed", chromedp.Navigate(p.URL+href), chromedp.WaitVisible(testID("tranche")))
	if got := b.text(`[data-testid="tranche"]`); !strings.HasPrefix(got, "16 seats can be removed until ") {
		t.Errorf("the renewal's tranche: %q", got)
	}
	if got := b.text(`[data-testid="current-term-price"]`); !strings.Contains(got, "$86.40") {
		t.Errorf("the renewed term's price: %q", got)
	}
	if n := b.count(`[data-testid="term"]`); n != 2 {
		t.Errorf("%d terms listed, want 2", n)
	}

	// Suspend: billed to the term end, then disabled and deleted.
	b.run("suspend",
		chromedp.SendKeys(field("reason"), "Unpaid invoices"),
		chromedp.Click(testID("suspend-submit")),
		chromedp.WaitVisible(testID("confirm-effect")),
	)
	if got := b.text(`[data-testid="confirm-effect"]`); !strings.Contains(got, "keeps billing it until the term ends") {
		t.Errorf("suspension confirmation says %q", got)
	}
	b.confirmChange("suspend")
	b.backToSub()
	if got := b.text(`[data-testid="post-term-path"]`); !strings.HasPrefix(got, "Suspended: billed until ") || !strings.Contains(got, "disabled from then, deleted on") ||
		!strings.HasSuffix(got, "unless reactivated.") {
		t.Errorf("post-term path %q", got)
	}
	b.checkA11y("subscription-suspended")

	// Reactivate: auto-renew stays off, and the page prompts to turn it on.
	b.run("reactivate", chromedp.Click(testID("reactivate-submit")))
	b.confirmChange("reactivate")
	b.backToSub()
	b.run("the auto-renew prompt", chromedp.WaitVisible(testID("reactivated-prompt")))
	b.checkA11y("subscription-reactivated")
	b.run("turn auto-renew back on", chromedp.Click(testID("reactivated-autorenew")))
	b.confirmChange("auto-renew on")
	b.backToSub()
	if b.count(`[data-testid="reactivated-prompt"]`) != 0 || b.text(`[data-testid="sub-autorenew"]`) != "on" {
		t.Fatal("auto-renew is not back on")
	}

	// Suspended again past the term end: disabled, with its deletion date.
	b.run("suspend again",
		chromedp.SendKeys(field("reason"), "Unpaid again"),
		chromedp.Click(testID("suspend-submit")),
	)
	b.confirmChange("suspend again")
	if err := p.Store.Pool.QueryRow(ctx, `SELECT term_end FROM subscription_lifecycle WHERE subscription_id = $1`, href[strings.LastIndex(href, "/")+1:]).Scan(&termEnd); err != nil {
		t.Fatal(err)
	}
	p.Sandbox.Advance(termEnd.Sub(p.Sandbox.Now()) + day)
	p.sync(t)
	b.run("past the term end", chromedp.Navigate(p.URL+href), chromedp.WaitVisible(testID("post-term-path")))
	if got := b.text(`[data-testid="sub-status"]`); got != "disabled" {
		t.Fatalf("status %q past the term end, want disabled", got)
	}
	want := "Disabled since " + termEnd.UTC().Format(time.DateOnly) + ": users have no access, the data is kept until it is deleted on " +
		termEnd.UTC().Add(120*day).Format(time.DateOnly) + "."
	if got := b.text(`[data-testid="post-term-path"]`); got != want {
		t.Errorf("post-term path %q, want %q", got, want)
	}
}

// TestUpgradeAndCalendarJourney: an upgrade through a transition, the
// renewal calendar with its filters, and the customer's view of a renewal.
func TestUpgradeAndCalendarJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	href := p.buyNCE(t, b, "Fabrikam Inc", nceBasic, "8", "P1Y", "monthly")
	b.run("open the upgrades",
		chromedp.Navigate(p.URL+href),
		chromedp.WaitVisible(testID("upgrade-link")),
		chromedp.Click(testID("upgrade-link")),
		chromedp.WaitVisible(testID("form-upgrade")),
	)
	b.checkA11y("upgrade")
	b.run("upgrade to Business Standard",
		chromedp.SetValue(field("item_id"), nceStandard),
		chromedp.Click(testID("upgrade-submit")),
		chromedp.WaitVisible(testID("change-confirm")),
	)
	if got := b.text(`[data-testid="confirm-title"]`); got != "Upgrade to Microsoft 365 Business Standard" {
		t.Errorf("confirmation title %q", got)
	}
	b.confirmChange("upgrade")
	stop := keepAdvancing(p.Sandbox)
	deadline := time.Now().Add(30 * time.Second)
	for {
		b.run("the subscription page", chromedp.Navigate(p.URL+href), chromedp.WaitVisible(testID("sub-name")))
		if strings.Contains(b.text(`[data-testid="sub-name"]`), "Standard") {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("still %q after the transition", b.text(`[data-testid="sub-name"]`))
		}
		time.Sleep(500 * time.Millisecond)
	}
	stop()
	if got := b.text(`[data-testid="transition-status"]`); !strings.Contains(got, "Completed") {
		t.Errorf("transition status %q", got)
	}

	// The renewal calendar: global, then this customer's.
	b.run("the renewal calendar",
		chromedp.Navigate(p.URL+"/renewals"),
		chromedp.WaitVisible(testID("renewals")),
	)
	b.checkA11y("renewals")
	b.run("only seats removable now",
		chromedp.Click(testID("filter-window")),
		chromedp.Click(testID("renewals-apply")),
	)
	b.waitLocation("the filtered calendar", "window=1")
	b.run("the filtered calendar", chromedp.WaitVisible(testID("renewals-filters")))
	if n := b.count(`[data-testid="renewal"]`); n == 0 || b.count(`[data-testid="renewal-window"]:empty`) != 0 {
		t.Errorf("window filter: %d rows, %d without a window", n, b.count(`[data-testid="renewal-window"]:empty`))
	}
	cust := strings.Split(href, "/subscriptions/")[0]
	b.run("the customer's calendar",
		chromedp.Navigate(p.URL+cust+"/renewals"),
		chromedp.WaitVisible(testID("renewal-prices-setting")),
		chromedp.Click(testID("renewal-prices-toggle")),
		chromedp.WaitVisible(testID("renewal-prices-on")),
	)
	b.checkA11y("customer-renewals")
	b.run("the feed address",
		chromedp.Click(testID("calendar-feed-create")),
		chromedp.WaitVisible(testID("calendar-feed-url")),
	)
	if got := b.text(`[data-testid="calendar-feed-url"]`); !strings.HasPrefix(got, p.URL+"/calendar/") || !strings.HasSuffix(got, ".ics") {
		t.Errorf("feed address %q", got)
	}
	b.run("the customer's view of the subscription",
		chromedp.Navigate(p.URL+cust+"/view/subscriptions/"+href[strings.LastIndex(href, "/")+1:]),
		chromedp.WaitVisible(testID("customer-renewal")),
	)
	if got := b.text(`[data-testid="customer-renews"]`); !strings.Contains(got, "8 seats of") {
		t.Errorf("customer view renews as %q", got)
	}
	b.checkA11y("customer-renewal")
}

// eval runs a script that yields true (awaiting a promise), failing the
// test otherwise.
func (b *browser) eval(name, script string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script, chromedp.EvalAwaitPromise))
	if err != nil || !ok {
		b.t.Fatalf("step %q: %v (%v)\n%s", name, ok, err, b.saveArtifacts(name))
	}
}

// waitLocation waits until the page's address contains part (a form's
// GET has navigated).
func (b *browser) waitLocation(name, part string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		loc, err := chromedp.Run(ctx, chromedp.Location())
		cancel()
		if err == nil && strings.Contains(loc, part) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("step %q: the address is %q (%v)\n%s", name, loc, err, b.saveArtifacts(name))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
