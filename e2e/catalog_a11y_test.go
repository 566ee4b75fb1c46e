package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/mirror"
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
	URL     string
	Store   *store.Store
	Sandbox *sandbox.Sandbox
	// Stack is the portal's background side (syncs on demand).
	Stack    *sandboxtest.Stack
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
	return newCloudPortal(t, virtualClock, sandbox.CloudGlobal)
}

// newCloudPortal is newStaffPortal with the sandbox playing cloud, and the
// portal's connection set to the same cloud.
func newCloudPortal(t *testing.T, virtualClock bool, cloud string) *staffPortal {
	t.Helper()
	// Test data: the journeys order legacy offers, which PC (and the sandbox
	// by default) no longer sells.
	pc := sandboxtest.New(t, sandbox.Options{Seed: 5, RealTime: !virtualClock, LegacyPurchases: true, Cloud: cloud})
	sb := pc.SB
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Connected with a partner admin (with MFA), as after the consent
	// journey: agreements and license usage need the app+user credential.
	pc.Store(st, box)
	if cloud == sandbox.CloudChina {
		_, err := st.Pool.Exec(ctx, `UPDATE settings SET pc_cloud = 'china'`)
		must(err)
	}
	must(st.UpdateDefaults(ctx, store.Defaults{DefaultCountry: "US", DefaultCurrency: "USD", DefaultLanguage: "en-US"}))
	must(st.CompleteSetup(ctx))
	const email, password = "sam@reseller.example", "staff password for e2e"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	must(err)
	_, err = st.CreateUser(ctx, store.NewUser{Email: email, DisplayName: "Sam Staff", Role: store.RoleStaff, PasswordHash: hash})
	must(err)

	var clock func() time.Time
	if virtualClock {
		clock = sb.Now
	}
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	stack := sandboxtest.NewStack(t, st, sandboxtest.StackOptions{Box: box, Now: clock, BaseURL: ts.URL,
		Mirror: mirror.Options{Countries: []string{"US"}, PCNow: sb.Now}})
	stack.Sync(mirror.KindCatalog)
	stack.Sync(mirror.KindFull)
	// The portal's workers (deliveries, settling new orders, add-on phases).
	stack.Start()

	deps := handlers.Deps{Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e", PC: stack.PC, Commerce: stack.Commerce, Mail: stack.Mail,
		Attention: stack.Attention,
		Logger:    slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if virtualClock {
		deps.Now = sb.Now
	}
	srv, err := handlers.New(deps)
	must(err)
	h = srv.Routes()
	return &staffPortal{URL: ts.URL, Store: st, Sandbox: sb, Stack: stack, Email: email, Password: password}
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
