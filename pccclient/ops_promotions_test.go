package pccclient_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/shopspring/decimal"
)

const nceBusinessPremium = "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF"

func TestPromotionOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	ctx := ctxT(t)
	promos := must(pccclient.Collect(e.c.ListProductPromotions(ctx, "US", "")))(t)
	var bp *pccclient.ProductPromotion
	for i := range promos {
		if strings.HasPrefix(promos[i].Name, "Microsoft 365 Business Premium") {
			bp = &promos[i]
		}
		if promos[i].EndDate.Before(e.sb.Now()) || promos[i].StartDate.After(e.sb.Now()) {
			t.Errorf("promotion %s not running: %s..%s", promos[i].Name, promos[i].StartDate, promos[i].EndDate)
		}
	}
	if len(promos) < 4 || bp == nil || bp.Properties == nil {
		t.Fatalf("ListProductPromotions = %d promotions, Business Premium %+v", len(promos), bp)
	}
	rp, ok := bp.Covers("CFQ7TTC0LCHC", "0002", "P1Y", pccclient.BillingCycleAnnual)
	if !ok || len(rp.PricingPolicies) != 1 || rp.PricingPolicies[0].PolicyType != pccclient.PolicyPercentDiscount {
		t.Fatalf("Covers(P1Y annual) = %+v, %v", rp, ok)
	}
	if f := must(rp.PricingPolicies[0].Fraction())(t); !f.Equal(decimal.RequireFromString("0.15")) {
		t.Errorf("discount = %s, want 0.15", f)
	}
	if _, ok := bp.Covers("CFQ7TTC0LCHC", "0002", "P1M", pccclient.BillingCycleMonthly); ok {
		t.Error("Covers(P1M) = true")
	}
	got := must(e.c.GetProductPromotion(ctx, "US", bp.ID))(t)
	if got.ID != bp.ID || !got.EndDate.Equal(bp.EndDate) {
		t.Errorf("GetProductPromotion = %+v", got)
	}
	if _, err := e.c.GetProductPromotion(ctx, "US", "39NFJQT1ZZZZ:0001:39NFJQT1ZZZZ"); !pccclient.IsNotFound(err) {
		t.Errorf("unknown promotion: err = %v", err)
	}

	cu := newCustomer(t, e, "promo")
	res := must(e.c.CheckPromotionEligibilities(ctx, cu.ID, []pccclient.PromotionEligibilityItem{
		{CatalogItemID: nceBusinessPremium, Quantity: 10, TermDuration: "P1Y", BillingCycle: pccclient.BillingCycleAnnual, PromotionID: bp.ID},
		{CatalogItemID: nceBusinessPremium, Quantity: 400, TermDuration: "P1Y", BillingCycle: pccclient.BillingCycleMonthly, PromotionID: bp.ID},
		{CatalogItemID: nceBusinessPremium, Quantity: 10, TermDuration: "P1M", BillingCycle: pccclient.BillingCycleMonthly},
	}))(t)
	if len(res) != 3 || res[0].ID != 0 || res[2].ID != 2 {
		t.Fatalf("CheckPromotionEligibilities = %+v", res)
	}
	if el := res[0].Eligibilities; len(el) != 1 || !el[0].IsEligible || el[0].PromotionID != bp.ID {
		t.Errorf("eligible purchase: %+v", el)
	}
	seat := res[1].Eligibilities[0]
	if seat.IsEligible || len(seat.Errors) != 1 || !seat.Errors[0].Type.Is(pccclient.EligibilitySeatCount) ||
		seat.Errors[0].MaximumRequiredSeats == nil || *seat.Errors[0].MaximumRequiredSeats != 300 {
		t.Errorf("401 seats: %+v", seat)
	}
	if el := res[2].Eligibilities; len(el) != 1 || el[0].IsEligible || !el[0].Errors[0].Type.Is(pccclient.EligibilityTerm) ||
		len(el[0].Errors[0].EligibleTerms) != 2 {
		t.Errorf("P1M against the running promotions: %+v", el)
	}
	if _, err := e.c.CheckPromotionEligibilities(ctx, cu.ID, nil); !pccclient.IsValidation(err) {
		t.Errorf("no items: err = %v", err)
	}

	// The promotion on a cart line reaches the order and the subscription.
	acceptMCA(t, e, cu.ID)
	cart := must(e.c.CreateCart(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: nceBusinessPremium, Quantity: 10, TermDuration: "P1Y", BillingCycle: pccclient.BillingCycleAnnual, PromotionID: bp.ID}}}))(t)
	out := must(e.c.CheckoutCart(ctx, pccclient.NewRequestID(), cu.ID, cart.ID))(t)
	if len(out.Orders) != 1 || out.Orders[0].LineItems[0].PromotionID != bp.ID {
		t.Fatalf("checkout with a promotion: %+v", out)
	}
	e.sb.Advance(time.Minute)
	sub := must(e.c.GetSubscription(ctx, cu.ID, out.Orders[0].LineItems[0].SubscriptionID))(t)
	if sub.PromotionID != bp.ID || sub.TermDuration != "P1Y" {
		t.Errorf("subscription promotionId %q", sub.PromotionID)
	}
	bad := must(e.c.CreateCart(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: nceBusinessPremium, Quantity: 10, TermDuration: "P1M", BillingCycle: pccclient.BillingCycleMonthly, PromotionID: bp.ID}}}))(t)
	if code := bad.LineItems[0].Error.Code(); code != pccclient.CartErrorInvalidPromotionID {
		t.Errorf("cart line with an ineligible promotion: error code %q", code)
	}
}

