package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	nceStandard = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM"
	ncePremium  = "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF"
	nceTrial    = "CFQ7TTC0LCHC:0001:CFQ7TTC0HXQ1"
	nceAzure    = "DZH318Z0BPS6:0001:DZH318Z0BPS6"
)

// lifecycle reads the sandbox's calendar of a subscription over HTTP.
func (e *tenv) lifecycle(cid, sid string) sandbox.Lifecycle {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + "/_sandbox/customers/" + cid + "/subscriptions/" + sid + "/lifecycle")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var l sandbox.Lifecycle
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("lifecycle: %d %v", resp.StatusCode, err)
	}
	return l
}

// subAudits returns the customer's audit records about subscription sid
// (resourceNewValue names it), oldest first.
func (e *tenv) subAudits(cid, sid string, since time.Time) []map[string]any {
	e.t.Helper()
	f := url.QueryEscape(`{"Field":"CustomerId","Value":"` + cid + `","Operator":"equals"}`)
	r := e.do("GET", "/v1/auditrecords?startDate="+since.Format("2006-01-02")+"&filter="+f, nil)
	want(e.t, r, 200, "")
	var out []map[string]any
	for _, it := range r.items() {
		var v struct{ Id string }
		if s, _ := it["resourceNewValue"].(string); json.Unmarshal([]byte(s), &v) == nil && v.Id == sid {
			out = append(out, it)
		}
	}
	return out
}

// refundable returns refundableQuantity as total and per-window quantities.
func refundable(t *testing.T, s res) (int, []int, []string) {
	t.Helper()
	rq, ok := s.obj["refundableQuantity"].(map[string]any)
	if !ok {
		t.Fatalf("no refundableQuantity: %s", s.raw)
	}
	var qs []int
	var until []string
	for _, d := range rq["details"].([]any) {
		m := d.(map[string]any)
		qs = append(qs, int(m["quantity"].(float64)))
		until = append(until, m["allowedUntilDateTime"].(string))
	}
	return int(rq["totalQuantity"].(float64)), qs, until
}

func TestTranchesEachHaveTheirWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("tranche", true)
	sid := e.buyNCE(cid, nceBasic, 10, "P1Y", "monthly")
	s := e.sub(cid, sid)
	if total, qs, _ := refundable(t, s); total != 10 || len(qs) != 1 {
		t.Fatalf("after purchase: %s", s.raw)
	}
	cancelUntil := s.str("cancellationAllowedUntilDate")
	e.advance(3 * day)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 15}), 200, "")
	total, qs, until := refundable(t, e.sub(cid, sid))
	if total != 15 || len(qs) != 2 || qs[0] != 10 || qs[1] != 5 {
		t.Fatalf("after adding 5: total %d %v", total, qs)
	}
	if u, _ := time.Parse(time.RFC3339, until[1]); !u.Equal(e.sb.Now().Add(7 * day)) {
		t.Fatalf("second tranche closes %s, want %s", until[1], e.sb.Now().Add(7*day))
	}
	e.advance(5 * day) // 8 days after purchase: the first tranche's window closed
	s = e.sub(cid, sid)
	if total, qs, _ := refundable(t, s); total != 5 || len(qs) != 1 || qs[0] != 5 {
		t.Fatalf("8 days later: %s", s.raw)
	}
	if c := s.str("cancellationAllowedUntilDate"); c != cancelUntil || c == "" {
		// Cancelling is tied to the purchase (or renewal), not to seat adds.
		t.Fatalf("cancellationAllowedUntilDate moved from %s to %s", cancelUntil, c)
	}
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 9}), 400, "800090")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 10}), 200, "")
	if total, _, _ := refundable(t, e.sub(cid, sid)); total != 0 {
		t.Fatalf("all refundable seats removed, total %d", total)
	}
	if l := e.lifecycle(cid, sid); len(l.Tranches) != 0 {
		t.Fatalf("lifecycle tranches %+v", l.Tranches)
	}
}

func TestDecreaseTakesNewestTrancheFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("newest", true)
	sid := e.buyNCE(cid, nceBasic, 10, "P1Y", "monthly")
	e.advance(day)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 15}), 200, "")
	e.advance(day)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 12}), 200, "")
	if total, qs, _ := refundable(t, e.sub(cid, sid)); total != 12 || qs[0] != 10 || qs[1] != 2 {
		t.Fatalf("after removing 3: %d %v", total, qs)
	}
	e.advance(6 * day) // the purchase tranche closes; the 2 of the increase stay
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 9}), 400, "800090")
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 10}), 200, "")
}

