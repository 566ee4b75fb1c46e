package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func benchClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 256
	return &http.Client{Transport: tr}
}

func benchGet(b *testing.B, c *http.Client, url, token string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkListSubscriptions lists a customer with 50 subscriptions.
func BenchmarkListSubscriptions(b *testing.B) {
	e := newEnv(b, sandbox.Options{NoSeed: true})
	if err := e.sb.SeedBulk(1, 50); err != nil {
		b.Fatal(err)
	}
	cid := e.do("GET", "/v1/customers?size=1", nil).str("items.0.id")
	url := e.srv.URL + "/v1/customers/" + cid + "/subscriptions"
	c := benchClient()
	for b.Loop() {
		benchGet(b, c, url, e.token)
	}
}

// BenchmarkCreateOrder creates one-line legacy orders (each a new MS-RequestId).
func BenchmarkCreateOrder(b *testing.B) {
	e := newEnv(b, sandbox.Options{})
	cid := e.newCustomer("bench", true)
	body := `{"billingCycle":"monthly","lineItems":[{"lineItemNumber":0,"offerId":"` + e.offerID("Office 365 E3") + `","quantity":5}]}`
	c := benchClient()
	i := 0
	for b.Loop() {
		i++
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/customers/"+cid+"/orders", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("MS-RequestId", fmt.Sprintf("bench-%d", i))
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkGetParallel measures simple GETs per second over loopback with
// throttling off (the sandbox must not limit later sync benchmarks).
func BenchmarkGetParallel(b *testing.B) {
	e := newEnv(b, sandbox.Options{})
	cid := e.do("GET", "/v1/customers?size=1", nil).str("items.0.id")
	url := e.srv.URL + "/v1/customers/" + cid
	c := benchClient()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchGet(b, c, url, e.token)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHandlerGet measures the sandbox's own cost of a GET, without
// the network (what is left of a loopback request's time is net/http).
func BenchmarkHandlerGet(b *testing.B) {
	e := newEnv(b, sandbox.Options{})
	cid := e.do("GET", "/v1/customers?size=1", nil).str("items.0.id")
	h := e.sb.Handler()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/v1/customers/"+cid, nil)
			req.Header.Set("Authorization", "Bearer "+e.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHandlerListSubscriptions is BenchmarkListSubscriptions without
// the network.
func BenchmarkHandlerListSubscriptions(b *testing.B) {
	e := newEnv(b, sandbox.Options{NoSeed: true})
	if err := e.sb.SeedBulk(1, 50); err != nil {
		b.Fatal(err)
	}
	cid := e.do("GET", "/v1/customers?size=1", nil).str("items.0.id")
	h := e.sb.Handler()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/v1/customers/"+cid+"/subscriptions", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
