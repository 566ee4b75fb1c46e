package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	nceBasic = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
	day      = 24 * time.Hour
)

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/customers?size=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: status %d", resp.StatusCode)
	}
	e2 := *e
	e2.token = "not-a-token"
	want(t, e2.do("GET", "/v1/customers?size=1", nil), 401, "400")
	want(t, e.do("GET", "/v1/customers?size=1", nil), 200, "")
	e.sb.RevokeTokens()
	want(t, e.do("GET", "/v1/customers?size=1", nil), 401, "400")
	e.token = e.fetchToken()
	e.sb.Advance(61 * time.Minute)
	want(t, e.do("GET", "/v1/customers?size=1", nil), 401, "400")

	c := e.sb.Credentials()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {"wrong"}}
	resp, err = http.PostForm(e.srv.URL+"/"+c.TenantID+"/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var oe map[string]any
	json.NewDecoder(resp.Body).Decode(&oe)
	resp.Body.Close()
	if resp.StatusCode != 401 || oe["error"] != "invalid_client" || !strings.HasPrefix(oe["error_description"].(string), "AADSTS7000215") {
		t.Fatalf("bad secret: %d %v", resp.StatusCode, oe)
	}
	form.Set("client_secret", c.ClientSecret)
	form.Set("scope", "https://api.partnercenter.microsoft.com/.default")
	resp, err = http.PostForm(e.srv.URL+"/"+c.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var v2 map[string]any
	json.NewDecoder(resp.Body).Decode(&v2)
	resp.Body.Close()
	if v2["expires_in"] != float64(3600) || v2["access_token"] == "" {
		t.Fatalf("v2 token shape: %v", v2)
	}
}

func TestCustomerCreateAndDomainTaken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	body, err := os.ReadFile(examplesDir + "/customer-create.request.json")
	if err != nil {
		t.Fatal(err)
	}
	if r := e.do("HEAD", "/v1/domains/xyz.ccsctp.net", nil); r.status != 404 {
		t.Fatalf("free domain: HEAD status %d", r.status)
	}
	r := e.do("POST", "/v1/customers", body) // PascalCase request as documented
	want(t, r, 201, "")
	if r.str("companyProfile.domain") != "xyz.ccsctp.net" || r.str("userCredentials.userName") != "admin" ||
		r.str("userCredentials.password") == "" || r.str("billingProfile.culture") != "en-US" || r.str("attributes.objectType") != "Customer" {
		t.Fatalf("create response: %s", r.raw)
	}
	g := e.do("GET", "/v1/customers/"+r.str("id"), nil)
	want(t, g, 200, "")
	if g.obj["userCredentials"] != nil {
		t.Fatalf("credentials must only be returned once: %s", g.raw)
	}
	if r := e.do("HEAD", "/v1/domains/xyz.ccsctp.net", nil); r.status != 200 {
		t.Fatalf("taken domain: HEAD status %d", r.status)
	}
	want(t, e.do("POST", "/v1/customers", body), 409, "409")
	want(t, e.do("POST", "/v1/customers", `{"companyProfile":{"domain":"x.example"}}`), 400, "3000")
	want(t, e.do("GET", "/v1/customers/00000000-0000-0000-0000-000000000000", nil), 404, "60003")
}

func TestOrderBeforeMCA(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("nomca", false)
	want(t, e.order(cid, li(e.offerID("Office 365 E3"), 5)), 403, "13605")
	r := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{"catalogItemId": nceBasic, "quantity": 1, "termDuration": "P1M", "billingCycle": "monthly"}}})
	want(t, r, 201, "")
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil), 403, "13605")
	e.acceptMCA(cid)
	want(t, e.order(cid, li(e.offerID("Office 365 E3"), 5)), 201, "")
	r = e.do("GET", "/v1/customers/"+cid+"/agreements", nil)
	if r.num("totalCount") != 1 || r.str("items.0.type") != "MicrosoftCustomerAgreement" {
		t.Fatalf("agreements: %s", r.raw)
	}
}

