package sandbox_test

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestCustomerPagingOverManyPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	if err := e.sb.SeedBulk(47, 1); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	pages := 0
	r := e.do("GET", "/v1/customers?size=10", nil)
	for {
		want(t, r, 200, "")
		pages++
		for _, it := range r.items() {
			id := it["id"].(string)
			if seen[id] {
				t.Fatalf("customer %s returned twice", id)
			}
			seen[id] = true
		}
		next, _ := dig(r.obj, "links.next").(map[string]any)
		if next == nil {
			break
		}
		hdr := dig(next, "headers.0").(map[string]any)
		if hdr["key"] != "MS-ContinuationToken" || r.str("continuationToken") != hdr["value"] {
			t.Fatalf("next link: %v", next)
		}
		r = e.do("GET", "/v1"+next["uri"].(string), nil, "MS-ContinuationToken", hdr["value"].(string))
	}
	if pages != 5 || len(seen) != 47 || r.num("totalCount") != 47 {
		t.Fatalf("pages %d customers %d total %d; want 5, 47, 47", pages, len(seen), r.num("totalCount"))
	}
	f := url.QueryEscape(`{"Field":"CompanyName","Value":"bulk customer 00001","Operator":"starts_with"}`)
	if n := e.do("GET", "/v1/customers?size=100&filter="+f, nil).num("totalCount"); n != 10 {
		t.Fatalf("filtered customers = %d, want 10", n)
	}
}

func TestAuditRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true, NoSeed: true})
	e.advance(24 * time.Hour)
	today := e.sb.Now().Format("2006-01-02")
	cid := e.newCustomer("audited", true)
	o := e.order(cid, li(e.offerID("Office 365 E3"), 5))
	e.settle()
	want(t, e.patchSub(cid, o.str("lineItems.0.subscriptionId"), map[string]any{"quantity": 6}), 200, "")

	r := e.do("GET", "/v1/auditrecords?startDate="+today, nil)
	want(t, r, 200, "")
	var ops []string
	for _, it := range r.items() {
		ops = append(ops, it["operationType"].(string))
	}
	if got := strings.Join(ops, ","); got != "add_customer,create_agreement,create_order,update_subscription" {
		t.Fatalf("operation types: %s", got)
	}
	rec := r.items()[2]
	var order map[string]any
	if err := json.Unmarshal([]byte(rec["resourceNewValue"].(string)), &order); err != nil || order["Id"] != o.str("id") || order["LineItems"] == nil {
		t.Fatalf("resourceNewValue is not the PascalCase order: %v %v", err, rec["resourceNewValue"])
	}
	if rec["resourceType"] != "order" || rec["customerId"] != cid || rec["operationStatus"] != "succeeded" {
		t.Fatalf("record: %v", rec)
	}
	// Paging with size=1 and a filter.
	f := url.QueryEscape(`{"Field":"ResourceType","Value":"Customer","Operator":"equals"}`)
	r = e.do("GET", "/v1/auditrecords?startDate="+today+"&size=1&filter="+f, nil)
	if r.num("totalCount") != 1 || r.str("items.0.operationType") != "add_customer" {
		t.Fatalf("filtered: %s", r.raw)
	}
	r = e.do("GET", "/v1/auditrecords?startDate="+today+"&size=3", nil)
	tok := r.str("continuationToken")
	r = e.do("GET", "/v1/auditrecords?size=3&seekOperation=next", nil, "MS-ContinuationToken", tok)
	if len(r.items()) != 1 || r.str("items.0.operationType") != "update_subscription" {
		t.Fatalf("second page: %s", r.raw)
	}
	old := e.sb.Now().Add(-91 * 24 * time.Hour).Format("2006-01-02")
	want(t, e.do("GET", "/v1/auditrecords?startDate="+old, nil), 400, "")
}

func TestStateFileSurvivesRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	sb, err := sandbox.New(sandbox.Options{Seed: 7, StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	e := &tenv{t: t, sb: sb}
	e.srv = newServer(t, sb)
	e.token = e.fetchToken()
	e.connectAdmin()
	cid := e.newCustomer("persisted", true)
	e.order(cid, li(e.offerID("Visio Plan 2"), 2))
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	before := sb.Summary()

	sb2, err := sandbox.New(sandbox.Options{Seed: 7, StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer sb2.Close()
	after := sb2.Summary()
	if after.Customers != before.Customers || after.Subscriptions != before.Subscriptions || after.AuditRecords != before.AuditRecords || !after.Now.Equal(before.Now) {
		t.Fatalf("restored %+v, saved %+v", after, before)
	}
	e2 := &tenv{t: t, sb: sb2, srv: newServer(t, sb2)}
	e2.token = e2.fetchToken()
	want(t, e2.do("GET", "/v1/customers/"+cid, nil), 200, "")
	// New ids continue from the saved random state instead of repeating.
	if id := e2.newCustomer("second", false); id == cid {
		t.Fatal("id repeated after restart")
	}
}

func TestSeedBulkScale(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk seeding in -short mode")
	}
	t.Parallel()
	sb, err := sandbox.New(sandbox.Options{Seed: 3, NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	customers := 10000
	if raceEnabled {
		customers = 1000 // the race detector slows allocation-heavy code ~10x
	}
	start := time.Now()
	if err := sb.SeedBulk(customers, 10); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	sum := sb.Summary()
	t.Logf("SeedBulk(%d, 10) took %v", customers, took)
	if sum.Customers != customers || sum.Subscriptions != customers*10 {
		t.Fatalf("seeded %d customers, %d subscriptions", sum.Customers, sum.Subscriptions)
	}
	if took > 30*time.Second {
		t.Fatalf("SeedBulk took %v", took)
	}
	e := &tenv{t: t, sb: sb, srv: newServer(t, sb)}
	e.token = e.fetchToken()
	r := e.do("GET", "/v1/customers?size=500", nil)
	cid := r.str("items.0.id")
	subs := e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil)
	if subs.num("totalCount") != 10 || subs.str("items.0.status") != "active" {
		t.Fatalf("bulk customer subscriptions: %d %s", subs.num("totalCount"), subs.str("items.0.status"))
	}
}
