package auth_test

import (
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/testdb"
)

func TestLimitDelay(t *testing.T) {
	t.Parallel()
	l := auth.Limit{After: 5, First: time.Minute, Max: 15 * time.Minute}
	for n, want := range map[int]time.Duration{0: 0, 4: 0, 5: time.Minute, 6: 2 * time.Minute, 7: 4 * time.Minute,
		8: 8 * time.Minute, 9: 15 * time.Minute, 500: 15 * time.Minute} {
		if got := l.Delay(n); got != want {
			t.Errorf("Delay(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestThrottleDelaysPerAccountAndAddress(t *testing.T) {
	t.Parallel()
	st := testdb.NewStore(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	th := auth.NewThrottle(st, func() time.Time { return now })
	ctx := t.Context()
	try := func(email, ip string, fail bool) time.Duration {
		t.Helper()
		a, wait, err := th.Admit(ctx, email, ip)
		if err != nil {
			t.Fatal(err)
		}
		if wait > 0 {
			return wait
		}
		if fail {
			err = th.Failed(ctx, a)
		} else {
			err = th.Succeeded(ctx, a)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	for i := range 5 {
		if d := try("Ann@example.com", "10.0.0.1", true); d != 0 {
			t.Fatalf("failure %d refused: wait %v", i+1, d)
		}
		now = now.Add(10 * time.Second)
	}
	// 5 failures from one address: that address waits a minute after the
	// last; the account's owner elsewhere is not held up.
	if d := try("ANN@example.com", "10.0.0.1", true); d != 50*time.Second {
		t.Fatalf("same address: wait %v, want 50s", d)
	}
	if d := try("bob@example.com", "10.0.0.1", true); d != 0 {
		t.Fatalf("another account from the same address: wait %v", d)
	}
	now = now.Add(time.Minute)
	if d := try("ann@example.com", "10.0.0.1", true); d != 0 {
		t.Fatalf("after the delay: wait %v", d)
	}
	if d := try("ann@example.com", "10.0.0.1", true); d != 2*time.Minute {
		t.Fatalf("sixth failure doubles the delay: wait %v, want 2m", d)
	}
	if d := try("ann@example.com", "10.0.0.2", false); d != 0 {
		t.Fatalf("the owner from their own address: wait %v", d)
	}
	// Signing in cleared the account's failures.
	if d := try("ann@example.com", "10.0.0.1", true); d != 0 {
		t.Fatalf("after the owner signed in: wait %v", d)
	}

	// Credential stuffing: one account from many addresses is slowed (5s
	// doubling to a minute), never locked.
	for i := range 10 {
		if d := try("carol@example.com", "192.0.2."+string(rune('0'+i)), true); d != 0 {
			t.Fatalf("stuffing attempt %d refused: %v", i+1, d)
		}
	}
	if d := try("carol@example.com", "198.51.100.1", false); d != 5*time.Second {
		t.Fatalf("account-wide delay %v, want 5s", d)
	}
	now = now.Add(5 * time.Second)
	if d := try("carol@example.com", "198.51.100.1", false); d != 0 {
		t.Fatalf("the owner after 5s: wait %v", d)
	}

	// One address across accounts: 20 failures, then it waits.
	for i := range 20 {
		if d := try(string(rune('a'+i))+"@spray.example", "203.0.113.9", true); d != 0 {
			t.Fatalf("spray %d refused: %v", i+1, d)
		}
	}
	if d := try("new@example.com", "203.0.113.9", true); d != time.Minute {
		t.Fatalf("address delay %v, want 1m", d)
	}
	// Each key's first delay is audited once.
	audits := map[string]int{}
	rows, err := st.Pool.Query(ctx, `SELECT target_type FROM audit_log WHERE action = 'auth.sign_in_delayed'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		audits[k]++
	}
	// ann from 10.0.0.1 (her later failures rank 1 again after her sign-in
	// cleared them), carol account-wide, the spraying address.
	if audits["account"] != 2 || audits["address"] != 1 {
		t.Fatalf("audited delays %v", audits)
	}
}

// TestThrottleConcurrentGuesses is the race the outside test found: 40
// guesses at once all passed a check made before any was recorded.
func TestThrottleConcurrentGuesses(t *testing.T) {
	t.Parallel()
	st := testdb.NewStore(t)
	th := auth.NewThrottle(st, nil)
	ctx := t.Context()
	var mu sync.Mutex
	admitted := 0
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			a, wait, err := th.Admit(ctx, "admin@example.com", "10.1.1.1")
			if err != nil {
				t.Error(err)
				return
			}
			if wait > 0 {
				return
			}
			time.Sleep(50 * time.Millisecond) // the hash
			if err := th.Failed(ctx, a); err != nil {
				t.Error(err)
			}
			mu.Lock()
			admitted++
			mu.Unlock()
		})
	}
	wg.Wait()
	if admitted != 5 {
		t.Fatalf("%d of 40 concurrent guesses were checked, want 5", admitted)
	}
}