func TestQuantityOutsideMinMax(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("qty", true)
	basic := e.offerID("Microsoft 365 Business Basic") // 1..300
	want(t, e.order(cid, li(basic, 0)), 400, "2002")
	want(t, e.order(cid, li(basic, 301)), 403, "800067")
	r := e.order(cid, li(basic, 300))
	want(t, r, 201, "")
	e.settle()
	sid := r.str("lineItems.0.subscriptionId")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 301}), 400, "2002")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 0}), 400, "2002")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 299}), 200, "")
	want(t, e.do("POST", "/v1/customers/"+cid+"/orders", map[string]any{"lineItems": []any{
		map[string]any{"lineItemNumber": 1, "offerId": basic, "quantity": 1}}}), 400, "800071")
}

func TestAddOnNeedsActivePrerequisiteParent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("addon", true)
	archiving := e.offerID("Exchange Online Archiving for Exchange Online")
	want(t, e.order(cid, li(archiving, 2)), 400, "800029")

	bi := e.order(cid, li(e.offerID("Power BI Pro"), 3)) // not a prerequisite of archiving
	base := e.order(cid, li(e.offerID("Office 365 E3"), 5))
	want(t, base, 201, "")
	e.settle()
	biSub := bi.str("lineItems.0.subscriptionId")
	want(t, e.do("PATCH", "/v1/customers/"+cid+"/orders/"+bi.str("id"), map[string]any{"lineItems": []any{
		map[string]any{"lineItemNumber": 0, "offerId": archiving, "parentSubscriptionId": biSub, "quantity": 2}}}), 400, "800029")

	baseSub := base.str("lineItems.0.subscriptionId")
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "suspended"}), 200, "")
	patch := map[string]any{"ReferenceCustomerId": cid, "LineItems": []any{ // PascalCase as in order-patch-addon.request.json
		map[string]any{"LineItemNumber": 0, "OfferId": archiving, "ParentSubscriptionId": strings.ToUpper(baseSub), "Quantity": 2, "FriendlyName": "Archive"}}}
	want(t, e.do("PATCH", "/v1/customers/"+cid+"/orders/"+base.str("id"), patch), 400, "800029")
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "active"}), 200, "")

	r := e.do("PATCH", "/v1/customers/"+cid+"/orders/"+base.str("id"), patch)
	want(t, r, 200, "")
	if r.num("lineItems.1.lineItemNumber") != 1 || r.str("lineItems.1.parentSubscriptionId") != strings.ToUpper(baseSub) || r.str("status") != "pending" {
		t.Fatalf("patched order: %s", r.raw)
	}
	e.settle()
	addons := e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+baseSub+"/addons", nil)
	if addons.num("totalCount") != 1 || addons.str("items.0.status") != "active" || addons.str("items.0.offerId") != archiving {
		t.Fatalf("addons: %s", addons.raw)
	}
}

func TestNCEWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("nce", true)
	sid := e.buyNCE(cid, nceBasic, 10, "P1Y", "monthly")
	s := e.sub(cid, sid)
	if s.str("status") != "active" || s.str("cancellationAllowedUntilDate") == "" || s.str("refundOptions.0.type") != "Full" || s.str("productType.id") != "OnlineServicesNCE" {
		t.Fatalf("nce sub: %s", s.raw)
	}
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 8}), 200, "") // inside the window
	e.advance(167 * time.Hour)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 7}), 200, "")
	e.advance(2 * time.Hour) // 169 h after purchase
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 6}), 400, "800090")
	want(t, e.patchSub(cid, sid, map[string]any{"status": "deleted"}), 400, "900117")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 12}), 200, "") // increases are always fine
	// Seats added mid-term can be removed within 168 h of their addition, no more.
	e.advance(100 * time.Hour)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 11}), 200, "")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 6}), 400, "800090")
	e.advance(100 * time.Hour)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 10}), 400, "800090")
	want(t, e.patchSub(cid, sid, map[string]any{"billingCycle": "annual"}), 400, "800097")

	// After renewal the window opens again.
	e.advance(352 * day) // purchase + 1 y + ~2 d: renewed, inside the new window
	s = e.sub(cid, sid)
	if s.str("status") != "active" {
		t.Fatalf("renewed sub: %s", s.raw)
	}
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 5}), 200, "")

	// Cancel inside the window, then the subscription is terminal.
	sid2 := e.buyNCE(cid, nceBasic, 3, "P1M", "monthly")
	want(t, e.patchSub(cid, sid2, map[string]any{"status": "deleted"}), 200, "")
	want(t, e.patchSub(cid, sid2, map[string]any{"quantity": 4}), 400, "2011")
}

