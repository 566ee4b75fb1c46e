package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/shopspring/decimal"
)

// catalogItem finds the catalogItemId of the NCE SKU titled title.
func (e *tenv) catalogItem(title string) string {
	e.t.Helper()
	ps := e.do("GET", "/v1/products?country=US&targetView=OnlineServices", nil)
	for _, p := range ps.items() {
		pid := p["id"].(string)
		for _, sk := range e.do("GET", "/v1/products/"+pid+"/skus?country=US", nil).items() {
			if sk["title"] != title {
				continue
			}
			sid := sk["id"].(string)
			av := e.do("GET", "/v1/products/"+pid+"/skus/"+sid+"/availabilities?country=US", nil)
			return pid + ":" + sid + ":" + av.str("items.0.id")
		}
	}
	e.t.Fatalf("no NCE SKU titled %q", title)
	return ""
}

func TestLegacyOffersAreRetired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	offers := e.do("GET", "/v1/offers?country=US", nil, "X-Locale", "en-US")
	want(t, offers, 200, "")
	if len(offers.items()) != 35 {
		t.Fatalf("%d legacy offers, want the 35 that back existing subscriptions", len(offers.items()))
	}
	for _, o := range offers.items() {
		if o["isAvailableForPurchase"] != false {
			t.Fatalf("legacy offer %v is purchasable", o["name"])
		}
	}
	cid := e.newCustomer("retired", true)
	e3 := e.offerID("Office 365 E3")
	want(t, e.order(cid, li(e3, 5)), 403, "2091")
	want(t, e.order(cid, li("MS-AZR-0145P", 1)), 403, "2091")
	cart := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{
		map[string]any{"id": 0, "catalogItemId": e3, "quantity": 5, "billingCycle": "monthly"}}})
	want(t, cart, 201, "")
	if cart.str("lineItems.0.error.errorCode") != "LegacyOfferNotEligibleForPurchase" {
		t.Fatalf("legacy cart line: %s", cart.raw)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+cart.str("id")+"/checkout", nil), 400, "800009")

	// Existing legacy subscriptions stay readable; their add-ons cannot be bought.
	contoso := e.demo("Contoso Ltd")
	base := e.demoSub(contoso, "Office 365 E3")
	o := e.sub(contoso, base).str("orderId")
	patch := e.do("PATCH", "/v1/customers/"+contoso+"/orders/"+o, map[string]any{"lineItems": []any{
		li(e.offerID("Audio Conferencing"), 2, "lineItemNumber", 2, "parentSubscriptionId", base)}})
	want(t, patch, 403, "2091")

	// The switch brings the old catalog back (for tests of legacy flows).
	e.sb.SetLegacyPurchases(true)
	if e.do("GET", "/v1/offers/"+e3+"?country=US", nil).obj["isAvailableForPurchase"] != true {
		t.Fatal("LegacyPurchases: offer still not purchasable")
	}
	want(t, e.order(cid, li(e3, 5)), 201, "")
}

func TestNCETermsBillingPlansAndAddOns(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	threeYear := map[string]bool{"Microsoft 365 E3": true, "Microsoft 365 E5": true, "Microsoft 365 Business Premium": true,
		"Dynamics 365 Sales Enterprise": true, "Dynamics 365 Business Central Essentials": true}
	addOns := 0
	for _, p := range e.do("GET", "/v1/products?country=DE&targetView=OnlineServices", nil).items() {
		pid := p["id"].(string)
		for _, sk := range e.do("GET", "/v1/products/"+pid+"/skus?country=DE", nil).items() {
			title := sk["title"].(string)
			if strings.Contains(title, p["title"].(string)+" "+p["title"].(string)) {
				t.Errorf("doubled title %q", title)
			}
			dyn := sk["dynamicAttributes"].(map[string]any)
			pre, _ := dyn["prerequisiteSkus"].([]any)
			if dyn["isAddon"] == true {
				addOns++
				if len(pre) == 0 {
					t.Errorf("add-on %s names no base", title)
				}
				for _, b := range pre {
					k := strings.Split(b.(string), ":")
					want(t, e.do("GET", "/v1/products/"+k[0]+"/skus/"+k[1]+"?country=DE", nil), 200, "")
				}
			} else if len(pre) > 0 {
				t.Errorf("base %s has prerequisites %v", title, pre)
			}
			if sk["isTrial"] == true {
				continue
			}
			av := e.do("GET", "/v1/products/"+pid+"/skus/"+sk["id"].(string)+"/availabilities?country=DE", nil)
			got := map[string]bool{}
			for _, term := range dig(av.obj, "items.0.terms").([]any) {
				tm := term.(map[string]any)
				got[tm["duration"].(string)+"/"+tm["billingCycle"].(string)] = true
			}
			if has := got["P3Y/Triennial"] && got["P3Y/Annual"] && got["P3Y/Monthly"]; has != threeYear[title] {
				t.Errorf("%s: P3Y monthly/annual/triennial = %v, want %v (%v)", title, has, threeYear[title], got)
			}
			if !got["P1Y/Monthly"] || !got["P1Y/Annual"] {
				t.Errorf("%s: no P1Y monthly and annual billing: %v", title, got)
			}
		}
	}
	if addOns < 6 {
		t.Fatalf("%d NCE add-ons, want at least 6", addOns)
	}
	// Every term has a price in every currency (the price sheets use them).
	for _, cc := range []string{"US", "DE", "GB"} {
		for _, p := range e.sb.PriceList(cc, map[string]string{"US": "USD", "DE": "EUR", "GB": "GBP"}[cc]) {
			if decimal.RequireFromString(string(p.UnitPrice)).IsZero() && !strings.Contains(p.Name, "Trial") && !strings.Contains(p.Name, "Audio Conferencing") && p.TermDuration != "" {
				t.Errorf("%s %s %s %s: no price", cc, p.Name, p.TermDuration, p.BillingCycle)
			}
		}
	}

	// A three-year term paid up front.
	cid := e.newCustomer("threeyear", true)
	e3 := e.catalogItem("Microsoft 365 E3")
	sid := e.buyNCE(cid, e3, 10, "P3Y", "triennial")
	s := e.sub(cid, sid)
	start, _ := time.Parse(time.RFC3339, s.str("effectiveStartDate"))
	end, _ := time.Parse(time.RFC3339, s.str("commitmentEndDate"))
	if s.str("termDuration") != "P3Y" || s.str("billingCycle") != "triennial" || !end.Equal(start.AddDate(3, 0, -1)) {
		t.Fatalf("P3Y subscription: term %s cycle %s %s..%s", s.str("termDuration"), s.str("billingCycle"), start, end)
	}
	o := e.do("GET", "/v1/customers/"+cid+"/orders/"+s.str("orderId")+"?include_price=true", nil)
	// The price sheet's UnitPrice (ERP $36 a month x 36 months x 0.8 =
	// 1036.80), less the automatic three-year promotion (10%).
	if lp, dp := dig(o.obj, "lineItems.0.pricing.listPrice"), dig(o.obj, "lineItems.0.pricing.price"); lp != 1036.8 || dp != 933.12 {
		t.Fatalf("P3Y triennial pricing list %v price %v: %s", lp, dp, o.raw)
	}
}
