package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	post := func(path, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	before := e.sb.Now()
	post("/_sandbox/clock/advance", `{"seconds":90}`)
	post("/_sandbox/clock/advance", `{"duration":"1h"}`)
	if got := e.sb.Now().Sub(before); got != time.Hour+90*time.Second {
		t.Fatalf("advanced %v", got)
	}
	e.token = e.fetchToken()
	e.userToken = e.fetchUserToken()
	sum := post("/_sandbox/seed", `{"customers":12,"subscriptionsPerCustomer":2}`)
	if sum["customers"] != float64(12) || sum["subscriptions"] != float64(24) {
		t.Fatalf("seed summary: %v", sum)
	}
	post("/_sandbox/inject", `{"kind":"fail","op":"list-customers","n":1,"status":502}`)
	want(t, e.do("GET", "/v1/customers?size=1", nil), 502, "502")
	post("/_sandbox/faults", `{"throttle":{"get-agreement-metadata":{"perMinute":1}}}`)
	want(t, e.do("GET", "/v1/agreements", nil), 200, "")
	if r := e.do("GET", "/v1/agreements", nil); r.status != 429 {
		t.Fatalf("throttle over HTTP admin: %d", r.status)
	}
	req, _ := http.NewRequest("DELETE", e.srv.URL+"/_sandbox/faults", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want(t, e.do("GET", "/v1/agreements", nil), 200, "")
	post("/_sandbox/tokens/revoke", `{}`)
	want(t, e.do("GET", "/v1/agreements", nil), 401, "400")
	e.token = post("/_sandbox/token", `{}`)["access_token"].(string)
	want(t, e.do("GET", "/v1/agreements", nil, "Authorization", "Bearer "+e.token), 401, "400") // app-only
	e.userToken = post("/_sandbox/user-token", `{"user":"admin@sandbox.test"}`)["access_token"].(string)
	want(t, e.do("GET", "/v1/agreements", nil), 200, "")

	resp, err = http.Get(e.srv.URL + "/_sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	calls := st["calls"].(map[string]any)
	if calls["get-agreement-metadata"] != float64(6) || calls["list-customers"] != float64(1) {
		t.Fatalf("calls: %v", calls)
	}
	resp, err = http.Get(e.srv.URL + "/_sandbox/prices?country=GB")
	if err != nil {
		t.Fatal(err)
	}
	var prices []map[string]any
	json.NewDecoder(resp.Body).Decode(&prices)
	resp.Body.Close()
	if len(prices) < 60 || prices[0]["currency"] != "GBP" {
		t.Fatalf("prices: %d %v", len(prices), prices[:1])
	}
}