func TestExpiredIsTerminal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("expire", true)
	sid := e.buyNCE(cid, nceBasic, 3, "P1M", "monthly")
	want(t, e.patchSub(cid, sid, map[string]any{"autoRenewEnabled": false}), 200, "")
	e.advance(40 * day)
	if st := e.sub(cid, sid).str("status"); st != "expired" {
		t.Fatalf("status after term without auto-renew = %s", st)
	}
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 4}), 400, "800040")
	want(t, e.patchSub(cid, sid, map[string]any{"status": "active"}), 400, "800040")
}

func TestSuspendCascadesAndReactivation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("susp", true)
	base := e.order(cid, li(e.offerID("Office 365 E1"), 10))
	e.settle()
	baseSub := base.str("lineItems.0.subscriptionId")
	r := e.do("PATCH", "/v1/customers/"+cid+"/orders/"+base.str("id"), map[string]any{"lineItems": []any{
		li(e.offerID("Audio Conferencing"), 4, "parentSubscriptionId", baseSub)}})
	want(t, r, 200, "")
	e.settle()
	addonSub := r.str("lineItems.1.subscriptionId")

	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "suspended"}), 200, "")
	if st := e.sub(cid, addonSub).str("status"); st != "suspended" {
		t.Fatalf("add-on status after suspending base = %s", st)
	}
	want(t, e.patchSub(cid, baseSub, map[string]any{"quantity": 11}), 400, "2001")
	want(t, e.patchSub(cid, baseSub, map[string]any{"autoRenewEnabled": false}), 400, "800091")
	want(t, e.patchSub(cid, addonSub, map[string]any{"status": "active"}), 409, "27009")
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "active"}), 200, "")
	if st := e.sub(cid, addonSub).str("status"); st != "active" {
		t.Fatalf("add-on status after reactivating base = %s", st)
	}
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "deleted"}), 400, "800040")
	want(t, e.patchSub(cid, baseSub, map[string]any{"billingCycle": "annual"}), 400, "2054")
}

func TestEtag(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("etag", true)
	r := e.order(cid, li(e.offerID("Visio Plan 2"), 2))
	e.settle()
	sid := r.str("lineItems.0.subscriptionId")
	old := e.sub(cid, sid).str("attributes.etag")
	want(t, e.patchSub(cid, sid, map[string]any{"friendlyName": "Diagrams"}, "If-Match", `"`+old+`"`), 200, "")
	want(t, e.patchSub(cid, sid, map[string]any{"friendlyName": "Again"}, "If-Match", `"`+old+`"`), 400, "2055")
}