func TestCountryRulesAndMarkets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	ctx := ctxT(t)
	us := must(e.c.GetCountryValidationRules(ctx, "us"))(t)
	if us.Iso2Code != "US" || !us.IsStateRequired || len(us.SupportedStatesList) != 51 || us.PostalCodeRegex == "" || us.DefaultCulture != "en-US" {
		t.Fatalf("US rules = %+v", us)
	}
	markets := pccclient.Markets()
	if len(markets) < 240 {
		t.Fatalf("%d markets", len(markets))
	}
	for _, m := range markets {
		r, err := e.c.GetCountryValidationRules(ctx, m.ISO2)
		if err != nil || r.Iso3Code != m.ISO3 {
			t.Fatalf("market %+v: rules %+v, %v", m, r, err)
		}
	}
	if m, ok := pccclient.LookupMarket("de"); !ok || m.Name != "Germany" || m.ISO3 != "DEU" {
		t.Errorf("LookupMarket(de) = %+v, %v", m, ok)
	}
	if _, ok := pccclient.LookupMarket("XX"); ok {
		t.Error("LookupMarket(XX) found")
	}
	if _, err := e.c.GetCountryValidationRules(ctx, "XX"); !pccclient.IsNotFound(err) {
		t.Errorf("XX: err = %v, want not found", err)
	}
	if _, err := e.c.GetCountryValidationRules(ctx, "USA"); !pccclient.IsValidation(err) {
		t.Errorf("USA: err = %v, want an argument error", err)
	}
	for _, op := range []string{"list-promotions", "get-promotion", "check-promotion-eligibilities", "get-country-validation-rules"} {
		if pccclient.RequiredCredential(op) != pccclient.AppOnly {
			t.Errorf("%s needs app+user; PC documents app-only and app+user", op)
		}
	}
}

func TestLegacyOrderAndDuplicateAgreementErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "retired")
	acceptMCA(t, e, cu.ID)
	_, err := e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Order{
		LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 3}}})
	if !pccclient.IsOfferNotPurchasable(err) || !pccclient.IsForbidden(err) {
		t.Errorf("legacy order: err = %v, want 403 2091", err)
	}
	meta := must(e.c.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement))(t)
	_, err = e.c.CreateAgreement(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Agreement{
		PrimaryContact: &pccclient.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", PhoneNumber: "4255550100"},
		TemplateID:     meta.TemplateID, DateAgreed: e.sb.Now().UTC().Truncate(time.Second)})
	if !pccclient.IsAgreementAlreadyConfirmed(err) || !pccclient.IsValidation(err) {
		t.Errorf("second confirmation: err = %v, want 400 600061", err)
	}
	ags := must(pccclient.Collect(e.c.ListAgreements(ctx, cu.ID, "")))(t)
	if len(ags) != 1 || ags[0].UserID != sandbox.DefaultUsers()[0].ObjectID {
		t.Errorf("agreements = %+v, want one by the signed-in admin", ags)
	}
}
