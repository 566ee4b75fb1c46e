package sandbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// statusAt advances the clock to at (plus a second) and returns the status.
func (e *tenv) statusAt(cid, sid string, at time.Time) string {
	e.t.Helper()
	if d := at.Add(time.Second).Sub(e.sb.Now()); d > 0 {
		e.advance(d)
	}
	return e.sub(cid, sid).str("status")
}

func TestPostTermPaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(e *tenv, cid, sid string)
		// steps: days after the term end and the status expected then.
		steps []struct {
			days   int
			status string
		}
	}{
		{"auto-renew off: expired, disabled, deleted",
			func(e *tenv, cid, sid string) {
				want(e.t, e.patchSub(cid, sid, map[string]any{"autoRenewEnabled": false}), 200, "")
			},
			[]struct {
				days   int
				status string
			}{{0, "expired"}, {29, "expired"}, {30, "disabled"}, {119, "disabled"}, {120, "deleted"}}},
		{"suspended at the term end: disabled, deleted",
			func(e *tenv, cid, sid string) {
				want(e.t, e.patchSub(cid, sid, map[string]any{"status": "suspended"}), 200, "")
			},
			[]struct {
				days   int
				status string
			}{{-1, "suspended"}, {0, "disabled"}, {119, "disabled"}, {120, "deleted"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, sandbox.Options{LegacyPurchases: true})
			cid := e.newCustomer("postterm", true)
			sid := e.buyNCE(cid, nceBasic, 5, "P1M", "monthly")
			tc.setup(e, cid, sid)
			end := e.lifecycle(cid, sid).TermEnd
			prev := ""
			for _, st := range tc.steps {
				// Processing waits for the sub's renewal-queue slot (under 4 h).
				at := end.Add(time.Duration(st.days) * day).Add(4 * time.Hour)
				if st.days < 0 {
					at = end.Add(-time.Hour)
				}
				if got := e.statusAt(cid, sid, at); got != st.status {
					t.Fatalf("%d days after the term end: %s, want %s", st.days, got, st.status)
				}
				if st.status != prev && st.days >= 0 {
					// Each change is an audit record naming the subscription.
					found := false
					for _, a := range e.subAudits(cid, sid, at.Add(-2*day)) {
						var v struct{ Status string }
						_ = json.Unmarshal([]byte(a["resourceNewValue"].(string)), &v)
						found = found || (a["applicationId"] == "FulfillmentService" && v.Status == st.status)
					}
					if !found {
						t.Fatalf("no audit record for %s", st.status)
					}
				}
				prev = st.status
			}
			want(t, e.patchSub(cid, sid, map[string]any{"quantity": 6}), 400, "2011")
		})
	}
}

func TestSuspendedNewCommerce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("nceSusp", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
	want(t, e.patchSub(cid, sid, map[string]any{"scheduledNextTermInstructions": map[string]any{"product": map[string]any{
		"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971", "billingCycle": "monthly", "termDuration": "P1M"},
		"quantity": 3}}), 200, "")
	e.advance(10 * day)
	r := e.patchSub(cid, sid, map[string]any{"status": "suspended"})
	want(t, r, 200, "")
	if r.obj["autoRenewEnabled"].(bool) || r.obj["scheduledNextTermInstructions"] != nil || r.str("suspensionReasons.0") != "CustomerCancellation" {
		t.Fatalf("suspended: %s", r.raw)
	}
	l := e.lifecycle(cid, sid)
	if l.BilledUntil == nil || !l.BilledUntil.Equal(l.TermEnd) || l.DisabledAt == nil || !l.DisabledAt.Equal(l.TermEnd) ||
		l.DeletedAt == nil || !l.DeletedAt.Equal(l.TermEnd.Add(120*day)) || l.SuspendedAt == nil {
		t.Fatalf("suspended calendar: %+v", l)
	}
	for _, tc := range []struct {
		name   string
		change map[string]any
		status int
		code   string
	}{
		{"seat change", map[string]any{"quantity": 6}, 400, "2001"},
		{"auto-renew on", map[string]any{"autoRenewEnabled": true}, 400, "800091"},
		{"cancel after the window", map[string]any{"status": "deleted"}, 400, "900117"},
		{"reactivate", map[string]any{"status": "active"}, 200, ""},
	} {
		r := e.patchSub(cid, sid, tc.change)
		if r.status != tc.status || (tc.code != "" && r.str("code") != tc.code) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.str("code"), tc.status, tc.code)
		}
	}
	// Reactivating restores neither auto-renew nor the scheduled changes.
	s := e.sub(cid, sid)
	if s.str("status") != "active" || s.obj["autoRenewEnabled"].(bool) || s.obj["scheduledNextTermInstructions"] != nil {
		t.Fatalf("reactivated: %s", s.raw)
	}
	if l := e.lifecycle(cid, sid); l.RenewsAt != nil || l.ExpiresAt == nil {
		t.Fatalf("without auto-renew it expires at the term end: %+v", l)
	}

	// Inside the window a suspended subscription can still be cancelled.
	sid2 := e.buyNCE(cid, nceStandard, 2, "P1M", "monthly")
	want(t, e.patchSub(cid, sid2, map[string]any{"status": "suspended"}), 200, "")
	want(t, e.patchSub(cid, sid2, map[string]any{"status": "deleted"}), 200, "")

	// Usage-billed new commerce (Azure plan) cannot be suspended.
	az := e.buyNCE(cid, nceAzure, 1, "", "monthly")
	want(t, e.patchSub(cid, az, map[string]any{"status": "suspended"}), 400, "800096")
}

