package commerce_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// TestSeatReviewAfterDeath: a process dies right after storing a seat
// request, before the auto-approval policy decided it. The review job
// queued with the request finishes the work on the next process: a
// request within the policy is approved (and staff get no "new request"
// mail), one over it waits for staff, who get that mail once.
func TestSeatReviewAfterDeath(t *testing.T) {
	t.Parallel()
	// The review job runs seatReviewDelay after the request on commerce's
	// clock; a clock 40 s behind makes it due at once.
	e := sandboxtest.NewEnv(t, sandbox.Options{Seed: 3}, sandboxtest.StackOptions{Box: sandboxtest.Box(t),
		Now: func() time.Time { return time.Now().Add(-40 * time.Second) }})
	ctx := context.Background()
	e.Stack.Sync("full")
	var cust uuid.UUID
	var sub string
	var q int
	if err := e.Store.Pool.QueryRow(ctx, `SELECT c.id, s.id, s.quantity FROM subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE c.company_name = 'Fabrikam Inc' AND s.offer_name ILIKE '%Premium%' AND s.status = 'active' ORDER BY s.id LIMIT 1`).
		Scan(&cust, &sub, &q); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.CreateUser(ctx, store.NewUser{Email: "sam@reseller.example", Role: store.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	cara, err := e.Store.CreateUser(ctx, store.NewUser{Email: "cara@fabrikam.example", Role: store.RoleCustomer, CustomerID: &cust, CustomerVia: "invitation"})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := e.Commerce.SaveSeatPolicy(ctx, staff("ada@reseller.example"), nil,
		rules.SeatPolicyInput{Enabled: true, MaxPerRequest: "5"}); err != nil || problems != nil {
		t.Fatalf("policy: %v %v", problems, err)
	}
	by := commerce.Actor{UserID: &cara.ID, Label: cara.Email}
	ask := func(seats int) string {
		t.Helper()
		id, problems, err := e.Commerce.RequestSeatsThenDie(ctx, by, "http://portal.test", cust,
			commerce.SeatRequestInput{SubscriptionID: sub, Seats: strconv.Itoa(seats), Token: uuid.New()})
		if err != nil || problems != nil {
			t.Fatalf("request %d seats: %v %v", seats, problems, err)
		}
		return strconv.FormatInt(id, 10)
	}
	within, over := ask(q+2), ask(q+9)
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := e.Store.Pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	status := func(id string) string {
		t.Helper()
		var st string
		if err := e.Store.Pool.QueryRow(ctx, `SELECT status FROM support_requests WHERE id = $1`, id).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	staffNew := func(id string) int {
		return count(`SELECT count(*) FROM mail_outbox WHERE dedupe_key = $1`, "support:"+id+":new")
	}
	// Dead process: nothing decided, nobody told.
	if status(within) != rules.SupportOpen || staffNew(within)+staffNew(over) != 0 {
		t.Fatalf("before the next process: %s, %d staff mails", status(within), staffNew(within)+staffNew(over))
	}

	e.Stack.Start()
	deadline := time.Now().Add(20 * time.Second)
	for status(within) != rules.SupportApproved || staffNew(over) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: request within the policy %s, staff mails for the one over it %d", status(within), staffNew(over))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status(over) != rules.SupportOpen {
		t.Errorf("request over the policy is %s, want open", status(over))
	}
	if n := staffNew(within); n != 0 {
		t.Errorf("auto-approved request: %d staff mails, want none", n)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action = 'support.auto_approved' AND target_id = $1`, within); n != 1 {
		t.Errorf("%d auto-approval audit entries, want 1", n)
	}
	// The approved change reaches Partner Center.
	for {
		s, err := e.Client.GetSubscription(ctx, cust.String(), sub)
		if err != nil {
			t.Fatal(err)
		}
		if s.Quantity == q+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Partner Center quantity %d, want %d", s.Quantity, q+2)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
