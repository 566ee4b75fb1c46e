// Package sandboxtest starts the Partner Center sandbox for tests, the way
// auth/oidctest does for an OIDC provider: the sandbox behind a real HTTP
// server, its credentials, a partner admin's refresh token (with MFA) and a
// client configuration for it; and, on a test database, the connection as
// the setup wizard stores it and the portal's background side (connection,
// mirror, commerce, River) wired as the binary wires them.
package sandboxtest

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/store"
)

// Admin is the sandbox's partner admin who signs in with MFA.
const Admin = "admin@sandbox.test"

// PC is a sandbox served over HTTP.
type PC struct {
	t     testing.TB
	SB    *sandbox.Sandbox
	URL   string // API base URL (PC paths under /v1)
	Creds sandbox.Credentials
}

// New starts a sandbox with o (Seed 1 when zero) behind an httptest server;
// both stop when the test ends.
func New(t testing.TB, o sandbox.Options) *PC {
	t.Helper()
	if o.Seed == 0 {
		o.Seed = 1
	}
	sb, err := sandbox.New(o)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		// The sandbox first: closing it releases requests held by a timeout
		// fault, which srv.Close would otherwise wait for (one can arrive
		// on a new connection after CloseClientConnections).
		_ = sb.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return &PC{t: t, SB: sb, URL: srv.URL, Creds: sb.Credentials()}
}

// TokenURL is the v1 token endpoint template, as the wizard stores it.
func (p *PC) TokenURL() string { return p.URL + "/{tenant}/oauth2/token" }

// RefreshToken issues a fresh refresh token of the partner admin Admin.
func (p *PC) RefreshToken() string {
	p.t.Helper()
	rt, err := p.SB.IssueRefreshToken(Admin)
	if err != nil {
		p.t.Fatalf("refresh token: %v", err)
	}
	return rt
}

// Config is a client configuration for the sandbox with the app-only
// credential and, as after the portal's consent, the partner admin's
// app+user credential (a fresh refresh token in memory).
func (p *PC) Config() pccclient.Config {
	return pccclient.Config{PartnerTenantID: p.Creds.TenantID, ClientID: p.Creds.ClientID, ClientSecret: p.Creds.ClientSecret,
		BaseURL: p.URL, TokenURL: p.TokenURL(), UserTokens: pccclient.NewMemoryTokenStore(p.RefreshToken()),
		GraphBaseURL: p.URL + sandbox.GraphPathPrefix, PricingBaseURL: p.URL + sandbox.PricingPathPrefix}
}

// Client is a client on Config, for changes "outside the portal".
func (p *PC) Client() *pccclient.Client {
	p.t.Helper()
	c, err := pccclient.New(p.Config())
	if err != nil {
		p.t.Fatalf("client: %v", err)
	}
	return c
}

