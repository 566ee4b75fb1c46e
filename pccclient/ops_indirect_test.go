package pccclient_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	firstUpTenant  = "484e548c-f5f3-4528-93a9-c16c6373cb59" // First Up Consultants, MPN 4847383, MPA signed
	releCloudTenan = "b01b1487-b36e-4e6d-9b5e-0b58974c4b28" // ReleCloud, MPN 4847433, MPA signed
)

func resellerCustomer(t *testing.T, e *env, reseller, prefix string) (*pccclient.Customer, error) {
	t.Helper()
	return e.c.CreateCustomerForReseller(ctxT(t), pccclient.NewRequestID(), reseller, pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: fmt.Sprintf("%s%d.onmicrosoft.com", prefix, time.Now().UnixNano()%1e9)},
		BillingProfile: &pccclient.BillingProfile{
			Email: "it@" + prefix + ".example", Culture: "en-US", Language: "en", CompanyName: prefix + " Ltd",
			DefaultAddress: &pccclient.Address{Country: "US", City: "Redmond", State: "WA", AddressLine1: "1 Way",
				PostalCode: "98052", FirstName: "Ada", LastName: "Lovelace", PhoneNumber: "4255550100"},
		},
	})
}

func TestIndirectResellersAndMPAStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	rs := must(pccclient.Collect(e.c.ListIndirectResellers(ctx)))(t)
	if len(rs) != 3 || rs[0].ID != firstUpTenant || rs[0].MpnID != "4847383" || rs[0].RelationshipType != pccclient.RelationshipIndirectProviderOf {
		t.Fatalf("resellers = %+v", rs)
	}
	for _, tc := range []struct {
		mpn    string
		signed bool
		code   string
	}{
		{"4847383", true, ""},
		{"4847999", false, "2203"},
		{"1111111", false, "2200"},
	} {
		st, err := e.c.GetMPAStatus(ctx, tc.mpn)
		if err != nil || st.Signed != tc.signed || st.Code != tc.code {
			t.Errorf("GetMPAStatus(%s) = %+v, %v; want signed=%v code=%q", tc.mpn, st, err, tc.signed, tc.code)
		}
	}
	if _, err := e.c.GetMPAStatus(ctx, "12ab"); !pccclient.IsValidation(err) {
		t.Errorf("non-numeric MPN id: err = %v, want an argument error", err)
	}
	// App-only tokens are refused, as PC documents App+User only.
	for _, op := range []string{"list-indirect-resellers", "get-agreement-status", "list-customer-relationships", "create-customer-for-reseller"} {
		if pccclient.RequiredCredential(op) != pccclient.AppUser {
			t.Errorf("%s: client would send app-only", op)
		}
	}
}

func TestCustomerForIndirectReseller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true}, nil)
	ctx := ctxT(t)
	cu := must(resellerCustomer(t, e, releCloudTenan, "relecust"))(t)
	if cu.AssociatedPartnerID != releCloudTenan {
		t.Fatalf("created customer associatedPartnerId = %q", cu.AssociatedPartnerID)
	}
	own := newCustomer(t, e, "owncust")
	rels := must(e.c.ListCustomerRelationships(ctx, cu.ID))(t)
	if len(rels) != 1 || rels[0].MpnID != "4847433" || rels[0].RelationshipType != pccclient.RelationshipIndirectResellerOf {
		t.Errorf("relationships of the reseller's customer = %+v", rels)
	}
	if rels := must(e.c.ListCustomerRelationships(ctx, own.ID))(t); len(rels) != 0 {
		t.Errorf("relationships of the provider's own customer = %+v, want none", rels)
	}
	got := must(pccclient.Collect(e.c.ListResellerCustomers(ctx, releCloudTenan)))(t)
	if len(got) != 1 || got[0].ID != cu.ID {
		t.Errorf("ReleCloud's customers = %+v, want only %s", got, cu.ID)
	}
	if got := must(pccclient.Collect(e.c.ListResellerCustomers(ctx, firstUpTenant)))(t); len(got) != 0 {
		t.Errorf("First Up's customers = %+v, want none", got)
	}
	if _, err := resellerCustomer(t, e, "00000000-0000-0000-0000-00000000beef", "stranger"); !pccclient.HasCode(err, "800016") {
		t.Errorf("unknown reseller: err = %v, want 400 800016", err)
	}

	// The order line names the reseller of record; PC keeps it on the
	// subscription (partnerId) and refuses unknown or non-MPA resellers.
	acceptMCA(t, e, cu.ID)
	order := func(mpn string) error {
		_, err := e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Order{
			LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 2, PartnerIDOnRecord: mpn}}})
		return err
	}
	if err := order("1111111"); !pccclient.HasCode(err, "800015") {
		t.Errorf("unknown partner on record: err = %v, want 404 800015", err)
	}
	if err := order("4847999"); !pccclient.HasCode(err, "900123") {
		t.Errorf("reseller without MPA: err = %v, want 403 900123", err)
	}
	if err := order("4847433"); err != nil {
		t.Fatalf("order with partnerIdOnRecord: %v", err)
	}
	e.sb.Advance(time.Minute)
	subs := must(pccclient.Collect(e.c.ListSubscriptions(ctx, cu.ID)))(t)
	if len(subs) != 1 || subs[0].PartnerID != "4847433" {
		t.Errorf("subscriptions = %+v, want one with partnerId 4847433", subs)
	}
}
