package sandbox_test

import (
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestCartWithAddOnsAndCheckoutRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("carts", true)
	e3, arch, bi := e.offerID("Office 365 E3"), e.offerID("Exchange Online Archiving for Exchange Online"), e.offerID("Power BI Pro")

	// A base with an add-on bought together (PascalCase as documented).
	r := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"LineItems": []any{map[string]any{
		"Id": 0, "CatalogItemId": e3, "Quantity": 3, "BillingCycle": "monthly",
		"AddonItems": []any{map[string]any{"Id": 1, "CatalogItemId": arch, "Quantity": 2, "BillingCycle": "monthly"}}}}})
	want(t, r, 201, "")
	if r.str("lineItems.0.currencyCode") != "USD" || r.str("lineItems.0.addonItems.0.orderGroup") != r.str("lineItems.0.orderGroup") || r.str("status") != "Active" {
		t.Fatalf("cart: %s", r.raw)
	}
	cart := r.str("id")
	want(t, e.do("GET", "/v1/customers/"+cid+"/carts/"+cart, nil), 200, "")
	co := e.do("POST", "/v1/customers/"+cid+"/carts/"+cart+"/checkout", nil)
	want(t, co, 201, "")
	base := co.str("orders.0.lineItems.0.subscriptionId")
	if co.str("orders.0.lineItems.1.parentSubscriptionId") != base || len(co.obj["orderErrors"].([]any)) != 0 {
		t.Fatalf("checkout: %s", co.raw)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+cart+"/checkout", nil), 400, "800065")
	if g := e.do("GET", "/v1/customers/"+cid+"/carts/"+cart, nil); g.str("status") != "Ordered" {
		t.Fatalf("cart after checkout: %s", g.raw)
	}
	e.settle()
	if n := e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+base+"/addons", nil).num("totalCount"); n != 1 {
		t.Fatalf("add-ons of the cart's base = %d", n)
	}

	// An unknown catalog item makes the cart uncheckoutable.
	r = e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{"catalogItemId": "NOPE:0001:NOPE", "quantity": 1}}})
	want(t, r, 201, "")
	if r.str("lineItems.0.error.errorCode") != "CatalogItemIdIsNotValid" {
		t.Fatalf("line item error: %s", r.raw)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil), 400, "800009")
	// Fixing the cart with PUT makes it checkoutable.
	fixed := e.do("PUT", "/v1/customers/"+cid+"/carts/"+r.str("id"), map[string]any{"lineItems": []any{
		map[string]any{"catalogItemId": bi, "quantity": 1, "billingCycle": "monthly"}}})
	want(t, fixed, 201, "")
	if fixed.obj["lineItems"].([]any)[0].(map[string]any)["error"] != nil {
		t.Fatalf("updated cart still has an error: %s", fixed.raw)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil), 201, "")
	want(t, e.do("PUT", "/v1/customers/"+cid+"/carts/"+r.str("id"), map[string]any{"lineItems": []any{
		map[string]any{"catalogItemId": bi, "quantity": 1}}}), 400, "800065")
	want(t, e.do("GET", "/v1/customers/"+cid+"/carts/00000000-0000-0000-0000-000000000000", nil), 404, "800008")

	// Partial success: one order group fails its rules, the other is ordered.
	r = e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{
		map[string]any{"id": 0, "catalogItemId": bi, "quantity": 2, "billingCycle": "monthly"},
		map[string]any{"id": 1, "catalogItemId": nceBasic, "quantity": 500, "termDuration": "P1M", "billingCycle": "monthly"},
	}})
	want(t, r, 201, "")
	co = e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil)
	want(t, co, 201, "")
	if len(co.obj["orders"].([]any)) != 1 || co.num("orderErrors.0.code") != 800067 || co.str("orderErrors.0.orderGroupId") != r.str("lineItems.1.orderGroup") {
		t.Fatalf("partial checkout: %s", co.raw)
	}
	// NCE orders get opaque 33-character ids.
	r = e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{
		map[string]any{"catalogItemId": nceBasic, "quantity": 2, "termDuration": "P1Y", "billingCycle": "annual"}}})
	co = e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil)
	if id := co.str("orders.0.id"); len(id) != 33 || co.str("orders.0.billingCycle") != "annual" {
		t.Fatalf("nce order id %q: %s", id, co.raw)
	}
	// A P1M term with annual billing does not exist.
	r = e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{
		map[string]any{"catalogItemId": nceBasic, "quantity": 2, "termDuration": "P1M", "billingCycle": "annual"}}})
	if r.str("lineItems.0.error.errorCode") != "InvalidInput" {
		t.Fatalf("P1M annual: %s", r.raw)
	}
}