func TestLegacySuspendedIsDeletedAfter90Days(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("legsusp", true)
	r := e.order(cid, li(e.offerID("Visio Plan 2"), 2))
	e.settle()
	sid := r.str("lineItems.0.subscriptionId")
	want(t, e.patchSub(cid, sid, map[string]any{"status": "suspended"}), 200, "")
	suspended := e.sb.Now()
	l := e.lifecycle(cid, sid)
	if l.DeletedAt == nil || !l.DeletedAt.Equal(suspended.Add(90*day)) || l.BilledUntil == nil || !l.BilledUntil.Equal(suspended) {
		t.Fatalf("legacy suspended calendar: %+v", l)
	}
	if st := e.statusAt(cid, sid, suspended.Add(89*day)); st != "suspended" {
		t.Fatalf("89 days: %s", st)
	}
	if st := e.statusAt(cid, sid, suspended.Add(90*day)); st != "deleted" {
		t.Fatalf("90 days: %s", st)
	}
	// The demo's suspended legacy subscription was suspended ten days ago.
	e2 := newEnv(t, sandbox.Options{LegacyPurchases: true})
	nw := e2.demo("Northwind Traders GmbH")
	visio := e2.demoSub(nw, "Visio Plan 2")
	if l := e2.lifecycle(nw, visio); l.DeletedAt == nil || !l.DeletedAt.Equal(e2.sb.Now().Add(80*day)) {
		t.Fatalf("demo suspended visio: %+v", l)
	}
}

func TestAddOnProvisionedUnderASuspendedBaseStaysSuspended(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{OrderDelay: 30 * time.Second, LegacyPurchases: true})
	cid := e.newCustomer("addonfix", true)
	base := e.order(cid, li(e.offerID("Office 365 E1"), 10))
	e.advance(time.Minute)
	baseSub := base.str("lineItems.0.subscriptionId")
	r := e.do("PATCH", "/v1/customers/"+cid+"/orders/"+base.str("id"), map[string]any{"lineItems": []any{
		li(e.offerID("Audio Conferencing"), 4, "parentSubscriptionId", baseSub)}})
	want(t, r, 200, "")
	addon := r.str("lineItems.1.subscriptionId")
	if st := e.sub(cid, addon).str("status"); st != "pending" {
		t.Fatalf("add-on before provisioning: %s", st)
	}
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "suspended"}), 200, "")
	e.advance(time.Minute)
	a := e.sub(cid, addon)
	if a.str("status") != "suspended" || a.str("suspensionReasons.0") != "ParentSuspended" {
		t.Fatalf("add-on provisioned under a suspended base: %s", a.raw)
	}
	// It comes back with its base.
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "active"}), 200, "")
	if st := e.sub(cid, addon).str("status"); st != "active" {
		t.Fatalf("add-on after reactivating the base: %s", st)
	}
}

func TestAuditIdsStayUniqueForOneChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("auditids", true)
	base := e.order(cid, li(e.offerID("Office 365 E1"), 10))
	e.settle()
	baseSub := base.str("lineItems.0.subscriptionId")
	for range 2 {
		want(t, e.do("PATCH", "/v1/customers/"+cid+"/orders/"+base.str("id"), map[string]any{"lineItems": []any{
			li(e.offerID("Audio Conferencing"), 1, "parentSubscriptionId", baseSub)}}), 200, "")
	}
	e.settle()
	want(t, e.patchSub(cid, baseSub, map[string]any{"status": "suspended"}), 200, "")
	seen := map[string]bool{}
	for _, it := range e.auditAll().items() {
		id := it["id"].(string)
		if seen[id] {
			t.Fatalf("duplicate audit record id %s", id)
		}
		seen[id] = true
	}
}
