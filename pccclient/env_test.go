package pccclient_test

import (
	"context"
	"iter"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"golang.org/x/time/rate"
)

// stepClock is a test clock: After(d) advances the clock by d at once and
// records the wait, so tests assert on waits without sleeping. With sb
// set it is the sandbox's virtual clock: a wait advances the sandbox, so
// Retry-After really frees PC's throttling window.
type stepClock struct {
	mu    sync.Mutex
	now   time.Time
	sb    *sandbox.Sandbox
	waits []time.Duration
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sb != nil {
		return c.sb.Now()
	}
	return c.now
}

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	if c.sb != nil {
		c.sb.Advance(d)
		ch <- c.sb.Now()
		return ch
	}
	c.now = c.now.Add(d)
	ch <- c.now
	return ch
}

func (c *stepClock) Waited() (total time.Duration, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.waits {
		total += w
	}
	return total, len(c.waits)
}

// sentRequest is what the recording transport saw leave the client.
type sentRequest struct {
	Method string
	Path   string
	Query  string
	Header http.Header
}

// recorder is an http.RoundTripper that records outgoing requests and
// passes them to the real transport (it observes, it does not answer).
type recorder struct {
	mu   sync.Mutex
	reqs []sentRequest
	next http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, sentRequest{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Clone()})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) sent(path string) []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentRequest
	for _, s := range r.reqs {
		if path == "" || s.Path == path {
			out = append(out, s)
		}
	}
	return out
}

type env struct {
	sb    *sandbox.Sandbox
	url   string // the sandbox base URL
	c     *pccclient.Client
	clock *stepClock
	rec   *recorder
	// users holds the MFA admin's refresh token (a connected partner
	// admin); tests for the unconnected case set Config.UserTokens = nil.
	users *pccclient.MemoryTokenStore
}

func unlimited() map[pccclient.OpClass]pccclient.RateLimit {
	m := map[pccclient.OpClass]pccclient.RateLimit{}
	for k := range pccclient.DefaultRateLimits() {
		m[k] = pccclient.RateLimit{Rate: rate.Inf}
	}
	return m
}

// newEnv starts a sandbox behind a real HTTP server and a client for it.
// mod may adjust the client config.
func newEnv(t testing.TB, opts sandbox.Options, mod func(*pccclient.Config)) *env {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	p := sandboxtest.New(t, opts)
	sb, srvURL := p.SB, p.URL
	e := &env{sb: sb, url: srvURL, clock: newStepClock()}
	e.rec = &recorder{next: http.DefaultTransport}
	cred := p.Creds
	e.users = pccclient.NewMemoryTokenStore(p.RefreshToken())
	cfg := pccclient.Config{
		UserTokens:      e.users,
		PartnerTenantID: cred.TenantID,
		ClientID:        cred.ClientID,
		ClientSecret:    cred.ClientSecret,
		BaseURL:         srvURL,
		PricingBaseURL:  srvURL + sandbox.PricingPathPrefix,
		TokenURL:        srvURL + "/" + cred.TenantID + "/oauth2/token",
		HTTPClient:      &http.Client{Transport: e.rec, Timeout: 30 * time.Second},
		Clock:           e.clock,
		RateLimits:      unlimited(),
		Logger:          slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
		if cfg.HTTPClient == nil { // plain loopback client, no recorder
			cfg.HTTPClient = http.DefaultClient
		}
	}
	var err error
	e.c, err = pccclient.New(cfg)
	if err != nil {
		t.Fatalf("pccclient.New: %v", err)
	}
	return e
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// must(f())(t) returns f's value, failing t on f's error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func first[T any](t testing.TB, seq iter.Seq2[T, error]) T {
	t.Helper()
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Fatal("empty collection")
	panic("unreachable")
}