func TestRenewalOpensATrancheAtTheNewPrice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	e.sb.SetTermPricer(func(q sandbox.TermPriceQuery) (decimal.Decimal, bool) {
		if q.Renewal {
			return decimal.RequireFromString("7.95"), true
		}
		return decimal.Decimal{}, false
	})
	cid := e.newCustomer("renewal", true)
	sid := e.buyNCE(cid, nceBasic, 4, "P1M", "monthly")
	l := e.lifecycle(cid, sid)
	if l.RenewsAt == nil || l.RenewsAt.Before(l.TermEnd) || !l.RenewsAt.Before(l.TermEnd.Add(24*time.Hour)) {
		t.Fatalf("renewal time %v for term end %v", l.RenewsAt, l.TermEnd)
	}
	// The purchase is priced from the price sheet: UnitPrice of the P1M
	// monthly plan, ERP 7.20 x 0.8.
	if len(l.Terms) != 1 || !l.Terms[0].UnitPrice.Equal(decimal.RequireFromString("5.76")) || l.Terms[0].Renewal {
		t.Fatalf("purchase term: %+v", l.Terms)
	}
	end := l.TermEnd
	e.advance(l.RenewsAt.Sub(e.sb.Now()) - time.Second)
	if s := e.sub(cid, sid); s.str("commitmentEndDate") != end.Add(-day).Format(time.RFC3339) {
		t.Fatalf("renewed before its queue slot: %s", s.str("commitmentEndDate"))
	}
	e.advance(2 * time.Second)
	s := e.sub(cid, sid)
	total, qs, until := refundable(t, s)
	if total != 4 || len(qs) != 1 || until[0] != end.Add(7*day).Format(time.RFC3339) {
		t.Fatalf("renewal tranche: %d %v %v", total, qs, until)
	}
	if s.str("cancellationAllowedUntilDate") != end.Add(7*day).Format(time.RFC3339) {
		t.Fatalf("window after renewal: %s", s.raw)
	}
	l = e.lifecycle(cid, sid)
	if len(l.Terms) != 2 || !l.Terms[1].Renewal || !l.Terms[1].UnitPrice.Equal(decimal.RequireFromString("7.95")) || !l.Terms[1].Start.Equal(end) {
		t.Fatalf("renewed term: %+v", l.Terms)
	}
	var renewals int
	for _, a := range e.subAudits(cid, sid, end.Add(-40*day)) {
		if a["applicationId"] == "FulfillmentService" && a["operationType"] == "update_subscription" {
			renewals++
		}
	}
	if renewals != 1 {
		t.Fatalf("renewal audit records = %d", renewals)
	}
}

func TestScheduledChangeRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("schedrules", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1M", "monthly")
	standard := e.buyNCE(cid, nceStandard, 5, "P1M", "monthly")
	legacy := e.order(cid, li(e.offerID("Visio Plan 2"), 2))
	e.settle()
	legacySub := legacy.str("lineItems.0.subscriptionId")
	next := func(product string, qty int, mod ...func(map[string]any)) map[string]any {
		parts := splitID(product)
		p := map[string]any{"productId": parts[0], "skuId": parts[1], "availabilityId": parts[2], "billingCycle": "Annual", "termDuration": "P1Y"}
		m := map[string]any{"product": p, "quantity": qty}
		for _, f := range mod {
			f(m)
		}
		return map[string]any{"scheduledNextTermInstructions": m}
	}
	termEnd := e.lifecycle(cid, sid).TermEnd
	for _, tc := range []struct {
		name   string
		sid    string
		body   map[string]any
		status int
		code   string
	}{
		{"same SKU, other term and quantity", sid, next(nceBasic, 12), 200, ""},
		{"upgrade at renewal", sid, next(nceStandard, 5), 200, ""},
		{"downgrade is not a scheduled target", standard, next(nceBasic, 5), 400, "800002"},
		{"unknown catalog item", sid, next("CFQ7TTC0XXXX:0001:CFQ7TTC0YYYY", 5), 400, "800004"},
		{"term the target lacks", sid, next(nceBasic, 5, func(m map[string]any) { m["product"].(map[string]any)["termDuration"] = "P3Y" }), 400, "800002"},
		{"quantity zero", sid, next(nceBasic, 0), 400, "2002"},
		{"quantity above the maximum", sid, next(nceBasic, 100000), 400, "2002"},
		{"product missing", sid, map[string]any{"scheduledNextTermInstructions": map[string]any{"quantity": 3}}, 400, "3000"},
		{"custom end before the next term", sid, next(nceBasic, 5, func(m map[string]any) { m["customTermEndDate"] = termEnd.Add(-day).Format(time.RFC3339) }), 400, "800002"},
		{"custom end inside the next term", sid, next(nceBasic, 5, func(m map[string]any) { m["customTermEndDate"] = termEnd.Add(100 * day).Format(time.RFC3339) }), 200, ""},
		{"auto-renew off in the same request", sid, merge(next(nceBasic, 5), map[string]any{"autoRenewEnabled": false}), 400, "800002"},
		{"with a quantity change", sid, merge(next(nceBasic, 7), map[string]any{"quantity": 6}), 400, "800002"},
		{"legacy subscription", legacySub, next(nceBasic, 5), 400, "3000"},
		{"clear", sid, map[string]any{"scheduledNextTermInstructions": nil}, 200, ""},
	} {
		r := e.patchSub(cid, tc.sid, tc.body)
		if r.status != tc.status || (tc.code != "" && r.str("code") != tc.code) {
			t.Errorf("%s: %d %s, want %d %s: %s", tc.name, r.status, r.str("code"), tc.status, tc.code, r.raw)
		}
	}
	// Auto-renew off: no scheduling (PC's prerequisite).
	want(t, e.patchSub(cid, sid, map[string]any{"autoRenewEnabled": false}), 200, "")
	want(t, e.patchSub(cid, sid, next(nceBasic, 5)), 400, "800002")
	// A downgrade's refusal carries PC's TransitionError.
	r := e.patchSub(cid, standard, next(nceBasic, 5))
	if dig(r.obj, "data.0.code") != float64(8) {
		t.Fatalf("refusal data: %s", r.raw)
	}
}

