package sandboxtest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// Env is a sandbox over real HTTP, a fresh database and the portal's
// background side on both, for the mirror's and commerce's tests.
type Env struct {
	T        testing.TB
	PC       *PC
	SB       *sandbox.Sandbox
	URL      string
	Store    *store.Store
	Stack    *Stack
	Mirror   *mirror.Mirror
	Commerce *commerce.Service
	// Client is the test's own client: changes "outside the portal".
	Client *pccclient.Client
	// Config is the configuration the portal's connection uses.
	Config pccclient.Config
}

// fastClock shortens the client's waits (Retry-After, back-off) a
// hundredfold, so fault tests take seconds.
type fastClock struct{}

func (fastClock) Now() time.Time                         { return time.Now() }
func (fastClock) After(d time.Duration) <-chan time.Time { return time.After(d / 100) }

// Logger writes to stderr when PORTAL_TEST_LOG is set, else nowhere.
func Logger() *slog.Logger {
	if os.Getenv("PORTAL_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return Quiet()
}

// NewEnv starts a sandbox with so (Seed 7 when zero; legacy offers
// purchasable) and the background
// side with o on a fresh database. The connection has a partner admin's
// consent (with MFA), as after the portal's consent flow, and a client that
// retries fast.
func NewEnv(t testing.TB, so sandbox.Options, o StackOptions) *Env {
	t.Helper()
	if so.Seed == 0 {
		so.Seed = 7
	}
	// Test data: these tests deliver orders of legacy offers, which PC (and
	// the sandbox by default) no longer sells.
	so.LegacyPurchases = true
	p := New(t, so)
	e := &Env{T: t, PC: p, SB: p.SB, URL: p.URL, Store: testdb.NewStore(t)}
	e.Config = p.Config()
	e.Config.Logger, e.Config.Clock, e.Config.MaxAttempts = Logger(), fastClock{}, 6
	e.Config.BaseBackoff, e.Config.MaxBackoff = 20*time.Millisecond, 200*time.Millisecond
	Unlimited(&e.Config)
	var err error
	if e.Client, err = pccclient.New(e.Config); err != nil {
		t.Fatalf("client: %v", err)
	}
	e.Stack = e.NewStack(o)
	e.Mirror, e.Commerce = e.Stack.Mirror, e.Stack.Commerce
	return e
}

// Reconnect stores a fresh partner admin consent (after the refresh token
// expired on the sandbox clock).
func (e *Env) Reconnect() {
	e.T.Helper()
	e.Config.UserTokens.(*pccclient.MemoryTokenStore).Set(e.PC.RefreshToken())
}

// NewStack is another process's background side on the same database and
// sandbox (the mirror on the sandbox's clock, 3s per HTTP exchange unless
// o says otherwise).
func (e *Env) NewStack(o StackOptions) *Stack {
	e.T.Helper()
	o.Mirror.PCNow = e.SB.Now
	if o.Timeout == 0 {
		o.Timeout = 3 * time.Second
	}
	if o.Logger == nil {
		o.Logger = Logger()
	}
	cfg := e.Config
	o.Config = func(context.Context) (pccclient.Config, error) { return cfg, nil }
	return NewStack(e.T, e.Store, o)
}

// Start runs another process's workers (with jo) until the test ends.
func (e *Env) Start(jo jobs.Options) *Stack {
	e.T.Helper()
	s := e.NewStack(StackOptions{Jobs: jo})
	s.Start()
	return s
}

// Run runs one mirror sync of kind to completion.
func (e *Env) Run(kind string) int64 { return e.Stack.Sync(kind) }

// NewCustomer creates a customer in PC outside the portal.
func (e *Env) NewCustomer(withMCA bool) string { return e.PC.NewCustomer(e.Client, withMCA) }

// LicenseOffer is a purchasable license offer of the US catalog.
func (e *Env) LicenseOffer() string { return LicenseOffers(e.T, e.Client)[0].ID }

// Count runs a count query on the env's database.
func (e *Env) Count(sql string, args ...any) int {
	e.T.Helper()
	return Count(e.T, e.Store, sql, args...)
}
