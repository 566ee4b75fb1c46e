package auth_test

import (
	"testing"
	"time"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/testdb"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	st := testdb.NewStore(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	th := auth.NewThrottle(st, func() time.Time { return now })
	ctx := t.Context()
	wait := func(email, ip string) time.Duration {
		t.Helper()
		d, err := th.Check(ctx, email, ip)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i := range 5 {
		if d := wait("Ann@example.com", "10.0.0.1"); d != 0 {
			t.Fatalf("after %d failures: wait %v", i, d)
		}
		if err := th.Failure(ctx, "ann@example.com", "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	// 5 failures at 12:00..12:04, now 12:05: blocked until 12:15.
	if d := wait("ANN@example.com", "10.0.0.2"); d != 10*time.Minute {
		t.Fatalf("account throttle: wait %v, want 10m", d)
	}
	if got := auth.ThrottleMessage(10 * time.Minute); got != "Too many sign-in attempts. Try again in 10 minutes." {
		t.Fatalf("message %q", got)
	}
	if d := wait("bob@example.com", "10.0.0.1"); d != 0 {
		t.Fatalf("other account from same IP: wait %v", d)
	}
	now = now.Add(10*time.Minute + time.Second)
	if d := wait("ann@example.com", "10.0.0.1"); d != 0 {
		t.Fatalf("after the window: wait %v", d)
	}
	// Per IP: 20 failures over many accounts.
	for i := range 20 {
		if err := th.Failure(ctx, string(rune('a'+i))+"@example.com", "10.9.9.9"); err != nil {
			t.Fatal(err)
		}
	}
	if d := wait("new@example.com", "10.9.9.9"); d <= 0 {
		t.Fatal("IP throttle: not blocked")
	}
	if err := th.Success(ctx, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
}