func TestAsyncOrderAndEntitlements(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true, OrderDelay: 30 * time.Second})
	cid := e.newCustomer("async", true)
	r := e.order(cid, li(e.offerID("Project Plan 3"), 4), li(e.offerID("Microsoft Azure"), 1))
	want(t, r, 201, "")
	oid, sid := r.str("id"), r.str("lineItems.0.subscriptionId")
	if r.str("status") != "pending" || e.sub(cid, sid).str("status") != "pending" {
		t.Fatalf("new order should be pending: %s", r.raw)
	}
	if n := e.do("GET", "/v1/customers/"+cid+"/entitlements", nil).num("totalCount"); n != 0 {
		t.Fatalf("entitlements before provisioning = %d", n)
	}
	ps := e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+sid+"/provisioningstatus", nil)
	if ps.str("status") != "pending" {
		t.Fatalf("provisioning status: %s", ps.raw)
	}
	ops := e.do("GET", "/v1/customers/"+cid+"/orders/"+oid+"/provisioningstatus", nil)
	if ops.num("totalCount") != 2 || ops.str("items.0.status") != "pending" {
		t.Fatalf("order provisioning status: %s", ops.raw)
	}
	e.sb.Advance(29 * time.Second)
	if st := e.do("GET", "/v1/customers/"+cid+"/orders/"+oid, nil).str("status"); st != "pending" {
		t.Fatalf("order status before delay = %s", st)
	}
	e.sb.Advance(2 * time.Second)
	o := e.do("GET", "/v1/customers/"+cid+"/orders/"+oid+"?include_price=true", nil)
	if o.str("status") != "completed" || e.sub(cid, sid).str("status") != "active" || dig(o.obj, "lineItems.0.pricing.listPrice") == nil {
		t.Fatalf("order after delay: %s", o.raw)
	}
	if st := e.do("GET", "/v1/customers/"+cid+"/orders/"+oid+"/provisioningstatus", nil).str("items.1.status"); st != "fulfilled" {
		t.Fatalf("order provisioning status after delay = %s", st)
	}
	byOrder := e.do("GET", "/v1/customers/"+cid+"/subscriptions?order_id="+oid, nil)
	if byOrder.num("totalCount") != 2 {
		t.Fatalf("subscriptions by order: %s", byOrder.raw)
	}
	ents := e.do("GET", "/v1/customers/"+cid+"/entitlements", nil)
	if ents.num("totalCount") != 2 {
		t.Fatalf("entitlements: %s", ents.raw)
	}
	skus := e.do("GET", "/v1/customers/"+cid+"/subscribedskus", nil)
	if skus.num("totalCount") != 1 || skus.num("items.0.activeUnits") != 4 ||
		skus.num("items.0.availableUnits") != skus.num("items.0.activeUnits")-skus.num("items.0.consumedUnits") {
		t.Fatalf("subscribed skus: %s", skus.raw)
	}
	// The customer's admins assign licences: consumedUnits follows, capped
	// at the seats bought.
	part := skus.str("items.0.productSku.skuPartNumber")
	for _, c := range []struct{ assign, want int }{{4, 4}, {9, 4}, {1, 1}} {
		want(t, e.do("POST", "/_sandbox/customers/"+cid+"/licenses", map[string]any{"skuPartNumber": strings.ToLower(part), "assigned": c.assign}), 200, "")
		skus = e.do("GET", "/v1/customers/"+cid+"/subscribedskus", nil)
		if got := skus.num("items.0.consumedUnits"); got != c.want || skus.num("items.0.availableUnits") != 4-c.want {
			t.Fatalf("assigned %d: %s", c.assign, skus.raw)
		}
	}
	want(t, e.do("POST", "/_sandbox/customers/"+cid+"/licenses", map[string]any{"skuPartNumber": part, "assigned": -1}), 400, "")
	want(t, e.patchSub(cid, sid, map[string]any{"status": "suspended"}), 200, "")
	if n := e.do("GET", "/v1/customers/"+cid+"/entitlements", nil).num("totalCount"); n != 1 {
		t.Fatalf("entitlements after suspension = %d", n)
	}
	skus = e.do("GET", "/v1/customers/"+cid+"/subscribedskus", nil)
	if skus.num("items.0.suspendedUnits") != 4 || skus.num("items.0.activeUnits") != 0 {
		t.Fatalf("subscribed skus after suspension: %s", skus.raw)
	}
}

func TestLegacyExpiryTakesAddOnsAlong(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("legacyexp", true)
	base := e.order(cid, li(e.offerID("Office 365 E3"), 4))
	e.settle()
	baseSub := base.str("lineItems.0.subscriptionId")
	r := e.do("PATCH", "/v1/customers/"+cid+"/orders/"+base.str("id"), map[string]any{"lineItems": []any{
		li(e.offerID("Office 365 Extra File Storage"), 10, "parentSubscriptionId", baseSub)}})
	want(t, r, 200, "")
	e.settle()
	addon := r.str("lineItems.1.subscriptionId")
	want(t, e.patchSub(cid, baseSub, map[string]any{"autoRenewEnabled": false}), 200, "")
	e.advance(366 * day)
	if b, a := e.sub(cid, baseSub).str("status"), e.sub(cid, addon).str("status"); b != "expired" || a != "expired" {
		t.Fatalf("after the term: base %s, add-on %s", b, a)
	}
	// Expired subscriptions grant no entitlements.
	if n := e.do("GET", "/v1/customers/"+cid+"/entitlements", nil).num("totalCount"); n != 0 {
		t.Fatalf("entitlements of expired subscriptions = %d", n)
	}
}

