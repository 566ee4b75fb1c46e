package sandboxtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient"
)

// NewCustomer creates a customer in PC through pc, outside the portal, with
// the Microsoft Customer Agreement accepted when withMCA; it returns its id.
func (p *PC) NewCustomer(pc *pccclient.Client, withMCA bool) string {
	p.t.Helper()
	ctx := context.Background()
	n := uuid.NewString()[:8]
	c, err := pc.CreateCustomer(ctx, pccclient.NewRequestID(), pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: "dlv" + n + ".onmicrosoft.com"},
		BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "x@example.com", CompanyName: "Delivery " + n,
			DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond", State: "WA",
				PostalCode: "98052", Country: "US"}},
	})
	if err != nil {
		p.t.Fatalf("create customer: %v", err)
	}
	if withMCA {
		md, err := pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
		if err != nil {
			p.t.Fatal(err)
		}
		if _, err := pc.CreateAgreement(ctx, pccclient.NewRequestID(), c.ID, pccclient.Agreement{TemplateID: md.TemplateID,
			Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: p.SB.Now(),
			PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}); err != nil {
			p.t.Fatal(err)
		}
	}
	return c.ID
}

// LicenseOffers are the US catalog's purchasable license-based base offers
// one seat can be bought of.
func LicenseOffers(t testing.TB, pc *pccclient.Client) []pccclient.Offer {
	t.Helper()
	offers, err := pccclient.Collect(pc.ListOffers(context.Background(), "US"))
	if err != nil {
		t.Fatalf("offers: %v", err)
	}
	var out []pccclient.Offer
	for _, o := range offers {
		if o.IsAvailableForPurchase && !o.IsAddOn && !o.IsTrial && strings.EqualFold(string(o.Billing), "license") && o.MinimumQuantity <= 1 {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		t.Fatal("no purchasable license offers in the sandbox catalog")
	}
	return out
}

// BuyNCE checks out one new-commerce line for customer through pc (outside
// the portal), lets the order complete on the sandbox's clock and returns
// the subscription.
func (p *PC) BuyNCE(pc *pccclient.Client, customer, catalogItem string, qty int, term string, cycle pccclient.BillingCycle) *pccclient.Subscription {
	p.t.Helper()
	ctx := context.Background()
	cart, err := pc.CreateCart(ctx, pccclient.NewRequestID(), customer, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: catalogItem, Quantity: qty, BillingCycle: cycle, TermDuration: term}}})
	if err != nil {
		p.t.Fatalf("cart: %v", err)
	}
	res, err := pc.CheckoutCart(ctx, pccclient.NewRequestID(), customer, cart.ID)
	if err != nil || len(res.Orders) != 1 || len(res.Orders[0].LineItems) != 1 {
		p.t.Fatalf("checkout: %+v, %v", res, err)
	}
	p.SB.Advance(time.Minute)
	sub, err := pc.GetSubscription(ctx, customer, res.Orders[0].LineItems[0].SubscriptionID)
	if err != nil {
		p.t.Fatalf("subscription: %v", err)
	}
	return sub
}
