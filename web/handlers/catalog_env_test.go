package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
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
	stack *sandboxtest.Stack // the portal's PC connection, mirror and commerce (workers not started)
	clock func() time.Time   // the portal's clock (nil: wall time)
	// workersStarted: River runs the catalog sync at start, and that
	// sync's price list replaces a test's own (savePrices waits for it).
	workersStarted bool
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
	pc := sandboxtest.New(t, opts)
	pe := &pcEnv{sb: pc.SB, sbURL: pc.URL}
	if virtualClock {
		pe.clock = pc.SB.Now
	}
	e := newEnv(t, func(d *handlers.Deps) {
		if virtualClock {
			d.Now = pc.SB.Now
		}
		pe.stack = sandboxtest.NewStack(t, d.Store, sandboxtest.StackOptions{Box: d.SecretBox, Logger: d.Logger, Now: pe.clock,
			Mirror: mirror.Options{Countries: []string{"US"}, PCNow: pc.SB.Now}})
		d.PC, d.Commerce, d.Mail, d.Attention = pe.stack.PC, pe.stack.Commerce, pe.stack.Mail, pe.stack.Attention
	})
	// Connected with a partner admin (with MFA), as after the consent flow:
	// the agreement and license usage need the app+user credential.
	pc.Store(e.st, e.box)
	if err := e.st.UpdateDefaults(t.Context(), store.Defaults{DefaultCountry: "US", DefaultCurrency: "USD", DefaultLanguage: "en-US"}); err != nil {
		t.Fatal(err)
	}
	e.completeSetup()
	e.createUser("staff", "staff@example.com")
	pe.env, pe.m = e, pe.stack.Mirror
	return pe
}

// workers starts another portal process's background side on the same
// database (River workers with commerce options o; the add-on phase polls
// every 100ms unless o says otherwise).
func (e *pcEnv) workers(o commerce.Options) *sandboxtest.Stack {
	e.t.Helper()
	if o.PlacementPoll == 0 {
		o.PlacementPoll = 100 * time.Millisecond
	}
	s := sandboxtest.NewStack(e.t, e.st, sandboxtest.StackOptions{Box: e.box, Now: e.clock, Commerce: o,
		Mirror: mirror.Options{Countries: []string{"US"}, PCNow: e.sb.Now}})
	s.Start()
	e.workersStarted = true
	return s
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

// savePrices stores a small price list for one offer, after the catalog
// sync the workers run at start, whose price list would replace it.
func (e *pcEnv) savePrices(offerID string, usd string) {
	e.t.Helper()
	if e.workersStarted {
		deadline := time.Now().Add(30 * time.Second)
		// The start-up sync may queue another catalog sync (of the
		// customers' countries) when it ends: wait until none is left.
		for e.countRows("sync_runs WHERE kind = 'catalog' AND finished_at IS NOT NULL") == 0 ||
			e.countRows("river_job WHERE kind = 'mirror.sync' AND finalized_at IS NULL") > 0 {
			if time.Now().After(deadline) {
				e.t.Fatal("the syncs the workers run at start did not finish")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := e.m.SavePrices(e.t.Context(), "US", []mirror.Price{{ItemID: offerID, BillingCycle: "monthly", Currency: "USD",
		UnitPrice: decimal.RequireFromString(usd)}}); err != nil {
		e.t.Fatal(err)
	}
}
