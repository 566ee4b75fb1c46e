package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient"
)

// TestOrderOverheadFigures measures what the portal adds to an order on
// top of Partner Center's (the sandbox's) own latency: the submit request
// (cart lock, audit entry, outbox row, River job, inline delivery, mirror
// update with the customer's subscriptions re-read, audit of the outcome)
// against a bare pccclient.CreateOrder of the same order. It runs only with
// PORTAL_BENCH_ORDERS=<n> (e.g. 1000):
//
//	PORTAL_BENCH_ORDERS=1000 go test ./web/handlers -run TestOrderOverheadFigures -v
func TestOrderOverheadFigures(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PORTAL_BENCH_ORDERS"))
	if n <= 0 {
		t.Skip("set PORTAL_BENCH_ORDERS=<orders> to measure")
	}
	// The client-side rate limits are lifted on both sides (the portal's
	// test connection and the direct client): this measures latency, not
	// PC's request budget.
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	base, _ := e.offerIDs("Office 365 E3", "%Archiving%")
	rows, err := e.st.Pool.Query(t.Context(), `SELECT c.id::text FROM customers c JOIN agreements a ON a.customer_id = c.id
		WHERE c.address_country = 'US' GROUP BY c.id ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	var custs []string
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		custs = append(custs, id)
	}
	rows.Close()
	if len(custs) == 0 {
		t.Fatal("no US customer with an agreement")
	}
	cfg, err := e.stack.PC.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sandboxtest.Unlimited(&cfg)
	pc, err := pccclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Bare PC latency.
	direct := make([]time.Duration, 0, n)
	for i := range n {
		cust := custs[i%len(custs)]
		o := pccclient.Order{ReferenceCustomerID: cust, BillingCycle: "monthly",
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: base, Quantity: 1}}}
		start := time.Now()
		if _, err := pc.CreateOrder(t.Context(), uuid.NewString(), cust, o); err != nil {
			t.Fatalf("direct order %d: %v", i, err)
		}
		direct = append(direct, time.Since(start))
	}
	// Through the portal.
	portal := make([]time.Duration, 0, n)
	for i := range n {
		cust := custs[i%len(custs)]
		if p := e.post(c, "/customers/"+cust+"/cart/lines", url.Values{"item_id": {base}, "quantity": {"1"}}); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("cart line %d: %d\n%s", i, p.StatusCode, p.body)
		}
		start := time.Now()
		p := e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {uuid.NewString()}})
		portal = append(portal, time.Since(start))
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("order %d: %d\n%s", i, p.StatusCode, p.body)
		}
	}
	var failed int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM commands WHERE status <> 'succeeded'`).Scan(&failed); err != nil || failed != 0 {
		t.Fatalf("%d orders not delivered inline (err %v)", failed, err)
	}
	pct := func(d []time.Duration, p float64) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[min(len(s)-1, int(float64(len(s))*p))]
	}
	t.Logf("%d orders over %d customers", n, len(custs))
	t.Logf("sandbox CreateOrder alone: p50 %v p99 %v", pct(direct, 0.50), pct(direct, 0.99))
	t.Logf("portal submit (outbox + inline delivery + mirror update): p50 %v p99 %v", pct(portal, 0.50), pct(portal, 0.99))
	t.Logf("portal overhead: p50 %v p99 %v", pct(portal, 0.50)-pct(direct, 0.50), pct(portal, 0.99)-pct(direct, 0.99))
}
