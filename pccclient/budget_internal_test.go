package pccclient

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestBudgetKey: which budget each call draws on.
func TestBudgetKey(t *testing.T) {
	t.Parallel()
	const cid = "0C2A6A4E-2DE4-4F5B-9A3D-2F1C1A0B9E77"
	lower := "0c2a6a4e-2de4-4f5b-9a3d-2f1c1a0b9e77"
	d := DefaultBudgets()
	movedOrders := d
	movedOrders.Scopes = map[string]Scope{"list-orders": ScopePartner}
	inf := RateLimit{Rate: rate.Inf}
	tests := []struct {
		name    string
		budgets Budgets
		pinned  map[OpClass]RateLimit
		call    call
		kind    budgetKind
		key     string
		limit   RateLimit
	}{
		{name: "listed read: per customer", call: call{op: "list-subscriptions", class: ClassRead, method: "GET", path: "/customers/" + cid + "/subscriptions"},
			kind: budgetCustomer, key: "list-subscriptions/" + lower, limit: d.CustomerRead},
		{name: "a next-page link with /v1 and a query: same customer", call: call{op: "list-subscriptions", class: ClassRead, method: "GET", path: "/v1/customers/" + lower + "/subscriptions?seek=2"},
			kind: budgetCustomer, key: "list-subscriptions/" + lower, limit: d.CustomerRead},
		{name: "get customer by id", call: call{op: "get-customer", class: ClassRead, method: "GET", path: "/customers/" + cid},
			kind: budgetCustomer, key: "get-customer/" + lower, limit: d.CustomerRead},
		{name: "listed write: the customer's write budget", call: call{op: "create-order", class: ClassWrite, method: "POST", path: "/customers/" + cid + "/orders"},
			kind: budgetCustomer, key: "create-order/" + lower, limit: d.CustomerWrite},
		{name: "patch of a listed URL", call: call{op: "patch-subscription", class: ClassWrite, method: "PATCH", path: "/customers/" + cid + "/subscriptions/s1"},
			kind: budgetCustomer, key: "patch-subscription/" + lower, limit: d.CustomerWrite},
		{name: "unlisted read: no client limit, pause only", call: call{op: "list-subscribed-skus", class: ClassRead, method: "GET", path: "/customers/" + cid + "/subscribedskus"},
			kind: budgetPauseOnly, key: "op:list-subscribed-skus", limit: inf},
		{name: "unlisted catalog read", call: call{op: "list-offers", class: ClassCatalog, method: "GET", path: "/offers"},
			kind: budgetPauseOnly, key: "op:list-offers", limit: inf},
		{name: "unlisted write: the partner-wide write class", call: call{op: "create-customer", class: ClassWrite, method: "POST", path: "/customers"},
			kind: budgetUnlisted, key: "class:write", limit: d.Unlisted[ClassWrite]},
		{name: "an API moved to the partner scope", budgets: movedOrders, call: call{op: "list-orders", class: ClassRead, method: "GET", path: "/customers/" + cid + "/orders"},
			kind: budgetPartner, key: "list-orders", limit: d.PartnerRead},
		{name: "moving an unlisted API does nothing", budgets: Budgets{Scopes: map[string]Scope{"list-agreements": ScopePartner}},
			call: call{op: "list-agreements", class: ClassRead, method: "GET", path: "/customers/" + cid + "/agreements"},
			kind: budgetPauseOnly, key: "op:list-agreements", limit: inf},
		{name: "RateLimits pins the class", pinned: map[OpClass]RateLimit{ClassRead: {Rate: 20, Burst: 40}},
			call: call{op: "list-subscriptions", class: ClassRead, method: "GET", path: "/customers/" + cid + "/subscriptions"},
			kind: budgetPinned, key: "class:read", limit: RateLimit{Rate: 20, Burst: 40}},
		{name: "RateLimits rate.Inf lifts the class", pinned: map[OpClass]RateLimit{ClassWrite: inf},
			call: call{op: "create-order", class: ClassWrite, method: "POST", path: "/customers/" + cid + "/orders"}, kind: budgetNone, limit: inf},
		{name: "a pinned class leaves the others on the model", pinned: map[OpClass]RateLimit{ClassWrite: inf},
			call: call{op: "get-order", class: ClassRead, method: "GET", path: "/customers/" + cid + "/orders/o1"},
			kind: budgetCustomer, key: "get-order/" + lower, limit: d.CustomerRead},
	}
	for _, tc := range tests {
		b := tc.budgets.withDefaults()
		kind, key, limit := b.budgetKey(tc.pinned, &tc.call)
		if kind != tc.kind || key != tc.key || limit != tc.limit {
			t.Errorf("%s: got %v %q %+v, want %v %q %+v", tc.name, kind, key, limit, tc.kind, tc.key, tc.limit)
		}
	}
}

