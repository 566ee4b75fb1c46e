package pccclient_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// benchTarget returns a seeded customer and one of its subscriptions.
func benchTarget(b *testing.B, e *env) (string, string) {
	b.Helper()
	ctx := ctxT(b)
	for cu, err := range e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{}) {
		if err != nil {
			b.Fatal(err)
		}
		for s, err := range e.c.ListSubscriptions(ctx, cu.ID) {
			if err != nil {
				b.Fatal(err)
			}
			return cu.ID, s.ID
		}
	}
	b.Fatal("no seeded subscription")
	return "", ""
}

// BenchmarkGetSubscription measures a typed GetSubscription through the
// client (headers, rate limiter, token cache, decode with the round-trip
// codec) against the sandbox over loopback.
func BenchmarkGetSubscription(b *testing.B) {
	e := newEnv(b, sandbox.Options{}, func(c *pccclient.Config) { c.HTTPClient = nil })
	cust, sub := benchTarget(b, e)
	ctx := ctxT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.c.GetSubscription(ctx, cust, sub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawGetSubscription is the baseline: a plain http GET of the same
// URL with a bearer token, body read and discarded.
func BenchmarkRawGetSubscription(b *testing.B) {
	e := newEnv(b, sandbox.Options{}, nil)
	cust, sub := benchTarget(b, e)
	tok := e.sb.IssueToken()
	url := e.url + "/v1/customers/" + cust + "/subscriptions/" + sub
	hc := http.DefaultClient
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
