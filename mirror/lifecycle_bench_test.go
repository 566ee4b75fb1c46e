package mirror_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// lifecycleChanges turns auto-renew off on n subscriptions spread over the
// customers (outside the portal: each writes an update_subscription audit
// record naming one subscription) and returns how many customers they
// touch.
func lifecycleChanges(tb testing.TB, e *tenv, n int) int {
	tb.Helper()
	ctx := context.Background()
	rows, err := e.Store.Pool.Query(ctx, `SELECT id, customer_id::text FROM subscriptions
		WHERE status = 'active' AND auto_renew_enabled AND billing_type <> 'usage' AND parent_subscription_id = ''
		ORDER BY md5(id) LIMIT $1`, n)
	if err != nil {
		tb.Fatal(err)
	}
	type sub struct{ id, cust string }
	var subs []sub
	for rows.Next() {
		var s sub
		if err := rows.Scan(&s.id, &s.cust); err != nil {
			tb.Fatal(err)
		}
		subs = append(subs, s)
	}
	if len(subs) < n {
		tb.Fatalf("only %d subscriptions to change", len(subs))
	}
	custs := map[string]bool{}
	for _, s := range subs {
		// A second apart, as changes are: the sandbox's audit record ids
		// embed the time, and the ids of a frozen clock can repeat.
		e.SB.Advance(time.Second)
		if _, err := e.Client.SetSubscriptionAutoRenew(ctx, pccclient.NewRequestID(), s.cust, s.id, false); err != nil {
			tb.Fatalf("change: %v", err)
		}
		custs[s.cust] = true
	}
	return len(custs)
}

// syncCost is what one incremental sync asked of PC and how long it took.
type syncCost struct {
	gets, lists, skus int
	took              time.Duration
}

func incrementalCost(tb testing.TB, e *tenv) syncCost {
	tb.Helper()
	g, l, k := e.SB.Calls(sandbox.OpGetSubscription), e.SB.Calls(sandbox.OpListSubscriptions), e.SB.Calls(sandbox.OpListSubscribedSkus)
	start := time.Now()
	e.Run(mirror.KindIncremental)
	return syncCost{gets: e.SB.Calls(sandbox.OpGetSubscription) - g, lists: e.SB.Calls(sandbox.OpListSubscriptions) - l,
		skus: e.SB.Calls(sandbox.OpListSubscribedSkus) - k, took: time.Since(start)}
}

// bulkEnv is a sandbox of customers with per subscriptions each, imported.
func bulkEnv(tb testing.TB, customers, per int) *tenv {
	tb.Helper()
	e := newEnv(tb, sandbox.Options{NoSeed: true}, sandboxtest.StackOptions{})
	if err := e.SB.SeedBulk(customers, per); err != nil {
		tb.Fatal(err)
	}
	e.Run(mirror.KindFull)
	e.Run(mirror.KindIncremental) // the watermark
	return e
}

// TestIncrementalLifecycleSyncIsProportional: lifecycle changes of single
// subscriptions are read one subscription each, however many
// subscriptions their customers have; the mirror then shows them.
func TestIncrementalLifecycleSyncIsProportional(t *testing.T) {
	t.Parallel()
	e := bulkEnv(t, 20, 50)
	for _, n := range []int{10, 40} {
		custs := lifecycleChanges(t, e, n)
		c := incrementalCost(t, e)
		if c.gets != n || c.lists != 0 || c.skus != 0 {
			t.Fatalf("%d changes over %d customers: %d subscription reads, %d list reads, %d licence-usage reads; want %d, 0, %d",
				n, custs, c.gets, c.lists, c.skus, n, 0)
		}
	}
	if n := e.Count(`SELECT count(*) FROM subscription_lifecycle l JOIN subscriptions s ON s.id = l.subscription_id
		WHERE NOT s.auto_renew_enabled AND NOT l.auto_renew AND l.renews_at IS NULL AND l.status = 'active'`); n < 50 {
		t.Fatalf("%d lifecycle rows follow the 50 auto-renew changes", n)
	}
}

// BenchmarkIncrementalLifecycle measures one incremental sync after 10
// and after 100 lifecycle changes against 100 customers with 100
// subscriptions each (10,000): PC calls and time grow with the changes,
// not with the customers' size.
//
//	go test ./mirror -run '^$' -bench BenchmarkIncrementalLifecycle -benchtime 1x
func BenchmarkIncrementalLifecycle(b *testing.B) {
	e := bulkEnv(b, 100, 100)
	for _, n := range []int{10, 100} {
		b.Run("changes="+strconv.Itoa(n), func(b *testing.B) {
			var c syncCost
			for b.Loop() {
				b.StopTimer()
				lifecycleChanges(b, e, n)
				b.StartTimer()
				c = incrementalCost(b, e)
			}
			b.ReportMetric(float64(c.gets), "subscription-reads")
			b.ReportMetric(float64(c.lists), "subscription-list-reads")
			b.ReportMetric(float64(c.skus), "usage-reads")
			b.ReportMetric(float64(c.took.Microseconds())/1000, "sync-ms")
			b.ReportMetric(float64(c.took.Microseconds())/1000/float64(n), "ms/change")
		})
	}
}
