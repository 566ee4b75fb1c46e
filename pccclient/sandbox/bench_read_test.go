package sandbox_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// readEndpoints are the sandbox's GET (and HEAD) operations with a valid
// request each, on the seeded demo state.
func readEndpoints(b *testing.B, e *tenv) []struct{ name, method, path string } {
	b.Helper()
	cid := e.demo("Contoso Ltd")
	sid := e.demoSub(cid, "Office 365 E3")
	oid := e.sub(cid, sid).str("orderId")
	nce := e.demo("Fabrikam Inc")
	cart := e.do("POST", "/v1/customers/"+nce+"/carts", map[string]any{"lineItems": []any{map[string]any{
		"id": 0, "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 1, "termDuration": "P1M", "billingCycle": "monthly"}}}).str("id")
	inv := e.do("GET", "/v1/invoices", nil).str("items.0.id")
	return []struct{ name, method, path string }{
		{"offers", "GET", "/v1/offers?country=US"},
		{"offer", "GET", "/v1/offers/" + e.offerID("Office 365 E3") + "?country=US"},
		{"offer-addons", "GET", "/v1/offers/" + e.offerID("Office 365 E3") + "/addons?country=US"},
		{"products", "GET", "/v1/products?country=US&targetView=OnlineServices"},
		{"product", "GET", "/v1/products/CFQ7TTC0LFLZ?country=US"},
		{"skus", "GET", "/v1/products/CFQ7TTC0LCHC/skus?country=US"},
		{"sku", "GET", "/v1/products/CFQ7TTC0LFLZ/skus/0002?country=US"},
		{"availabilities", "GET", "/v1/products/CFQ7TTC0LFLZ/skus/0002/availabilities?country=US"},
		{"availability", "GET", "/v1/products/CFQ7TTC0LFLZ/skus/0002/availabilities/CFQ7TTC0K4TS?country=US"},
		{"promotions", "GET", "/v1/productpromotions?country=US&segment=commercial"},
		{"promotion", "GET", "/v1/productpromotions/39NFJQT13H15:0001:39NFJQT1Q87E?country=US"},
		{"country-rules", "GET", "/v1/countryvalidationrules/US"},
		{"domain", "HEAD", "/v1/domains/contososbx.onmicrosoft.com"},
		{"customers", "GET", "/v1/customers?size=100"},
		{"customer", "GET", "/v1/customers/" + cid},
		{"agreements", "GET", "/v1/customers/" + cid + "/agreements"},
		{"custom-term-end-dates", "GET", "/v1/customers/" + nce + "/subscriptions/customTermEndDates?term_duration=P1Y"},
		{"agreement-metadata", "GET", "/v1/agreements"},
		{"cart", "GET", "/v1/customers/" + nce + "/carts/" + cart},
		{"orders", "GET", "/v1/customers/" + cid + "/orders"},
		{"order", "GET", "/v1/customers/" + cid + "/orders/" + oid},
		{"order-provisioning", "GET", "/v1/customers/" + cid + "/orders/" + oid + "/provisioningstatus"},
		{"subscriptions", "GET", "/v1/customers/" + cid + "/subscriptions"},
		{"subscription", "GET", "/v1/customers/" + cid + "/subscriptions/" + sid},
		{"subscription-addons", "GET", "/v1/customers/" + cid + "/subscriptions/" + sid + "/addons"},
		{"subscription-provisioning", "GET", "/v1/customers/" + cid + "/subscriptions/" + sid + "/provisioningstatus"},
		{"entitlements", "GET", "/v1/customers/" + cid + "/entitlements"},
		{"subscribed-skus", "GET", "/v1/customers/" + cid + "/subscribedskus"},
		{"audit-records", "GET", "/v1/auditrecords?startDate=" + e.sb.Now().Add(-89*24*time.Hour).Format("2006-01-02")},
		{"relationships", "GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"},
		{"invoices", "GET", "/v1/invoices"},
		{"invoice", "GET", "/v1/invoices/" + inv},
	}
}

// BenchmarkReadEndpoints measures every read operation with 16 concurrent
// clients over loopback (what an outside load test does), reporting
// requests per second; the target is 5,000/s each. Run it alone:
//
//	go test -run '^$' -bench ReadEndpoints -benchtime 2s ./pccclient/sandbox
func BenchmarkReadEndpoints(b *testing.B) {
	e := newEnv(b, sandbox.Options{})
	c := benchClient()
	for _, ep := range readEndpoints(b, e) {
		b.Run(ep.name, func(b *testing.B) {
			req, _ := http.NewRequest(ep.method, e.srv.URL+ep.path, nil)
			req.Header.Set("Authorization", "Bearer "+e.tokenFor(ep.path))
			req.Header.Set("X-Locale", "en-US")
			resp, err := c.Do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("%s %s: %v %v", ep.method, ep.path, err, resp)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			b.SetBytes(n)
			b.SetParallelism(8) // 16 goroutines on 2 CPUs
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := req.Clone(req.Context())
				for pb.Next() {
					resp, err := c.Do(r)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
