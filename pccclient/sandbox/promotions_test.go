package sandbox_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// promotionID finds a running promotion of the US market by name prefix.
func (e *tenv) promotionID(name string) string {
	e.t.Helper()
	for _, p := range e.do("GET", "/v1/productpromotions?country=US&segment=commercial", nil).items() {
		if strings.HasPrefix(p["name"].(string), name) {
			return p["id"].(string)
		}
	}
	e.t.Fatalf("no running promotion %q", name)
	return ""
}

// eligibility asks promotionEligibilities about one item and returns the
// eligibility entries.
func (e *tenv) eligibility(cid string, item map[string]any) []any {
	e.t.Helper()
	r := e.do("POST", "/v1/customers/"+cid+"/promotionEligibilities", map[string]any{"items": []any{item}})
	want(e.t, r, 200, "")
	if r.str("items.0.attributes.objectType") != "PromotionEligibilities" || r.str("attributes.objectType") != "Collection" {
		e.t.Fatalf("eligibility response: %s", r.raw)
	}
	return dig(r.obj, "items.0.eligibilities").([]any)
}

func TestPromotionsListAndGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	us := e.do("GET", "/v1/productpromotions?country=US&segment=commercial", nil)
	want(t, us, 200, "")
	de := e.do("GET", "/v1/productpromotions?country=DE&segment=Commercial", nil)
	if us.num("totalCount") != 5 || de.num("totalCount") != 4 {
		t.Fatalf("running promotions US %d DE %d, want 5 and 4 (one is US only, one ended)", us.num("totalCount"), de.num("totalCount"))
	}
	p := us.items()[0]
	if dig(p, "requiredProducts.0.pricingPolicies.0.policyType") != "PercentDiscount" || dig(p, "properties.isAutoApplicable") == nil ||
		!strings.HasSuffix(p["startDate"].(string), "+00:00") {
		t.Fatalf("promotion shape: %v", p)
	}
	if e.do("GET", "/v1/productpromotions?country=US&segment=education", nil).num("totalCount") != 0 {
		t.Fatal("education promotions listed (PC supports only commercial)")
	}
	want(t, e.do("GET", "/v1/productpromotions?country=US", nil), 400, "800002")
	want(t, e.do("GET", "/v1/productpromotions?segment=commercial", nil), 400, "800002")

	// By id PC returns any promotion, also an ended one (reconciliation).
	var ended string
	for _, id := range allPromotionIDs {
		if g := e.do("GET", "/v1/productpromotions/"+id+"?country=US", nil); g.status == 200 && strings.Contains(g.str("name"), "2025") {
			ended = id
		}
	}
	if ended == "" || slices.ContainsFunc(us.items(), func(m map[string]any) bool { return m["id"] == ended }) {
		t.Fatalf("ended promotion %q not found by id, or listed as running", ended)
	}
	want(t, e.do("GET", "/v1/productpromotions/39NFJQT1ZZZZ:0001:39NFJQT1ZZZZ?country=US", nil), 404, "1000")
	us10 := e.promotionID("Exchange Online (Plan 1) US")
	want(t, e.do("GET", "/v1/productpromotions/"+us10+"?country=DE", nil), 404, "1000")

	// The Teams Phone promotion ends on 30 June 2027.
	e.advance(600 * 24 * time.Hour)
	if n := e.do("GET", "/v1/productpromotions?country=US&segment=commercial", nil).num("totalCount"); n != 4 {
		t.Fatalf("%d promotions after mid-2027, want 4", n)
	}
}

// allPromotionIDs are the seeded promotions (seed/gen_promotions.go).
var allPromotionIDs = []string{"39NFJQT13H15:0001:39NFJQT1Q87E", "39NFJQT15B9Y:0001:39NFJQT1FQ0J", "39NFJQT1M6M3:0001:39NFJQT1RU5J",
	"39NFJQT1XFDM:0001:39NFJQT1JH68", "39NFJQT185MY:0001:39NFJQT1AMQD", "39NFJQT10ZJZ:0001:39NFJQT13D1N"}

func TestPromotionEligibilityRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("promo", true)
	premium := "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF"
	bp := e.promotionID("Microsoft 365 Business Premium")
	phone := e.catalogItem("Microsoft Teams Phone Standard")
	copilot := e.catalogItem("Microsoft 365 Copilot")
	ended := allPromotionIDs[5]
	item := func(cat string, qty int, term, cycle, promo string) map[string]any {
		return map[string]any{"id": "0", "catalogItemId": cat, "quantity": qty, "termDuration": term, "billingCycle": cycle, "promotionId": promo}
	}
	cases := []struct {
		name, errType string
		item          map[string]any
	}{
		{"eligible", "", item(premium, 10, "P1Y", "Annual", bp)},
		{"wrong term", "Term", item(premium, 10, "P1M", "Monthly", bp)},
		{"too many seats", "SeatCount", item(premium, 301, "P1Y", "Annual", bp)},
		{"unknown item", "InvalidCatalogItemId", item("CFQ7TTC0ZZZZ:0001:CFQ7TTC0ZZZZ", 1, "P1Y", "Annual", bp)},
		{"unknown promotion", "InvalidPromotion", item(premium, 1, "P1Y", "Annual", "39NFJQT1ZZZZ:0001:39NFJQT1ZZZZ")},
		{"ended promotion", "InvalidPromotion", item("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5G8", 5, "P1Y", "Annual", ended)},
		{"promotion of another sku", "InvalidPromotion", item(phone, 5, "P1Y", "Annual", bp)},
		{"needs Microsoft 365 E3", "PrerequisiteProductOwnership", item(copilot, 20, "P1Y", "Annual", e.promotionID("Microsoft 365 Copilot"))},
	}
	for _, tc := range cases {
		el := e.eligibility(cid, tc.item)
		if len(el) != 1 {
			t.Fatalf("%s: %d eligibilities", tc.name, len(el))
		}
		got := el[0].(map[string]any)
		typ, _ := dig(got, "errors.0.type").(string)
		if typ != tc.errType || (got["isEligible"] == true) != (tc.errType == "") {
			t.Errorf("%s: eligibility %v, want error %q", tc.name, got, tc.errType)
		}
	}
	seat := e.eligibility(cid, item(premium, 301, "P1Y", "Annual", bp))[0]
	if dig(seat, "errors.0.maximumRequiredSeats") != 300.0 || dig(seat, "errors.0.availableSeats") != 300.0 {
		t.Errorf("SeatCount details: %v", seat)
	}
	term := e.eligibility(cid, item(premium, 1, "P1M", "Monthly", bp))[0]
	if terms, _ := dig(term, "errors.0.eligibleTerms").([]any); len(terms) != 2 {
		t.Errorf("Term: eligibleTerms %v", term)
	}

	// Without a promotion id: every running promotion of the SKU, or none.
	if el := e.eligibility(cid, item(premium, 5, "P1Y", "Monthly", "")); len(el) != 1 || dig(el[0], "promotionId") != bp {
		t.Errorf("promotions of Business Premium: %v", el)
	}
	none := e.eligibility(cid, item("CFQ7TTC0LH18:0001:CFQ7TTC0K971", 5, "P1Y", "Monthly", ""))
	if len(none) != 1 || dig(none[0], "errors.0.type") != "NoPromotionsAvailable" {
		t.Errorf("promotions of Business Basic: %v", none)
	}

	// First purchase only: after buying Teams Phone the promotion is gone.
	e.buyNCE(cid, "CFQ7TTC0LH18:0001:CFQ7TTC0K971", 5, "P1Y", "monthly") // a base for the add-on
	first := e.promotionID("Teams Phone Standard")
	if el := e.eligibility(cid, item(phone, 5, "P1Y", "Monthly", first)); dig(el[0], "isEligible") != true {
		t.Fatalf("Teams Phone before a purchase: %v", el)
	}
	e.buyNCE(cid, phone, 5, "P1Y", "monthly")
	if el := e.eligibility(cid, item(phone, 5, "P1Y", "Monthly", first)); dig(el[0], "errors.0.type") != "OfferPurchasedPreviously" {
		t.Fatalf("Teams Phone after a purchase: %v", el)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/promotionEligibilities", map[string]any{"items": []any{}}), 400, "800002")
	want(t, e.do("POST", "/v1/customers/00000000-0000-4000-8000-000000000000/promotionEligibilities",
		map[string]any{"items": []any{item(premium, 1, "P1Y", "Annual", bp)}}), 404, "60003")
}

func TestPromotionOnCartsAndOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("promobuy", true)
	premium := "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF"
	bp := e.promotionID("Microsoft 365 Business Premium")
	cart := func(qty int, term, cycle, promo string) res {
		return e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{"id": 0,
			"catalogItemId": premium, "quantity": qty, "termDuration": term, "billingCycle": cycle, "promotionId": promo}}})
	}
	bad := cart(5, "P1M", "monthly", bp)
	want(t, bad, 201, "")
	if bad.str("lineItems.0.error.errorCode") != "InvalidPromotionId" || bad.str("lineItems.0.error.additionalInformation") != "Term" {
		t.Fatalf("ineligible promotion on a cart line: %s", bad.raw)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+bad.str("id")+"/checkout", nil), 400, "800009")

	good := cart(5, "P1Y", "annual", bp)
	if good.obj["lineItems"].([]any)[0].(map[string]any)["error"] != nil {
		t.Fatalf("eligible promotion refused: %s", good.raw)
	}
	co := e.do("POST", "/v1/customers/"+cid+"/carts/"+good.str("id")+"/checkout", nil)
	want(t, co, 201, "")
	if dig(co.obj, "orders.0.lineItems.0.promotionId") != bp {
		t.Fatalf("order line without the promotion: %s", co.raw)
	}
	e.settle()
	oid := co.str("orders.0.id")
	sid := co.str("orders.0.lineItems.0.subscriptionId")
	if e.sub(cid, sid).str("promotionId") != bp {
		t.Fatal("subscription does not carry the promotion")
	}
	o := e.do("GET", "/v1/customers/"+cid+"/orders/"+oid+"?include_price=true", nil)
	// The price sheet's UnitPrice (ERP $22 a month x 12 months up front x
	// 0.8 = 211.20), 15% off.
	if dig(o.obj, "lineItems.0.pricing.listPrice") != 211.2 || dig(o.obj, "lineItems.0.pricing.price") != 179.52 ||
		dig(o.obj, "lineItems.0.pricing.extendedPrice") != 897.6 {
		t.Fatalf("promotion pricing: %s", o.raw)
	}

	// An order line with an ended promotion is refused.
	r := e.order(cid, li("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5G8", 5, "termDuration", "P1Y", "promotionId", allPromotionIDs[5]))
	want(t, r, 400, "800002")
	if !strings.Contains(r.str("description"), "InvalidPromotion") {
		t.Fatalf("ended promotion: %s", r.raw)
	}
	// Auto-applicable promotions apply without an id; others do not.
	auto := e.order(cid, li("CFQ7TTC0LFLZ:0002:CFQ7TTC0K4TS", 20, "termDuration", "P3Y"))
	want(t, auto, 201, "")
	if auto.str("lineItems.0.promotionId") != e.promotionID("Microsoft 365 E3 three-year") {
		t.Fatalf("auto-applicable promotion not applied: %s", auto.raw)
	}
	plain := e.order(cid, li(premium, 2, "termDuration", "P1Y"))
	if plain.str("lineItems.0.promotionId") != "" {
		t.Fatalf("a promotion that is not auto-applicable was applied: %s", plain.raw)
	}
}
