package sandbox_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// eligibility finds a target in a transitionEligibilities answer.
func eligibility(r res, catalogItem string) map[string]any {
	for _, it := range r.items() {
		if it["catalogItemId"] == catalogItem {
			return it
		}
	}
	return nil
}

// detailOf returns isEligible and the error codes of one transition type.
func detailOf(e map[string]any, typ string) (bool, []int) {
	for _, d := range e["eligibilities"].([]any) {
		m := d.(map[string]any)
		if m["transitionType"] == typ {
			var codes []int
			for _, x := range m["errors"].([]any) {
				codes = append(codes, int(x.(map[string]any)["code"].(float64)))
			}
			return m["isEligible"].(bool), codes
		}
	}
	return false, nil
}

func TestTransitionEligibilities(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("elig", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
	path := "/v1/customers/" + cid + "/subscriptions/" + sid + "/transitionEligibilities"

	r := e.do("GET", path, nil)
	want(t, r, 200, "")
	std := eligibility(r, nceStandard)
	if std == nil || eligibility(r, nceBasic) != nil || r.num("totalCount") != len(r.items()) || std["title"] == "" || std["quantity"] != float64(5) {
		t.Fatalf("immediate eligibilities: %s", r.raw)
	}
	for _, typ := range []string{"transition_only", "transition_with_license_transfer"} {
		if ok, codes := detailOf(std, typ); !ok || len(codes) != 0 {
			t.Fatalf("%s: eligible %v %v", typ, ok, codes)
		}
	}
	sched := e.do("GET", path+"?eligibilityType=scheduled", nil)
	if eligibility(sched, nceBasic) == nil || eligibility(sched, nceStandard) == nil {
		t.Fatalf("scheduled eligibilities lack the SKU itself or its upgrade: %s", sched.raw)
	}
	want(t, e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+sid+"/transitioneligibilities?eligibilityType=Scheduled", nil), 200, "")
	want(t, e.do("GET", path+"?eligibilityType=later", nil), 400, "800002")

	// A second Business Basic subscription conflicts with a licence transfer.
	e.buyNCE(cid, nceBasic, 2, "P1Y", "monthly")
	std = eligibility(e.do("GET", path, nil), nceStandard)
	if ok, codes := detailOf(std, "transition_with_license_transfer"); ok || !slices.Equal(codes, []int{3}) {
		t.Fatalf("licence transfer with a conflicting subscription: %v %v", ok, codes)
	}
	if ok, _ := detailOf(std, "transition_only"); !ok {
		t.Fatal("transition_only should stay eligible")
	}
	// An existing Business Standard subscription on the same term is a target subscription.
	to := e.buyNCE(cid, nceStandard, 1, "P1Y", "monthly")
	std = eligibility(e.do("GET", path, nil), nceStandard)
	if dig(std, "subscriptionEligibilities.0.subscriptionId") != to || dig(std, "subscriptionEligibilities.0.isEligible") != true {
		t.Fatalf("subscription eligibilities: %v", std["subscriptionEligibilities"])
	}

	// Not provisioned yet, then not active.
	r = e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{
		"id": 0, "catalogItemId": nceBasic, "quantity": 1, "termDuration": "P1Y", "billingCycle": "monthly"}}})
	r = e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil)
	pending := dig(r.obj, "orders.0.lineItems.0.subscriptionId").(string)
	std = eligibility(e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+pending+"/transitionEligibilities", nil), nceStandard)
	if ok, codes := detailOf(std, "transition_only"); ok || !slices.Contains(codes, 9) {
		t.Fatalf("pending source: %v %v", ok, codes)
	}
	want(t, e.patchSub(cid, sid, map[string]any{"status": "suspended"}), 200, "")
	std = eligibility(e.do("GET", path, nil), nceStandard)
	if ok, codes := detailOf(std, "transition_only"); ok || !slices.Contains(codes, 2) {
		t.Fatalf("suspended source: %v %v", ok, codes)
	}
	// Legacy subscriptions have no new-commerce transition paths.
	legacy := e.order(cid, li(e.offerID("Visio Plan 2"), 2))
	e.settle()
	if n := e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+legacy.str("lineItems.0.subscriptionId")+"/transitionEligibilities", nil).num("totalCount"); n != 0 {
		t.Fatalf("legacy eligibilities %d", n)
	}
}

func TestTransitionRequestRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("transrules", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
	other := e.buyNCE(cid, nceBasic, 1, "P1M", "monthly")
	legacy := e.order(cid, li(e.offerID("Visio Plan 2"), 2))
	e.settle()
	post := func(s string, body map[string]any) res {
		return e.do("POST", "/v1/customers/"+cid+"/subscriptions/"+s+"/transitions", body)
	}
	for _, tc := range []struct {
		name   string
		sid    string
		body   map[string]any
		status int
		code   string
		teCode float64
	}{
		{"target missing", sid, map[string]any{"quantity": 1}, 400, "3000", 0},
		{"another source subscription", sid, map[string]any{"toCatalogItemId": nceStandard, "fromSubscriptionId": other}, 400, "800002", 0},
		{"unknown transition type", sid, map[string]any{"toCatalogItemId": nceStandard, "transitionType": "swap"}, 400, "800002", 0},
		{"not an upgrade path", sid, map[string]any{"toCatalogItemId": nceTrial}, 400, "800002", 8},
		{"more seats than the subscription", sid, map[string]any{"toCatalogItemId": nceStandard, "quantity": 6}, 400, "800002", 0},
		{"term the target lacks", sid, map[string]any{"toCatalogItemId": nceStandard, "termDuration": "P3Y"}, 400, "800002", 10},
		{"target subscription not eligible", sid, map[string]any{"toCatalogItemId": nceStandard, "quantity": 2, "toSubscriptionId": other}, 400, "800002", 0},
		{"legacy source", legacy.str("lineItems.0.subscriptionId"), map[string]any{"toCatalogItemId": nceStandard}, 400, "800002", 7},
		{"licence transfer beside another Basic subscription", sid, map[string]any{"toCatalogItemId": nceStandard, "transitionType": "transition_with_license_transfer"}, 400, "800002", 3},
		{"accepted", sid, map[string]any{"toCatalogItemId": nceStandard, "transitionType": "transition_only"}, 200, "", 0},
		{"a second one while the first runs", sid, map[string]any{"toCatalogItemId": ncePremium}, 400, "800002", 4},
	} {
		r := post(tc.sid, tc.body)
		if r.status != tc.status || (tc.code != "" && r.str("code") != tc.code) {
			t.Errorf("%s: %d %s, want %d %s: %s", tc.name, r.status, r.str("code"), tc.status, tc.code, r.raw)
			continue
		}
		if tc.teCode != 0 && dig(r.obj, "data.0.code") != tc.teCode {
			t.Errorf("%s: transition error %v, want %v: %s", tc.name, dig(r.obj, "data.0.code"), tc.teCode, r.raw)
		}
	}
}

func TestFullTransitionUpgradesInPlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("upgrade", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
	want(t, e.patchSub(cid, sid, map[string]any{"scheduledNextTermInstructions": map[string]any{"product": map[string]any{
		"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971", "billingCycle": "monthly", "termDuration": "P1Y"},
		"quantity": 9}}), 200, "")
	r := e.do("POST", "/v1/customers/"+cid+"/subscriptions/"+sid+"/transitions", map[string]any{
		"fromCatalogItemId": nceBasic, "fromSubscriptionId": sid, "toCatalogItemId": nceStandard, "transitionType": "transition_with_license_transfer"})
	want(t, r, 200, "")
	op := r.str("operationId")
	if op == "" || r.str("events.0.name") != "Conversion" || r.str("events.0.status") != "Started" || r.num("quantity") != 5 ||
		r.str("attributes.objectType") != "Transition" {
		t.Fatalf("transition: %s", r.raw)
	}
	if s := e.sub(cid, sid); s.str("offerId") != nceBasic {
		t.Fatalf("upgraded before the transition completed: %s", s.str("offerId"))
	}
	e.advance(time.Minute)
	list := e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+sid+"/transitions?operationId="+op, nil)
	var names []string
	for _, ev := range dig(list.obj, "items.0.events").([]any) {
		m := ev.(map[string]any)
		names = append(names, m["name"].(string)+":"+m["status"].(string))
	}
	if list.num("totalCount") != 1 || !slices.Equal(names, []string{"Conversion:Started", "Conversion:Completed", "LicenseReassignment:Completed"}) {
		t.Fatalf("transition history %v: %s", names, list.raw)
	}
	s := e.sub(cid, sid)
	if s.str("offerId") != nceStandard || s.num("quantity") != 5 || s.obj["scheduledNextTermInstructions"] != nil ||
		s.str("links.sku.uri") != "/products/CFQ7TTC0LDPB/skus/0001?country=US" {
		t.Fatalf("after the transition: %s", s.raw)
	}
	var upgrades int
	for _, a := range e.subAudits(cid, sid, e.sb.Now().Add(-day)) {
		if a["operationType"] == "upgrade_subscription" {
			upgrades++
		}
	}
	if upgrades != 1 {
		t.Fatalf("upgrade_subscription records = %d", upgrades)
	}
}

func TestPartialTransitions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("partial", true)
	sid := e.buyNCE(cid, nceBasic, 10, "P1Y", "monthly")
	post := func(body map[string]any) res {
		r := e.do("POST", "/v1/customers/"+cid+"/subscriptions/"+sid+"/transitions", body)
		want(t, r, 200, "")
		e.settle()
		return e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+sid+"/transitions?operationId="+r.str("operationId"), nil)
	}
	// Into a new subscription.
	tr := post(map[string]any{"toCatalogItemId": nceStandard, "quantity": 3})
	newSub, _ := dig(tr.obj, "items.0.toSubscriptionId").(string)
	if newSub == "" {
		t.Fatalf("partial transition made no subscription: %s", tr.raw)
	}
	if s := e.sub(cid, sid); s.num("quantity") != 7 || s.str("offerId") != nceBasic {
		t.Fatalf("source after moving 3: %s", s.raw)
	}
	ns := e.sub(cid, newSub)
	if ns.num("quantity") != 3 || ns.str("offerId") != nceStandard || ns.str("status") != "active" {
		t.Fatalf("new subscription: %s", ns.raw)
	}
	// Into that existing subscription: it gains a tranche of its own.
	post(map[string]any{"toCatalogItemId": nceStandard, "quantity": 2, "toSubscriptionId": newSub})
	if s := e.sub(cid, sid); s.num("quantity") != 5 {
		t.Fatalf("source after moving 2 more: %d", s.num("quantity"))
	}
	if total, qs, _ := refundable(t, e.sub(cid, newSub)); total != 5 || len(qs) != 2 {
		t.Fatalf("target tranches %d %v", total, qs)
	}
}

func TestTrialConvertsToPaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("trialconv", true)
	sid := e.buyNCE(cid, nceTrial, 25, "P1M", "none")
	if s := e.sub(cid, sid); !s.obj["isTrial"].(bool) || s.obj["autoRenewEnabled"].(bool) {
		t.Fatalf("trial: %s", s.raw)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/subscriptions/"+sid+"/transitions", map[string]any{"toCatalogItemId": ncePremium}), 200, "")
	e.settle()
	s := e.sub(cid, sid)
	if s.obj["isTrial"].(bool) || !s.obj["autoRenewEnabled"].(bool) || s.str("offerId") != ncePremium || s.str("billingCycle") != "monthly" {
		t.Fatalf("converted: %s", s.raw)
	}
	if total, _, _ := refundable(t, s); total != 25 {
		t.Fatalf("a converted trial opens its window: %d", total)
	}
	var conv int
	for _, a := range e.subAudits(cid, sid, e.sb.Now().Add(-day)) {
		if a["operationType"] == "convert_trial_subscription" {
			conv++
		}
	}
	if conv != 1 {
		t.Fatalf("convert_trial_subscription records = %d", conv)
	}
}
