package sandbox_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestPCThrottlingModel: with the PC model on, every listed API is
// limited per minute in its scope and answers PC's 429; unlisted APIs are
// never throttled.
func TestPCThrottlingModel(t *testing.T) {
	t.Parallel()
	small := sandbox.PCThrottling{CustomerReadsPerMinute: 3, CustomerWritesPerMinute: 2, PartnerReadsPerMinute: 4, PartnerWritesPerMinute: 2}
	partnerSubs := small
	partnerSubs.Scopes = map[string]sandbox.Scope{sandbox.OpListSubscriptions: sandbox.ScopePartner}
	// A step is a request ({a} and {b} are two customers) and the answer
	// wanted: 429 with that Retry-After, or anything else (0).
	type step struct {
		method, path string
		retryAfter   int     // 0: not throttled
		advance      float64 // seconds of sandbox time before the request
	}
	rep := func(n int, s step) []step {
		out := make([]step, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	cat := func(ss ...[]step) []step {
		var out []step
		for _, s := range ss {
			out = append(out, s...)
		}
		return out
	}
	subsA := step{method: "GET", path: "/v1/customers/{a}/subscriptions"}
	subsB := step{method: "GET", path: "/v1/customers/{b}/subscriptions"}
	tests := []struct {
		name   string
		model  sandbox.PCThrottling
		faults map[string]sandbox.Throttle
		steps  []step
	}{
		{name: "listed read: per customer, other customers go on", model: small,
			steps: cat(rep(3, subsA), []step{{method: "GET", path: "/v1/customers/{a}/subscriptions", retryAfter: 60}}, rep(3, subsB),
				[]step{{method: "GET", path: "/v1/customers/{a}/subscriptions", retryAfter: 40, advance: 20}})},
		{name: "the window frees after a minute", model: small,
			steps: cat(rep(3, subsA), []step{{method: "GET", path: "/v1/customers/{a}/subscriptions", retryAfter: 60},
				{method: "GET", path: "/v1/customers/{a}/subscriptions", advance: 60}})},
		{name: "each listed API counts on its own", model: small,
			steps: cat(rep(3, subsA), rep(3, step{method: "GET", path: "/v1/customers/{a}"}), rep(3, step{method: "GET", path: "/v1/customers/{a}/orders"}),
				[]step{{method: "GET", path: "/v1/customers/{a}", retryAfter: 60}})},
		{name: "listed write: the lower write limit", model: small,
			steps: cat(rep(2, step{method: "POST", path: "/v1/customers/{a}/carts"}),
				[]step{{method: "POST", path: "/v1/customers/{a}/carts", retryAfter: 60}, {method: "POST", path: "/v1/customers/{b}/carts"}})},
		{name: "unlisted APIs are never throttled", model: small,
			steps: cat(rep(10, step{method: "GET", path: "/v1/customers/{a}/agreements"}), rep(10, step{method: "GET", path: "/v1/customers/{a}/entitlements"}),
				rep(10, step{method: "GET", path: "/v1/customers?size=1"}), rep(10, step{method: "GET", path: "/v1/customers/{a}/subscribedskus"}))},
		{name: "an API moved to the partner scope counts across customers", model: partnerSubs,
			steps: cat(rep(2, subsA), rep(2, subsB), []step{{method: "GET", path: "/v1/customers/{b}/subscriptions", retryAfter: 60},
				{method: "GET", path: "/v1/customers/{a}/subscriptions", retryAfter: 60}})},
		{name: "a throttle fault replaces the model for its API", model: small,
			faults: map[string]sandbox.Throttle{sandbox.OpListSubscriptions: {PerMinute: 5, PerCustomer: true}},
			steps:  cat(rep(5, subsA), []step{{method: "GET", path: "/v1/customers/{a}/subscriptions", retryAfter: 60}})},
		{name: "defaults: 300 listed reads a minute per customer", model: sandbox.PCThrottling{},
			steps: cat(rep(sandbox.DefaultPCCustomerReadsPerMinute, subsA), []step{{method: "GET", path: "/v1/customers/{a}/subscriptions", retryAfter: 60}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			model := tc.model
			e := newEnv(t, sandbox.Options{PCThrottling: &model})
			if tc.faults != nil {
				e.sb.SetFaults(sandbox.Faults{Throttle: tc.faults})
			}
			list := e.do("GET", "/v1/customers?size=2", nil)
			a, b := list.str("items.0.id"), list.str("items.1.id")
			before := e.sb.Throttled()
			want429 := int64(0)
			for i, s := range tc.steps {
				if s.advance > 0 {
					e.sb.Advance(time.Duration(s.advance * float64(time.Second)))
				}
				path := strings.NewReplacer("{a}", a, "{b}", b).Replace(s.path)
				var body any
				if s.method == "POST" {
					body = map[string]any{}
				}
				r := e.do(s.method, path, body)
				if s.retryAfter == 0 {
					if r.status == 429 {
						t.Fatalf("step %d %s %s: 429, want it served", i, s.method, s.path)
					}
					continue
				}
				want429++
				msg := fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", s.retryAfter)
				if r.status != 429 || r.header.Get("Retry-After") != strconv.Itoa(s.retryAfter) || r.num("statusCode") != 429 || r.str("message") != msg {
					t.Fatalf("step %d %s %s: %d Retry-After %q %s, want 429 Retry-After %d %q", i, s.method, s.path, r.status,
						r.header.Get("Retry-After"), r.raw, s.retryAfter, msg)
				}
			}
			if got := e.sb.Throttled() - before; got != want429 {
				t.Errorf("Throttled() counted %d, want %d", got, want429)
			}
		})
	}
}

// TestPCThrottlingAdmin turns the model on over /_sandbox/faults and
// refuses scopes for APIs PC does not list.
func TestPCThrottlingAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.do("GET", "/v1/customers?size=1", nil).str("items.0.id")
	want(t, e.do("POST", "/_sandbox/faults", map[string]any{"pcModel": map[string]any{"customerReadsPerMinute": 1}}), 200, "")
	want(t, e.do("GET", "/v1/customers/"+cid, nil), 200, "")
	want(t, e.do("GET", "/v1/customers/"+cid, nil), 429, "")
	if m := e.sb.Summary().Faults.PCModel; m == nil || m.CustomerReadsPerMinute != 1 {
		t.Errorf("summary pcModel = %+v", m)
	}
	want(t, e.do("POST", "/_sandbox/faults", map[string]any{"pcModel": map[string]any{"scopes": map[string]string{sandbox.OpListAgreements: "partner"}}}), 400, "")
	want(t, e.do("DELETE", "/_sandbox/faults", nil), 200, "")
	for range 5 {
		want(t, e.do("GET", "/v1/customers/"+cid, nil), 200, "")
	}
}
