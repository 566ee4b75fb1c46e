package handlers_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cspportal/portal/web/handlers"
)

// TestSignInConcurrentGuesses: 40 wrong passwords at once for one account
// from one address; only the first 5 are checked, the rest wait.
func TestSignInConcurrentGuesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	var counts sync.Map
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			p := e.post(e.client(), "/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!"}})
			n, _ := counts.LoadOrStore(p.StatusCode, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
		})
	}
	wg.Wait()
	got := map[int]int64{}
	counts.Range(func(k, v any) bool { got[k.(int)] = v.(*atomic.Int64).Load(); return true })
	if got[http.StatusUnauthorized] != 5 || got[http.StatusTooManyRequests] != 35 {
		t.Fatalf("statuses %v, want 5×401 and 35×429", got)
	}
}

// TestSignInBehindProxy: behind a trusted proxy each client is throttled
// on its own address; from an untrusted peer X-Forwarded-For is ignored.
func TestSignInBehindProxy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *handlers.Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	for range 5 {
		e.post(c, "/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!"}}, "X-Forwarded-For", "203.0.113.7")
	}
	if p := e.post(c, "/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!"}},
		"X-Forwarded-For", "203.0.113.7"); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the guessing client: %d", p.StatusCode)
	}
	// The admin, from another address through the same proxy, signs in.
	if p := e.post(c, "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}},
		"Forwarded", `for="[2001:db8::1]:4711";proto=https`); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner from elsewhere: %d\n%s", p.StatusCode, p.body)
	}

	// Without trusted proxies the header is the client's own word: a
	// guesser cannot dodge the throttle by inventing addresses.
	e2 := newEnv(t)
	e2.createUser("admin", "admin@example.com")
	e2.completeSetup()
	for i := range 6 {
		p := e2.post(c, "/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password!"}},
			"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		if i == 5 && p.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("forged X-Forwarded-For dodged the throttle: %d", p.StatusCode)
		}
	}
}

// TestSignInFloodMemory: 500 concurrent sign-ins for unknown emails from
// 500 addresses (through a trusted proxy, so no address limit helps):
// hashes run GOMAXPROCS at a time, the rest are refused fast with 503, and
// the heap stays flat (each argon2id hash holds 19 MiB; unbounded, 500 of
// them would want 9.5 GiB).
//
// Not parallel: the hashing slots are the process's, and the flood would
// turn other tests' sign-ins into 503s (which is the point).
func TestSignInFloodMemory(t *testing.T) {
	e := newEnv(t, func(d *handlers.Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	tr := &http.Transport{MaxIdleConnsPerHost: 500}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	statuses := make([]int, 500)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Go(func() {
			form := url.Values{"email": {fmt.Sprintf("nobody%d@example.com", i)}, "password": {"some password"}}
			req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.1", i/250, i%250))
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	got := map[int]int{}
	for _, s := range statuses {
		got[s]++
	}
	if got[http.StatusUnauthorized]+got[http.StatusServiceUnavailable] != 500 || got[http.StatusServiceUnavailable] == 0 {
		t.Fatalf("statuses %v", got)
	}
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	hwm := ""
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "VmHWM") || strings.HasPrefix(line, "VmRSS") {
				hwm += strings.Join(strings.Fields(line), " ") + "; "
			}
		}
	}
	t.Logf("500 concurrent anonymous sign-ins in %v: %v; heap in use %d MiB before, peak %d MiB; process %s",
		elapsed.Round(time.Millisecond), got, base.HeapInuse>>20, peak.Load()>>20, hwm)
	if limit := int64(runtime.GOMAXPROCS(0)+8) * 20 << 20; growth > limit {
		t.Fatalf("heap grew %d MiB under the flood (limit %d MiB)", growth>>20, limit>>20)
	}
}

// TestAdminClearsSignInDelay: an admin sees the failed sign-ins on the
// users page and clears them (audited); the owner then signs in from the
// address the guesses came from.
func TestAdminClearsSignInDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	sam := e.createUser("staff", "sam@example.com")
	e.completeSetup()
	guesser := e.client()
	for range 5 {
		e.post(guesser, "/login", url.Values{"email": {"sam@example.com"}, "password": {"wrong password!"}})
	}
	if p := e.post(guesser, "/login", url.Values{"email": {"sam@example.com"}, "password": {testPassword}}); p.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("not delayed: %d", p.StatusCode)
	}
	admin := e.client()
	e.login(admin, "admin@example.com")
	p := e.get(admin, "/admin/users")
	if !hasTestID(p.body, "user-clear-delay") || !strings.Contains(p.body, "Clear 5 failed sign-ins") {
		t.Fatalf("users page lacks the clear button\n%.3000s", p.body)
	}
	p = e.post(admin, fmt.Sprintf("/admin/users/%d/sign-in-delay/clear", sam.ID), url.Values{})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: %d\n%s", p.StatusCode, p.body)
	}
	var n int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'user.sign_in_delay_cleared' AND actor = 'admin@example.com' AND target_id = $1`,
		fmt.Sprint(sam.ID)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit rows %d, %v", n, err)
	}
	e.login(guesser, "sam@example.com")
}
