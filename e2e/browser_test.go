package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// chromiumPath is Debian's Chromium.
const chromiumPath = "/usr/bin/chromium"

// portal is a running portal with its sandbox.
type portal struct {
	URL     string
	Server  *handlers.Server
	Store   *store.Store
	Sandbox *sandbox.Sandbox
	PCURL   string
}

// startPortal serves the real router on a fresh database, with a sandbox.
func startPortal(t *testing.T) *portal {
	t.Helper()
	pc := sandboxtest.New(t, sandbox.Options{Seed: 1, NoSeed: true})
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := handlers.New(handlers.Deps{
		Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Routes()
	return &portal{URL: ts.URL, Server: srv, Store: st, Sandbox: pc.SB, PCURL: pc.URL}
}

// testWriter sends log lines to t.Log.
type testWriter struct {
	t  *testing.T
	mu sync.Mutex
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// browser is a headless Chromium tab.
type browser struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	// problems are console errors, exceptions and CSP violations seen.
	problems []string
}

// step is one browser action without a result.
type step = chromedp.Action[chromedp.Void]

// shared is the one Chromium process of the test binary; each test gets
// its own browser context in it (separate cookies and storage, like an
// incognito window), which saves a browser start per test.
var shared struct {
	once    sync.Once
	ctx     context.Context
	cancel  func()
	profile string
	err     error
}

// TestMain stops the shared Chromium when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
		// Chromium's children may still write to the profile briefly.
		for range 50 {
			if os.RemoveAll(shared.profile) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	os.Exit(code)
}

func startShared() {
	profile, err := os.MkdirTemp("", "portal-e2e-profile-")
	if err != nil {
		shared.err = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	shared.ctx, shared.profile = ctx, profile
	shared.cancel = func() { cancelCtx(); cancelAlloc() }
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		shared.err = fmt.Errorf("start chromium: %w", err)
	}
}

// newBrowser returns a fresh browser context (its own cookies) in the
// shared headless Chromium. It skips the test when Chromium is missing,
// unless CI is set.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		msg := fmt.Sprintf("\n\n*** %s not found: browser journeys NOT RUN. Install it with: apt-get install -y chromium ***\n", chromiumPath)
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "(CI is set, so this is a failure)")
		}
		t.Skip(msg)
	}
	shared.once.Do(startShared)
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	b := &browser{t: t}
	ctx, cancel := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(b.listen))
	t.Cleanup(cancel)
	b.ctx = ctx
	// The first call creates the tab; it must not carry a timeout either.
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return b
}

// listen records console errors, exceptions and log entries at error
// level (CSP violations are reported there).
func (b *browser) listen(ev any) {
	switch ev := ev.(type) {
	case *cdplog.EventEntryAdded:
		if ev.Entry != nil && ev.Entry.Level == cdplog.EntryLevelError {
			b.problem(fmt.Sprintf("console %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *runtime.EventExceptionThrown:
		b.problem("exception: " + (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, fmt.Sprint(a.Value))
			}
			b.problem("console.error: " + strings.Join(parts, " "))
		}
	}
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

// Problems returns the console problems seen so far.
func (b *browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// run runs steps; on failure it saves a screenshot and the page's HTML and
// fails the test with their paths.
func (b *browser) run(name string, steps ...step) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("step %q: %v\n%s", name, err, b.saveArtifacts(name))
	}
}

// text returns the visible text of the element matching css.
func (b *browser) text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v\n%s", css, err, b.saveArtifacts("text"))
	}
	return strings.TrimSpace(s)
}

// location returns the current URL.
func (b *browser) location() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// saveArtifacts writes a screenshot and the HTML of the current page under
// $E2E_ARTIFACTS (or a new temporary folder that outlives the test).
func (b *browser) saveArtifacts(name string) string {
	dir := os.Getenv("E2E_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "portal-e2e-artifacts-"); err != nil {
			return "could not create an artifacts folder: " + err.Error()
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "could not create " + dir + ": " + err.Error()
	}
	base := filepath.Join(dir, sanitize(b.t.Name()+"-"+name))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	var out []string
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil && os.WriteFile(base+".png", png, 0o644) == nil {
		out = append(out, "screenshot: "+base+".png")
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil && os.WriteFile(base+".html", []byte(html), 0o644) == nil {
		out = append(out, "page HTML: "+base+".html")
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		out = append(out, "page URL: "+u)
	}
	msg := strings.Join(out, "\n")
	b.t.Log(msg)
	return msg
}

// screenshot saves the viewport as a PNG at path.
func (b *browser) screenshot(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot saved to %s", path)
}

// fullScreenshot saves the whole page as a PNG at path.
func (b *browser) fullScreenshot(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot saved to %s", path)
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// testID is a CSS selector for a data-testid.
// signIn signs email in through the login form at base and waits for the
// landing page's test id.
func (b *browser) signIn(base, email, password, landing string) {
	b.run("sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), email),
		chromedp.SendKeys(field("password"), password),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID(landing)),
	)
}

// signOut signs out from the menu and waits for the login form.
func (b *browser) signOut() {
	b.run("sign out", chromedp.Click(testID("logout")), chromedp.WaitVisible(testID("login-form")))
}

func testID(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// clickPolled clicks the element sel inside a region htmx swaps on a
// timer: a swap between finding the element and clicking it leaves
// chromedp a dead node, so it finds it again, as a person's second click
// would.
func clickPolled(sel chromedp.CSS) step {
	click := chromedp.Click(sel)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			_, err := click(ctx, t)
			if err == nil || !strings.Contains(err.Error(), "Could not find node") {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// field is the CSS selector of a form field by name.
func field(name string) chromedp.CSS { return chromedp.CSS("#f-" + name) }
