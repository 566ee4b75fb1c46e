package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"
	"golang.org/x/time/rate"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// axeSource is axe-core (MPL-2.0), vendored from npm; see testdata/README.md.
//
//go:embed testdata/axe.min.js
var axeSource string

// axeViolation is one serious or critical accessibility problem.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkA11y runs axe-core (WCAG 2 A and AA rules) on the current page and
// fails the test on any serious or critical violation.
func (b *browser) checkA11y(page string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err != nil {
		b.t.Fatal(err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[*struct{}](axeSource+";null")); err != nil {
			b.t.Fatalf("load axe on %s: %v", page, err)
		}
	}
	const run = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	for _, v := range vs {
		b.t.Errorf("accessibility (%s) on %s: %s [%s] at %s", v.Impact, page, v.Help, v.ID, strings.Join(v.Nodes, "; "))
	}
	if len(vs) > 0 {
		b.saveArtifacts("a11y-" + page)
	}
}

// staffPortal is a portal connected to a sandbox (wall-clock time, demo
// customers), with the mirror imported and a staff account.
type staffPortal struct {
	URL      string
	Store    *store.Store
	Sandbox  *sandbox.Sandbox
	Email    string
	Password string
}

func startStaffPortal(t *testing.T) *staffPortal {
	t.Helper()
	return newStaffPortal(t, false)
}

// startClockPortal is startStaffPortal on the sandbox's virtual clock: the
// portal reads the same clock, so Sandbox.Advance moves both.
func startClockPortal(t *testing.T) *staffPortal {
	t.Helper()
	return newStaffPortal(t, true)
}

// newStaffPortal builds a staffPortal; with virtualClock the sandbox runs on
// its own clock and the portal reads it, else both follow wall time.
func newStaffPortal(t *testing.T, virtualClock bool) *staffPortal {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Seed: 5, RealTime: !virtualClock})
	if err != nil {
		t.Fatal(err)
	}
	sbts := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { sbts.CloseClientConnections(); sbts.Close(); sb.Close() })
	st := testdb.NewStore(t)
	key, _ := secrets.ParseKey(secrets.GenerateKey())
	box, _ := secrets.New(key)
	ctx := t.Context()
	cr := sb.Credentials()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.UpdatePCSettings(ctx, store.PCSettings{PcTenantID: cr.TenantID, PcClientID: cr.ClientID, PcClientSecretEnc: box.Seal(cr.ClientSecret),
		PcApiUrl: sbts.URL, PcTokenUrl: sbts.URL + "/{tenant}/oauth2/token"}))
	// A partner admin (with MFA) connected, as after the consent journey:
	// agreements and license usage need the app+user credential.
	rt, err := sb.IssueRefreshToken("admin@sandbox.test")
	must(err)
	must(st.ConnectPCUser(ctx, store.PCUserGrant{RefreshTokenEnc: box.Seal(rt), User: "admin@sandbox.test", MFA: true, At: time.Now()}))
	must(st.UpdateDefaults(ctx, store.Defaults{DefaultCountry: "US", DefaultCurrency: "USD", DefaultLanguage: "en-US"}))
	must(st.CompleteSetup(ctx))
	const email, password = "sam@reseller.example", "staff password for e2e"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	must(err)
	_, err = st.CreateUser(ctx, store.NewUser{Email: email, DisplayName: "Sam Staff", Role: store.RoleStaff, PasswordHash: hash})
	must(err)

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := mirror.New(mirror.Deps{Store: st, Logger: quiet, PCConfig: mirror.SettingsPCConfig(st, box),
		Options: mirror.Options{NoPeriodic: true, Countries: []string{"US"}, PCNow: sb.Now, HTTPTimeout: 5 * time.Second,
			ClientTweak: func(c *pccclient.Config) {
				inf := pccclient.RateLimit{Rate: rate.Inf, Burst: 1}
				c.RateLimits = map[pccclient.OpClass]pccclient.RateLimit{pccclient.ClassCatalog: inf, pccclient.ClassRead: inf,
					pccclient.ClassWrite: inf, pccclient.ClassAudit: inf}
			}}})
	must(err)
	for _, kind := range []string{mirror.KindCatalog, mirror.KindFull} {
		rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		_, err := m.Run(rctx, kind, mirror.RunOptions{Trigger: "test"})
		cancel()
		must(err)
	}
	// The portal's workers (deliveries, settling new orders, add-on phases).
	must(m.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Stop(sctx)
	})

	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	deps := handlers.Deps{Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if virtualClock {
		deps.Now = sb.Now
	}
	srv, err := handlers.New(deps)
	must(err)
	h = srv.Routes()
	return &staffPortal{URL: ts.URL, Store: st, Sandbox: sb, Email: email, Password: password}
}

// signIn signs the staff user in through the login form.
func (p *staffPortal) signIn(b *browser) {
	b.run("sign in",
		chromedp.Navigate(p.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), p.Email),
		chromedp.SendKeys(field("password"), p.Password),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("dashboard")),
	)
}

// count returns the number of elements matching css.
func (b *browser) count(css string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, css)))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// waitURL waits until the page's URL contains part (after a navigation
// that leaves the same elements on the page).
func waitURL(part string) step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			loc, err := chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`)(ctx, t)
			if err == nil && strings.Contains(loc, part) {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("URL never contained %q: %w", part, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// clearField empties an input without events.
func clearField(name string) step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(document.getElementById(%q).value = "") === ""`, "f-"+name))(ctx, t)
		return chromedp.Void{}, err
	}
}

// realProblems drops the console line Chromium writes for a form answered
// with 422 (validation messages), which is expected.
func realProblems(ps []string) []string {
	var out []string
	for _, p := range ps {
		if !strings.Contains(p, "status of 422") {
			out = append(out, p)
		}
	}
	return out
}