func TestPricesFollowCountry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.demo("Northwind Traders GmbH") // DE
	orders := e.do("GET", "/v1/customers/"+cid+"/orders?include_price=true", nil)
	if orders.str("items.0.currencyCode") != "EUR" || orders.str("items.0.currencySymbol") != "€" {
		t.Fatalf("DE order currency: %s", orders.raw)
	}
	list := dig(orders.obj, "items.0.lineItems.0.pricing.listPrice").(float64)
	qty := dig(orders.obj, "items.0.lineItems.0.quantity").(float64)
	ext := dig(orders.obj, "items.0.lineItems.0.pricing.extendedPrice").(float64)
	if list <= 0 || ext < list*qty-0.01 || ext > list*qty+0.01 {
		t.Fatalf("pricing: list %v qty %v extended %v", list, qty, ext)
	}
	us := e.do("GET", "/v1/customers/"+e.demo("Contoso Ltd")+"/orders?include_price=true", nil)
	if us.str("items.0.currencyCode") != "USD" {
		t.Fatalf("US order currency: %s", us.str("items.0.currencyCode"))
	}
	if p := e.do("GET", "/v1/customers/"+cid+"/orders", nil); dig(p.obj, "items.0.lineItems.0.pricing") != nil {
		t.Fatalf("pricing without include_price: %s", p.raw)
	}
}

func TestScheduledNextTermAppliesAtRenewal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("nextterm", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1M", "monthly")
	next := map[string]any{"product": map[string]any{"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971",
		"billingCycle": "Annual", "termDuration": "P1Y"}, "quantity": 9}
	r := e.patchSub(cid, sid, map[string]any{"scheduledNextTermInstructions": next})
	want(t, r, 200, "")
	if dig(r.obj, "scheduledNextTermInstructions.quantity") != float64(9) {
		t.Fatalf("instructions not stored: %s", r.raw)
	}
	e.advance(35 * day)
	s := e.sub(cid, sid)
	if s.num("quantity") != 9 || s.str("termDuration") != "P1Y" || s.str("billingCycle") != "annual" || s.obj["scheduledNextTermInstructions"] != nil {
		t.Fatalf("after renewal: %s", s.raw)
	}
	var renewals int
	for _, it := range e.do("GET", "/v1/auditrecords?startDate="+e.sb.Now().Add(-40*day).Format("2006-01-02")+"&filter="+
		`%7B%22Field%22%3A%22CustomerId%22%2C%22Value%22%3A%22`+cid+`%22%2C%22Operator%22%3A%22equals%22%7D`, nil).items() {
		if it["operationType"] == "update_subscription" && it["applicationId"] == "FulfillmentService" {
			renewals++
		}
	}
	if renewals != 1 {
		t.Fatalf("renewal audit records = %d, want 1", renewals)
	}
}

func TestIndirectResellerOnRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	rel := e.do("GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", nil)
	if rel.num("totalCount") != 3 || rel.str("items.0.mpnId") != "4847383" {
		t.Fatalf("resellers: %s", rel.raw)
	}
	cid := e.newCustomer("indirect", true)
	intune := e.offerID("Microsoft Intune")
	want(t, e.order(cid, li(intune, 5, "partnerIdOnRecord", "1111111")), 404, "800015")
	want(t, e.order(cid, li(intune, 5, "partnerIdOnRecord", "4847999")), 403, "900123")
	r := e.order(cid, li(intune, 5, "partnerIdOnRecord", "4847383"))
	want(t, r, 201, "")
	subs := e.do("GET", "/v1/customers/"+cid+"/subscriptions?mpn_id=4847383", nil)
	if subs.num("totalCount") != 1 || subs.str("items.0.partnerId") != "4847383" {
		t.Fatalf("subscriptions by partner: %s", subs.raw)
	}
}

func TestTrialLifetimeLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("trial", true)
	trial := e.offerID("Microsoft 365 Business Basic Trial")
	r := e.do("POST", "/v1/customers/"+cid+"/orders", map[string]any{"billingCycle": "none", "lineItems": []any{li(trial, 25, "lineItemNumber", 0)}})
	want(t, r, 201, "")
	want(t, e.do("POST", "/v1/customers/"+cid+"/orders", map[string]any{"billingCycle": "none", "lineItems": []any{li(trial, 1, "lineItemNumber", 0)}}), 400, "27006")
	e.settle()
	sid := r.str("lineItems.0.subscriptionId")
	want(t, e.patchSub(cid, sid, map[string]any{"autoRenewEnabled": true}), 400, "800093")
	if n := e.do("GET", "/v1/customers/"+cid+"/entitlements", nil).num("totalCount"); n != 0 {
		t.Fatalf("a trial is not a paid entitlement; got %d", n)
	}
}