func TestCatalog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	r := e.do("GET", "/v1/offers?country=DE&offset=0&size=10", nil, "X-Locale", "de-DE")
	want(t, r, 200, "")
	if r.num("totalCount") < 30 || len(r.items()) != 10 || r.str("links.next.uri") != "/offers?country=DE&offset=10&size=10" || r.str("items.0.locale") != "de-DE" {
		t.Fatalf("offers page: total %d items %d next %q", r.num("totalCount"), len(r.items()), r.str("links.next.uri"))
	}
	for _, it := range r.items() {
		id := it["id"].(string)
		if it["country"] != "DE" || (len(id) == 36 && id != stringsToUpper(id)) {
			t.Fatalf("offer %v", it)
		}
	}
	want(t, e.do("GET", "/v1/offers?country=ZZ", nil), 400, "800070")
	want(t, e.do("GET", "/v1/offers/CFQ7TTC0LH18?country=US", nil), 400, "2100")
	want(t, e.do("GET", "/v1/offers/00000000-0000-0000-0000-000000000000?country=US", nil), 404, "1000")
	want(t, e.do("GET", "/v1/products?country=US&targetView=Bogus", nil), 403, "400036")
	p := e.do("GET", "/v1/products?country=US&targetView=OnlineServices", nil)
	if p.num("totalCount") < 10 {
		t.Fatalf("NCE products: %d", p.num("totalCount"))
	}
	a := e.do("GET", "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities?country=FR", nil)
	terms := dig(a.obj, "items.0.terms").([]any)
	if a.str("items.0.defaultCurrency.code") != "EUR" || len(terms) != 3 ||
		dig(a.obj, "items.0.terms.0.cancellationPolicies.0.refundOptions.1.expiresAfter") != "P7D" {
		t.Fatalf("availabilities: %s", a.raw)
	}
	want(t, e.do("GET", "/v1/products/CFQ7TTC0LH18/skus/0009?country=US", nil), 404, "400018")
	want(t, e.do("GET", "/v1/products/CFQ7TTC0ZZZZ?country=US", nil), 404, "400013")
	inv := e.do("GET", "/v1/invoices", nil)
	// Three seeded legacy invoices and the new-commerce months the demo billed.
	if inv.num("totalCount") < 4 || !strings.Contains(string(inv.raw), `"D0`) || !strings.Contains(string(inv.raw), `"G26`) {
		t.Fatalf("invoices: %s", inv.raw)
	}
	want(t, e.do("GET", "/v1/invoices/"+inv.str("items.0.id"), nil), 200, "")
	want(t, e.do("GET", "/v1/invoices/NOPE", nil), 404, "1000")
	want(t, e.do("GET", "/v1/nonexistent", nil), 404, "1000")
}

func stringsToUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestDeterministicUnderSeed(t *testing.T) {
	t.Parallel()
	ids := func() []string {
		e := newEnv(t, sandbox.Options{Seed: 99})
		var out []string
		for _, it := range e.do("GET", "/v1/customers?size=100", nil).items() {
			out = append(out, it["id"].(string))
		}
		return append(out, e.newCustomer("det", false))
	}
	a, b := ids(), ids()
	if len(a) != 8 {
		t.Fatalf("demo customers + 1 = %d", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("ids differ under the same seed: %v vs %v", a, b)
		}
	}
}

func TestNCEAddOnNeedsPrerequisiteOnTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("nceaddon", true)
	phone := "CFQ7TTC0J1FV:0001:CFQ7TTC0K8L2" // Teams Phone Standard, an add-on of suites
	cart := func() res {
		r := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{
			"catalogItemId": phone, "quantity": 2, "termDuration": "P1Y", "billingCycle": "monthly"}}})
		return e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil)
	}
	co := cart()
	if co.num("orderErrors.0.code") != 800029 || len(co.obj["orders"].([]any)) != 0 {
		t.Fatalf("add-on without base: %s", co.raw)
	}
	e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
	co = cart()
	if len(co.obj["orders"].([]any)) != 1 {
		t.Fatalf("add-on with base: %s", co.raw)
	}
}