// TestBucketAdapts: a 429 pauses the scope for Retry-After and halves
// its rate once; successes bring the rate back; other buckets are not
// touched.
func TestBucketAdapts(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := newBucket(RateLimit{Rate: 4, Burst: 2}, true, t0)
	b := newBucket(RateLimit{Rate: 4, Burst: 2}, true, t0)
	delays := func(bk *bucket, at time.Time, n int) []time.Duration {
		var out []time.Duration
		for range n {
			d, _ := bk.reserve(at)
			out = append(out, d)
		}
		return out
	}
	if got := fmt.Sprint(delays(a, t0, 3)); got != "[0s 0s 250ms]" {
		t.Fatalf("burst 2 at 4/s: delays %s", got)
	}
	t1 := t0.Add(time.Second) // a is full again
	a.throttled(t1, 30*time.Second)
	a.throttled(t1.Add(time.Millisecond), 30*time.Second) // another request of the same episode
	if r, until := a.state(); r != 2 || !until.Equal(t1.Add(30*time.Second+time.Millisecond)) {
		t.Fatalf("after 429: rate %v paused until %v, want 2 and %v", r, until, t1.Add(30*time.Second+time.Millisecond))
	}
	// During the pause a waits to its end, then at the halved rate; b goes on.
	if got := fmt.Sprint(delays(a, t1, 3)); got != "[30.001s 30.001s 30.501s]" {
		t.Errorf("a during its pause: delays %s", got)
	}
	if got := fmt.Sprint(delays(b, t1, 2)); got != "[0s 0s]" {
		t.Errorf("b during a's pause: delays %s", got)
	}
	if r, _ := b.state(); r != 4 {
		t.Errorf("b's rate %v, want 4", r)
	}
	// A later episode halves again, down to 1/64 at most.
	for i := range 10 {
		a.throttled(t1.Add(time.Duration(i+1)*time.Minute), time.Second)
	}
	if r, _ := a.state(); r != 4.0/64 {
		t.Errorf("rate after 11 episodes %v, want the floor %v", r, 4.0/64)
	}
	// Successes bring it back by 1/20 of the budget each.
	t2 := t1.Add(time.Hour)
	for range 5 {
		a.succeeded(t2)
	}
	if r, _ := a.state(); r != 4.0/64+1 {
		t.Errorf("rate after 5 successes %v, want %v", r, 4.0/64+1)
	}
	for range 20 {
		a.succeeded(t2)
	}
	if r, _ := a.state(); r != 4 {
		t.Errorf("rate after 25 successes %v, want back to 4", r)
	}
	// A pinned pace (Config.RateLimits) neither pauses nor slows.
	p := newBucket(RateLimit{Rate: 4, Burst: 2}, false, t0)
	p.throttled(t0, 30*time.Second)
	if r, until := p.state(); r != 4 || !until.IsZero() {
		t.Errorf("pinned bucket after a 429: rate %v paused until %v", r, until)
	}
}

// TestCustomerBucketsBounded: per-customer buckets are bounded; idle ones
// go first, then the least recently used.
func TestCustomerBucketsBounded(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	bs := newBudgets(Budgets{MaxCustomerBuckets: 8}, nil)
	get := func(i int, now time.Time) *bucket {
		return bs.bucketFor(&call{op: "get-customer", class: ClassRead, method: "GET", path: fmt.Sprintf("/customers/c%d", i)}, now)
	}
	busy := get(0, t0)
	busy.reserve(t0) // not full: not idle
	busy.reserve(t0)
	for i := 1; i < 8; i++ {
		get(i, t0) // full: idle
	}
	get(8, t0)
	if n := bs.customerBuckets(); n != 2 {
		t.Errorf("after the sweep %d buckets, want the busy one and the new one", n)
	}
	if get(0, t0) != busy {
		t.Error("the busy bucket was evicted before idle ones")
	}
	// All busy: the least recently used go, down to 3/4 of the bound.
	for i := 10; i < 17; i++ {
		b := get(i, t0.Add(time.Duration(i)*time.Millisecond))
		b.reserve(t0.Add(time.Duration(i) * time.Millisecond))
		b.reserve(t0.Add(time.Duration(i) * time.Millisecond))
	}
	if n := bs.customerBuckets(); n > 8 {
		t.Errorf("%d buckets, bound 8", n)
	}
}