func splitID(id string) []string {
	var out []string
	start := 0
	for i := range len(id) {
		if id[i] == ':' {
			out = append(out, id[start:i])
			start = i + 1
		}
	}
	return append(out, id[start:])
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestMidTermChangesWipeScheduledChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("wipe", true)
	next := map[string]any{"scheduledNextTermInstructions": map[string]any{"product": map[string]any{"productId": "CFQ7TTC0LH18",
		"skuId": "0001", "availabilityId": "CFQ7TTC0K971", "billingCycle": "Annual", "termDuration": "P1Y"}, "quantity": 8}}
	for _, tc := range []struct {
		name   string
		change map[string]any
		wiped  bool
	}{
		{"seat increase", map[string]any{"quantity": 6}, true},
		{"seat decrease in the window", map[string]any{"quantity": 4}, true},
		{"auto-renew off", map[string]any{"autoRenewEnabled": false}, true},
		{"suspension", map[string]any{"status": "suspended"}, true},
		{"rename", map[string]any{"friendlyName": "Front office"}, false},
	} {
		sid := e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
		want(t, e.patchSub(cid, sid, next), 200, "")
		r := e.patchSub(cid, sid, tc.change)
		want(t, r, 200, "")
		if got := r.obj["scheduledNextTermInstructions"] == nil; got != tc.wiped {
			t.Errorf("%s: instructions wiped = %v, want %v: %s", tc.name, got, tc.wiped, r.raw)
		}
	}
}

func TestScheduledSKUChangeAppliesAtRenewal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("schedsku", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1M", "monthly")
	want(t, e.patchSub(cid, sid, map[string]any{"scheduledNextTermInstructions": map[string]any{"product": map[string]any{
		"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "CFQ7TTC0K5DM", "billingCycle": "annual", "termDuration": "P1Y"},
		"quantity": 7}}), 200, "")
	e.advance(32 * day)
	s := e.sub(cid, sid)
	if s.str("offerId") != nceStandard || s.str("offerName") != "Microsoft 365 Business Standard" || s.num("quantity") != 7 ||
		s.str("termDuration") != "P1Y" || s.str("billingCycle") != "annual" || s.obj["scheduledNextTermInstructions"] != nil {
		t.Fatalf("after renewal: %s", s.raw)
	}
	if total, _, _ := refundable(t, s); total != 7 {
		t.Fatalf("renewal tranche %d", total)
	}
}

func TestLifecycleAdminEndpointUnknownSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("lcadmin", true)
	resp, err := http.Get(e.srv.URL + "/_sandbox/customers/" + cid + "/subscriptions/00000000-0000-4000-8000-000000000000/lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown subscription: %d", resp.StatusCode)
	}
	if _, err := e.sb.Lifecycle(cid, "nope"); err == nil {
		t.Fatal("Lifecycle of an unknown subscription: no error")
	}
}
