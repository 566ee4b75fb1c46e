package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestIdempotentConcurrentCreateOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("idem", true)
	offer := e.offerID("Office 365 E3")
	body := map[string]any{"billingCycle": "monthly", "lineItems": []any{li(offer, 5, "lineItemNumber", 0)}}
	const n = 20
	results := make([]res, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i] = e.do("POST", "/v1/customers/"+cid+"/orders", body, "MS-RequestId", "7d0f6b1e-1111-4b5a-9c1e-000000000001")
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.status != 201 || r.str("id") != results[0].str("id") {
			t.Fatalf("request %d: status %d id %s, want 201 %s", i, r.status, r.str("id"), results[0].str("id"))
		}
	}
	orders := e.do("GET", "/v1/customers/"+cid+"/orders", nil)
	subs := e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil)
	if orders.num("totalCount") != 1 || subs.num("totalCount") != 1 {
		t.Fatalf("orders %d subscriptions %d, want 1 and 1", orders.num("totalCount"), subs.num("totalCount"))
	}
	if got := e.sb.Calls(sandbox.OpCreateOrder); got != n {
		t.Fatalf("Calls(create-order) = %d, want %d", got, n)
	}
	// Same id, different body: refused.
	body["lineItems"] = []any{li(offer, 6, "lineItemNumber", 0)}
	want(t, e.do("POST", "/v1/customers/"+cid+"/orders", body, "MS-RequestId", "7d0f6b1e-1111-4b5a-9c1e-000000000001"), 409, "409")
}

func TestApplyThenDropThenRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("drop", true)
	body, _ := json.Marshal(map[string]any{"lineItems": []any{li(e.offerID("Power BI Pro"), 3, "lineItemNumber", 0)}})
	send := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/customers/"+cid+"/orders", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("MS-RequestId", "drop-then-retry-0001")
		return http.DefaultClient.Do(req)
	}
	e.sb.DropNext(sandbox.OpCreateOrder, 1)
	if resp, err := send(); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request got a response: %d", resp.StatusCode)
	}
	// The work was done although the response was lost.
	if n := e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil).num("totalCount"); n != 1 {
		t.Fatalf("subscriptions after dropped response = %d, want 1", n)
	}
	resp, err := send()
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	json.NewDecoder(resp.Body).Decode(&o)
	resp.Body.Close()
	if resp.StatusCode != 201 || o["id"] == nil {
		t.Fatalf("retry: %d %v", resp.StatusCode, o)
	}
	orders := e.do("GET", "/v1/customers/"+cid+"/orders", nil)
	if orders.num("totalCount") != 1 || orders.str("items.0.id") != o["id"] {
		t.Fatalf("retry did not return the original order: %v vs %s", o["id"], orders.raw)
	}
	if n := e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil).num("totalCount"); n != 1 {
		t.Fatalf("subscriptions after retry = %d, want 1", n)
	}
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	e.sb.ThrottleNext(sandbox.OpListCustomers, 1, 1500*time.Millisecond)
	r := e.do("GET", "/v1/customers?size=1", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "2" || r.num("statusCode") != 429 || !strings.HasPrefix(r.str("message"), "Rate limit is exceeded. Try again in 2 seconds") {
		t.Fatalf("throttled: %d %v %s", r.status, r.header, r.raw)
	}
	want(t, e.do("GET", "/v1/customers?size=1", nil), 200, "")

	e.sb.SetFaults(sandbox.Faults{Throttle: map[string]sandbox.Throttle{sandbox.OpGetCustomer: {PerMinute: 2}}})
	cid := e.do("GET", "/v1/customers?size=1", nil).str("items.0.id")
	for range 2 {
		want(t, e.do("GET", "/v1/customers/"+cid, nil), 200, "")
	}
	r = e.do("GET", "/v1/customers/"+cid, nil)
	if r.status != 429 || r.header.Get("Retry-After") != "60" {
		t.Fatalf("third call in a minute: %d retry-after %q", r.status, r.header.Get("Retry-After"))
	}
	want(t, e.do("GET", "/v1/customers?size=1", nil), 200, "") // other operations are not limited
	e.sb.Advance(61 * time.Second)
	want(t, e.do("GET", "/v1/customers/"+cid, nil), 200, "")
}

func TestFailNextAndErrorRate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	cid := e.newCustomer("fail", true)
	body := map[string]any{"lineItems": []any{li(e.offerID("Visio Plan 2"), 1, "lineItemNumber", 0)}}
	e.sb.FailNext(sandbox.OpCreateOrder, 1, 503)
	want(t, e.do("POST", "/v1/customers/"+cid+"/orders", body, "MS-RequestId", "fail-1"), 503, "503")
	if n := e.do("GET", "/v1/customers/"+cid+"/orders", nil).num("totalCount"); n != 0 {
		t.Fatalf("failed request created %d orders", n)
	}
	want(t, e.do("POST", "/v1/customers/"+cid+"/orders", body, "MS-RequestId", "fail-1"), 201, "")

	e.sb.SetFaults(sandbox.Faults{ErrorRate: 0.5})
	fails := 0
	for range 40 {
		if r := e.do("GET", "/v1/agreements", nil); r.status == 503 {
			fails++
		}
	}
	if fails < 8 || fails > 32 {
		t.Fatalf("error rate 0.5 gave %d/40 failures", fails)
	}
}

func TestTimeoutHangsUntilClientGivesUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	e.sb.SetFaults(sandbox.Faults{TimeoutRate: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/agreements", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokenFor("/v1/agreements"))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("timeout fault answered %d", resp.StatusCode)
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Fatalf("returned after %v, want a hang", time.Since(start))
	}
	e.sb.ResetFaults()
	want(t, e.do("GET", "/v1/agreements", nil), 200, "")
}

func TestLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	e.sb.SetFaults(sandbox.Faults{Latency: 60 * time.Millisecond})
	start := time.Now()
	want(t, e.do("GET", "/v1/agreements", nil), 200, "")
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("latency fault: answered in %v", d)
	}
}

func TestThrottlePerCustomer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	e.sb.SetFaults(sandbox.Faults{Throttle: map[string]sandbox.Throttle{sandbox.OpListSubscriptions: {PerMinute: 1, PerCustomer: true}}})
	list := e.do("GET", "/v1/customers?size=2", nil)
	a, b := list.str("items.0.id"), list.str("items.1.id")
	want(t, e.do("GET", "/v1/customers/"+a+"/subscriptions", nil), 200, "")
	if r := e.do("GET", "/v1/customers/"+a+"/subscriptions", nil); r.status != 429 {
		t.Fatalf("second call for the same customer: %d", r.status)
	}
	want(t, e.do("GET", "/v1/customers/"+b+"/subscriptions", nil), 200, "")
}
