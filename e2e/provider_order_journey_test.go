package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// TestProviderOrderJourney: an indirect provider's staff onboard a
// customer for reseller ReleCloud (the wizard's reseller choice; Partner
// Center records it as associatedPartnerId) and order for it: the order
// line reaches Partner Center with ReleCloud's partnerIdOnRecord. Then
// ReleCloud's user finds the customer and adds seats to what it bought.
func TestProviderOrderJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := newCloudPortal(t, true, sandbox.CloudGlobal)
	ctx := t.Context()
	const releCloud, releCloudMpn = "b01b1487-b36e-4e6d-9b5e-0b58974c4b28", "4847433"
	if _, err := p.Store.Pool.Exec(ctx, `UPDATE settings SET partner_mode = 'indirect'`); err != nil {
		t.Fatal(err)
	}
	p.Stack.Sync(mirror.KindFull) // the resellers and their MPA status
	p.signIn(b)

	const prefix = "releclouddeal4"
	b.onboard(p.URL, newCustomer{Company: "Tailspin Toys", First: "Pat", Last: "Lee", BadEmail: "pat@tailspin", Email: "pat@tailspin.example",
		Street: "1 Main Street", City: "Seattle", State: "WA", Postal: "98101", Prefix: prefix, AgreementDate: p.Sandbox.Now().Format("2006-01-02")},
		func(step string) {
			switch step {
			case "onboarding-company":
				b.run("choose the reseller", chromedp.SetValue(field("reseller_tenant_id"), releCloud))
			case "onboarding-review":
				if got := b.text("main"); !strings.Contains(got, "ReleCloud") {
					t.Errorf("the review does not name the reseller:\n%s", got)
				}
				b.checkA11y("onboarding review for a reseller")
			}
		})

	var cust string
	if err := p.Store.Pool.QueryRow(ctx, `SELECT id::text FROM customers WHERE domain = $1`, prefix+".onmicrosoft.com").Scan(&cust); err != nil {
		t.Fatalf("the onboarded customer is not in the mirror: %v", err)
	}
	client, err := p.Stack.PC.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pcCust, err := client.GetCustomer(ctx, cust); err != nil || pcCust.AssociatedPartnerID != releCloud {
		t.Fatalf("Partner Center's customer: %+v, %v; want associatedPartnerId %s", pcCust, err, releCloud)
	}

	b.run("open the cart",
		chromedp.Navigate(p.URL+"/customers/"+cust+"/cart"),
		chromedp.WaitVisible(testID("cart-empty")),
	)
	offer := evalJS[string](t, b, `[...document.querySelectorAll('#f-item_id option')].find(o => o.textContent.trim() === 'Office 365 E3').value`)
	b.run("add a line",
		chromedp.SetValue(field("item_id"), offer),
		chromedp.Click(testID("cart-configure")),
		chromedp.WaitVisible(testID("cart-configurator")),
		chromedp.SetValue(field("quantity"), "4"),
		chromedp.Click(testID("cart-add-submit")),
		chromedp.WaitVisible(testID("cart-line")),
		chromedp.Click(testID("cart-review")),
		chromedp.WaitVisible(testID("review-submit")),
	)
	b.checkA11y("order review for a reseller's customer")
	p.tickWhileWatching(t)
	b.run("place the order",
		chromedp.Click(testID("review-submit")),
		chromedp.WaitVisible(`[data-testid="order-progress"][data-done="true"]`),
	)
	orders, err := pccclient.Collect(client.ListOrders(ctx, cust))
	if err != nil || len(orders) != 1 {
		t.Fatalf("Partner Center's orders of the customer: %d, %v; want 1", len(orders), err)
	}
	for _, li := range orders[0].LineItems {
		if li.PartnerIDOnRecord != releCloudMpn {
			t.Errorf("order line %d reached Partner Center with partnerIdOnRecord %q, want ReleCloud's %s", li.LineItemNumber, li.PartnerIDOnRecord, releCloudMpn)
		}
	}

	// ReleCloud's own user adds two seats from its pages.
	const password = "releclouds long password"
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	res := uuid.MustParse(releCloud)
	if _, err := p.Store.CreateUser(ctx, store.NewUser{Email: "rita@relecloud.example", Role: store.RoleReseller, ResellerID: &res,
		PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	p.mirroredSubscription(t, cust, "Office 365 E3")
	b.signOut()
	b.signIn(p.URL, "rita@relecloud.example", password, "reseller-customers-results")
	b.run("ReleCloud opens its customer and the subscription",
		chromedp.Click(testID("reseller-customer-link")),
		chromedp.WaitVisible(testID("reseller-subscription-link")),
		chromedp.Click(testID("reseller-subscription-link")),
		chromedp.WaitVisible(testID("form-quantity")),
	)
	b.checkA11y("reseller's subscription page")
	b.changeSeats("ReleCloud adds two seats", "6")
	b.run("back to the subscription", chromedp.Click(testID("change-back")), chromedp.WaitVisible(testID("sub-quantity")))
	if got := b.text(`[data-testid="sub-quantity"]`); got != "6" {
		t.Errorf("quantity %q after ReleCloud's change, want 6", got)
	}
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("browser problems: %v", ps)
	}
}