// Box returns a secret box with a fresh key.
func Box(t testing.TB) *secrets.Box {
	t.Helper()
	key, err := secrets.ParseKey(secrets.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// Store saves the connection to the sandbox in st's settings as the setup
// wizard does (secret sealed with box) and a partner admin's consent (with
// MFA), so pcconn.FromSettings(st, box) reaches the sandbox with both
// credentials.
func (p *PC) Store(st *store.Store, box *secrets.Box) {
	p.t.Helper()
	ctx := context.Background()
	if err := st.UpdatePCSettings(ctx, store.PCSettings{PcTenantID: p.Creds.TenantID, PcClientID: p.Creds.ClientID,
		PcClientSecretEnc: box.Seal(p.Creds.ClientSecret), PcApiUrl: p.URL, PcTokenUrl: p.TokenURL()}); err != nil {
		p.t.Fatal(err)
	}
	if err := st.ConnectPCUser(ctx, store.PCUserGrant{RefreshTokenEnc: box.Seal(p.RefreshToken()), User: Admin, MFA: true,
		At: time.Now()}); err != nil {
		p.t.Fatal(err)
	}
}

// Unlimited lifts the client's own rate limits (the sandbox still throttles
// where a test asks it to).
func Unlimited(c *pccclient.Config) {
	inf := pccclient.RateLimit{Rate: rate.Inf, Burst: 1}
	c.RateLimits = map[pccclient.OpClass]pccclient.RateLimit{pccclient.ClassCatalog: inf, pccclient.ClassRead: inf,
		pccclient.ClassWrite: inf, pccclient.ClassAudit: inf}
}

// Quiet is a logger that writes nothing.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Stack is the portal's background side on a store, wired as the binary
// wires it: the Partner Center connection, the mirror (read side),
// commerce (write side) and their River runner (not started).
type Stack struct {
	t         testing.TB
	PC        *pcconn.Conn
	Mirror    *mirror.Mirror
	Commerce  *commerce.Service
	Mail      *mail.Service      // nil without a Box
	Attention *attention.Service // nil without a Box
	Billing   *billing.Service
	Prices    *prices.Service
	Jobs      *jobs.Runner
}

// StackOptions tune a Stack; the zero value is the binary's defaults with
// the client's rate limits lifted and no periodic jobs.
type StackOptions struct {
	// Config is the connection's configuration [the settings row, which
	// needs Box]. With a Box the stack also has a mailer.
	Config   func(context.Context) (pccclient.Config, error)
	Box      *secrets.Box
	Logger   *slog.Logger // [Quiet]
	Tweak    func(*pccclient.Config)
	Timeout  time.Duration // one HTTP exchange [5s]
	Mirror   mirror.Options
	Commerce commerce.Options
	Jobs     jobs.Options // NoPeriodic is forced unless Periodic
	Periodic bool
	Now      func() time.Time // commerce's and attention's clock [time.Now]
	BaseURL  string           // links in mails [http://portal.test]
	Metrics  *mirror.Metrics
	Billing  billing.Options
	Sale     billing.SalePricer   // billing's sale prices [the price sheets' Pricer]
	Prices   billing.PriceChecker // billing's price checks [the price sheets' Pricer]
	// Pricer prices renewals, sales and checks [prices.NewPricer].
	Pricer      *prices.Pricer
	PriceSheets prices.Options
}

// NewStack builds a Stack on st.
func NewStack(t testing.TB, st *store.Store, o StackOptions) *Stack {
	t.Helper()
	if o.Config == nil {
		o.Config = pcconn.FromSettings(st, o.Box)
	}
	if o.Logger == nil {
		o.Logger = Quiet()
	}
	if o.Tweak == nil {
		o.Tweak = Unlimited
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	var onCall func(op, status string)
	if o.Metrics != nil {
		onCall = o.Metrics.PCCall
	}
	pc, err := pcconn.New(pcconn.Deps{Config: o.Config, Logger: o.Logger, Tweak: o.Tweak, Timeout: o.Timeout, OnCall: onCall})
	if err != nil {
		t.Fatal(err)
	}
	if o.Pricer == nil {
		o.Pricer = prices.NewPricer(st)
	}
	if o.Sale == nil {
		o.Sale = o.Pricer
	}
	if o.Prices == nil {
		o.Prices = o.Pricer
	}
	m, err := mirror.New(mirror.Deps{Store: st, PC: pc, Logger: o.Logger, Metrics: o.Metrics, Options: o.Mirror, Pricer: o.Pricer})
	if err != nil {
		t.Fatal(err)
	}
	parts := []jobs.Part{m}
	var mailer *mail.Service
	if o.Box != nil {
		if mailer, err = mail.New(mail.Deps{Store: st, Box: o.Box, Logger: o.Logger}); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mailer)
	}
	com, err := commerce.New(commerce.Deps{Store: st, PC: pc, Mirror: m, Logger: o.Logger, Metrics: o.Metrics, Now: o.Now,
		Options: o.Commerce, Mail: mailer})
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, com)
	var att *attention.Service
	if mailer != nil {
		if att, err = attention.New(attention.Deps{Store: st, Mail: mailer, BaseURL: cmp.Or(o.BaseURL, "http://portal.test"), Logger: o.Logger,
			Now: o.Now}); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, att)
	}
	o.Jobs.NoPeriodic = !o.Periodic
	if o.Jobs.Logger == nil {
		o.Jobs.Logger = o.Logger
	}
	bil, err := billing.New(billing.Deps{Store: st, PC: pc, Logger: o.Logger, Options: o.Billing, Sale: o.Sale,
		Prices: o.Prices})
	if err != nil {
		t.Fatal(err)
	}
	pri, err := prices.New(prices.Deps{Store: st, PC: pc, Mirror: m, Pricer: o.Pricer, Logger: o.Logger, Now: o.Now, Options: o.PriceSheets})
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, bil, pri)
	r, err := jobs.New(st, o.Jobs, parts...)
	if err != nil {
		t.Fatal(err)
	}
	return &Stack{t: t, PC: pc, Mirror: m, Commerce: com, Mail: mailer, Attention: att, Billing: bil, Prices: pri, Jobs: r}
}

// Start runs the River workers until the test ends.
func (s *Stack) Start() {
	s.t.Helper()
	if err := s.Jobs.Start(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Jobs.Stop(ctx)
	})
}

// Sync runs one mirror sync of kind to completion.
func (s *Stack) Sync(kind string) int64 {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	id, err := s.Mirror.Run(ctx, kind, mirror.RunOptions{Trigger: "test"})
	if err != nil {
		s.t.Fatalf("%s sync: %v", kind, err)
	}
	return id
}
