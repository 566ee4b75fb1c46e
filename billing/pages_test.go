package billing_test

import (
	"testing"
	"time"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/store"
)

// An invoice page past its TTL is answered at once from the cache while
// it is read again; a page far older than that is read before answering.
func TestInvoicePageAnswersStaleWhileItReadsAgain(t *testing.T) {
	const ttl = 200 * time.Millisecond
	f := newFixture(t, billing.Options{PageCacheTTL: ttl})
	setTotal := func(v int) {
		t.Helper()
		if _, err := f.env.Store.Pool.Exec(f.ctx, `INSERT INTO billing_invoices (id, period_start, period_end, currency, total)
			VALUES ('G000000001', '2026-11-01', '2026-11-30', 'USD', $1) ON CONFLICT (id) DO UPDATE SET total = excluded.total`, v); err != nil {
			t.Fatal(err)
		}
	}
	total := func() int64 {
		t.Helper()
		p, err := f.s.InvoicePage(f.ctx, "G000000001", store.BillingCustomerFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		return p.Invoice.Total.IntPart()
	}
	setTotal(100)
	if got := total(); got != 100 {
		t.Fatalf("first read: total %d, want 100", got)
	}
	setTotal(200)
	if got := total(); got != 100 {
		t.Fatalf("within the TTL: total %d, want the cached 100", got)
	}
	time.Sleep(ttl + ttl/4)
	if got := total(); got != 100 {
		t.Fatalf("past the TTL: total %d, want the stale 100 answered at once", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for total() != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the stale page was never read again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	setTotal(300)
	time.Sleep(10*ttl + ttl/2)
	if got := total(); got != 300 {
		t.Fatalf("ten TTLs later: total %d, want 300 read before answering", got)
	}
}
