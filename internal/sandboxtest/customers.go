package sandboxtest

import (
	"context"
	"strings"
	"testing"

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
