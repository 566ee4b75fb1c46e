package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// pcEnv is a portal whose Partner Center is a sandbox over HTTP, with the
// connection stored in the settings as the wizard leaves it.
type pcEnv struct {
	*env
	sb    *sandbox.Sandbox
	sbURL string
	m     *mirror.Mirror
}

// newPCEnv starts a sandbox (demo customers unless noSeed) and a portal
// pointed at it, with a staff user "staff@example.com" signed in on the
// returned env's clients by login.
func newPCEnv(t *testing.T, noSeed bool) *pcEnv {
	t.Helper()
	return startPCEnv(t, sandbox.Options{Seed: 3, NoSeed: noSeed, RealTime: true}, false)
}

// startPCEnv is newPCEnv with the sandbox's options given; with
// virtualClock the portal reads the sandbox's clock.
func startPCEnv(t *testing.T, opts sandbox.Options, virtualClock bool) *pcEnv {
	t.Helper()
	// Test data: these tests order legacy offers, which PC (and the
	// sandbox by default) no longer sells.
	opts.LegacyPurchases = true
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	sbts := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { sbts.CloseClientConnections(); sbts.Close(); sb.Close() })
	var tweaks []func(*handlers.Deps)
	if virtualClock {
		tweaks = append(tweaks, func(d *handlers.Deps) { d.Now = sb.Now })
	}
	e := newEnv(t, tweaks...)
	cr := sb.Credentials()
	if err := e.st.UpdatePCSettings(t.Context(), store.PCSettings{PcTenantID: cr.TenantID, PcClientID: cr.ClientID,
		PcClientSecretEnc: e.box.Seal(cr.ClientSecret), PcApiUrl: sbts.URL, PcTokenUrl: sbts.URL + "/{tenant}/oauth2/token"}); err != nil {
		t.Fatal(err)
	}
	// A partner admin (with MFA) connected, as after the consent flow: the
	// agreement and license usage need the app+user credential.
	rt, err := sb.IssueRefreshToken("admin@sandbox.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.ConnectPCUser(t.Context(), store.PCUserGrant{RefreshTokenEnc: e.box.Seal(rt), User: "admin@sandbox.test", MFA: true, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpdateDefaults(t.Context(), store.Defaults{DefaultCountry: "US", DefaultCurrency: "USD", DefaultLanguage: "en-US"}); err != nil {
		t.Fatal(err)
	}
	e.completeSetup()
	e.createUser("staff", "staff@example.com")
	m, err := mirror.New(mirror.Deps{Store: e.st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PCConfig: mirror.SettingsPCConfig(e.st, e.box),
		Options: mirror.Options{NoPeriodic: true, Countries: []string{"US"}, PCNow: sb.Now, HTTPTimeout: 5 * time.Second,
			ClientTweak: func(c *pccclient.Config) {
				inf := pccclient.RateLimit{Rate: rate.Inf, Burst: 1}
				c.RateLimits = map[pccclient.OpClass]pccclient.RateLimit{pccclient.ClassCatalog: inf, pccclient.ClassRead: inf,
					pccclient.ClassWrite: inf, pccclient.ClassAudit: inf}
			}}})
	if err != nil {
		t.Fatal(err)
	}
	return &pcEnv{env: e, sb: sb, sbURL: sbts.URL, m: m}
}

// sync runs one mirror sync to completion.
func (e *pcEnv) sync(kind string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := e.m.Run(ctx, kind, mirror.RunOptions{Trigger: "test"}); err != nil {
		e.t.Fatalf("%s sync: %v", kind, err)
	}
}

// savePrices stores a small price list for one offer.
func (e *pcEnv) savePrices(offerID string, usd string) {
	e.t.Helper()
	if err := e.m.SavePrices(e.t.Context(), "US", []mirror.Price{{ItemID: offerID, BillingCycle: "monthly", Currency: "USD",
		UnitPrice: decimal.RequireFromString(usd)}}); err != nil {
		e.t.Fatal(err)
	}
}
