package pccclient_test

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestThrottleScopeMatchesSandbox: the client budgets every operation in
// the scope the sandbox's PC model throttles it in.
func TestThrottleScopeMatchesSandbox(t *testing.T) {
	t.Parallel()
	model := sandbox.ThrottledOps()
	for _, op := range sandbox.Ops() {
		if got, want := pccclient.ThrottleScope(op), model[op]; string(got) != string(want) {
			t.Errorf("ThrottleScope(%s) = %q, the sandbox throttles it %q", op, got, want)
		}
	}
}

// modelEnv is a sandbox with PC's throttling model on and a client with
// its default, model-following budgets (or pinned limits) on the
// sandbox's clock.
func modelEnv(t *testing.T, customers int, pinned map[pccclient.OpClass]pccclient.RateLimit) (*env, *stepClock, []string) {
	t.Helper()
	clk := &stepClock{}
	e := newEnv(t, sandbox.Options{NoSeed: true, PCThrottling: &sandbox.PCThrottling{}}, func(c *pccclient.Config) {
		c.Clock, c.RateLimits = clk, pinned
	})
	clk.sb = e.sb
	if err := e.sb.SeedBulk(customers, 1); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for cu, err := range e.c.ListCustomers(ctxT(t), pccclient.ListCustomersOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cu.ID)
	}
	if len(ids) != customers {
		t.Fatalf("%d customers listed, want %d", len(ids), customers)
	}
	return e, clk, ids
}

// TestBudgetsReadCustomersInParallel: reading many customers at once is
// not held to one partner-wide rate, one customer is held to its own
// budget, and PC's model answers no 429 either way.
func TestBudgetsReadCustomersInParallel(t *testing.T) {
	t.Parallel()
	const customers, reads = 60, 3 // 180 listed reads, ~4 times the former 20/s burst
	tests := []struct {
		name   string
		pinned map[pccclient.OpClass]pccclient.RateLimit
		waits  bool
	}{
		{name: "model budgets: a bucket per customer", waits: false},
		{name: "the former client: one read bucket for the partner", pinned: pccclient.DefaultRateLimits(), waits: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, clk, ids := modelEnv(t, customers, tc.pinned)
			ctx := ctxT(t)
			var wg sync.WaitGroup
			errs := make(chan error, len(ids))
			for _, id := range ids {
				wg.Go(func() {
					for range reads {
						if _, err := pccclient.Collect(e.c.ListSubscriptions(ctx, id)); err != nil {
							errs <- fmt.Errorf("customer %s: %w", id, err)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if total, n := clk.Waited(); (n > 0) != tc.waits {
				t.Errorf("client waited %v in %d waits; want waits: %v", total, n, tc.waits)
			}
			if n := e.sb.Throttled(); n != 0 {
				t.Errorf("the sandbox answered %d 429s, want none", n)
			}
		})
	}

	// One customer read hard: its own budget (burst 10, then 4/s) holds
	// it under PC's 300 a minute.
	e, clk, ids := modelEnv(t, 1, nil)
	for range 30 {
		if _, err := e.c.GetCustomer(ctxT(t), ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	if total, _ := clk.Waited(); total != 5*time.Second {
		t.Errorf("30 reads of one customer waited %v, want 5s (20 beyond the burst at 4/s)", total)
	}
	if n := e.sb.Throttled(); n != 0 {
		t.Errorf("the sandbox answered %d 429s, want none", n)
	}
}

// TestBudgets429SlowsOnlyItsScope: a 429 from PC's model pauses and
// slows the customer's budget for that API; other customers and other
// APIs of the same customer keep theirs.
func TestBudgets429SlowsOnlyItsScope(t *testing.T) {
	t.Parallel()
	e, clk, ids := modelEnv(t, 2, nil)
	a, b := ids[0], ids[1]
	e.sb.SetFaults(sandbox.Faults{PCModel: &sandbox.PCThrottling{CustomerReadsPerMinute: 5}})
	ctx := t.Context() // no deadline: the client would not start a wait past one
	for range 6 {      // the 6th is throttled, waits Retry-After and is served in the next window
		if _, err := e.c.GetCustomer(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	total, n := clk.Waited()
	if e.sb.Throttled() != 1 || n != 1 || total != time.Minute {
		t.Fatalf("429s %d, client waits %d (%v); want one 429 and one wait of its Retry-After (60s)", e.sb.Throttled(), n, total)
	}
	rate := func(op, path string) float64 { // to 0.01/s
		return math.Round(float64(pccclient.ScopeRate(e.c, op, http.MethodGet, path))*100) / 100
	}
	// Halved to 2/s, then 1/20 of 4/s back for the retry that was served.
	if got := rate("get-customer", "/customers/"+a); got != 2.2 {
		t.Errorf("customer a's get-customer budget %v/s after the 429, want 2.2", got)
	}
	if got := rate("get-customer", "/customers/"+b); got != 4 {
		t.Errorf("customer b's get-customer budget %v/s, want 4", got)
	}
	if got := rate("list-subscriptions", "/customers/"+a+"/subscriptions"); got != 4 {
		t.Errorf("customer a's list-subscriptions budget %v/s, want 4", got)
	}
	for range 5 {
		if _, err := e.c.GetCustomer(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, n2 := clk.Waited(); n2 != n {
		t.Errorf("customer b waited %d times after a's 429, want not at all", n2-n)
	}
	// Served requests bring a's budget back.
	for range 4 {
		if _, err := e.c.GetCustomer(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if got := rate("get-customer", "/customers/"+a); got != 3 {
		t.Errorf("customer a's budget after 4 more successes %v/s, want 3", got)
	}
}
