package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/internal/testdb"
)

// TestDevPricesAfterConsentJourney checks the README's `make run` promise
// on the real binary: `portal dev` (with the embedded sandbox and its demo
// data), the setup wizard with the partner admin's sign-in, and then,
// without any other step, prices in the catalog, in a customer's cart and
// on the customer's page (Fabrikam: the demo's US customer with
// new-commerce subscriptions, which the price sheets price; Tailspin the
// same in France, in euros).
func TestDevPricesAfterConsentJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	setup, base := startDev(t)
	const email, password = "ada@reseller.example", "a long admin password"

	// The wizard as the README describes it: the Partner Center step is
	// filled in with the sandbox's details; the admin signs in on the
	// sandbox's page with MFA.
	b.wizardAdmin(setup, email, password)
	b.run("connect the partner admin",
		chromedp.Click(testID("pc-connect-user")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin@sandbox.test"),
		chromedp.SendKeys(chromedp.CSS("#password"), "sandbox-admin"),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(testID("pc-user-connected")),
	)
	b.run("save the connection, skip sign-in providers",
		chromedp.Click(testID("pc-save")),
		chromedp.WaitVisible(testID("setup-oidc")),
		chromedp.Click(testID("oidc-skip")),
		chromedp.WaitVisible(testID("setup-defaults")),
	)
	b.run("defaults and finish",
		chromedp.SetValue(field("default_country"), "US"),
		chromedp.SetValue(field("default_currency"), "USD"),
		chromedp.Click(testID("defaults-save")),
		chromedp.WaitVisible(testID("setup-finish")),
		chromedp.Click(testID("setup-finish")),
		chromedp.WaitVisible(testID("sync-title")),
	)

	// No more clicks on prices or sync: the background jobs bring the
	// catalog, the customers and the price sheets.
	waitFor := func(what, path, css, symbol string) string {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for {
			b.run(what, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
			if b.count(css) > 0 {
				if got := b.text(css); strings.Contains(got, symbol) {
					return got
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no %s price in %s 3 minutes after setup:\n%s\nprice sheets: %s", what, symbol, css, b.text("main"),
					b.pageText(base+"/admin/prices", "main"))
			}
			time.Sleep(2 * time.Second)
		}
	}
	t.Logf("catalog: %s", waitFor("the catalog", "/catalog?q=Business+Basic", `[data-testid="catalog-results"]`, "$"))
	customer := func(name string) string {
		t.Helper()
		b.run("find "+name, chromedp.Navigate(base+"/customers?q="+name), chromedp.WaitVisible(testID("customer-link")))
		attr, err := chromedp.Run(b.ctx, chromedp.AttributeValue(testID("customer-link"), "href"))
		if err != nil || !strings.HasPrefix(attr.Value, "/customers/") {
			t.Fatalf("%s's link %q: %v", name, attr.Value, err)
		}
		return attr.Value
	}
	href := customer("Fabrikam")
	t.Logf("customer page: %s", waitFor("the customer's run rate", href, `[data-testid="run-rate-totals"]`, "$"))
	t.Logf("customer view: %s", waitFor("the customer's own view", href+"/view/subscriptions", `[data-testid="entitlements-table"]`, "$"))
	t.Logf("cart: %s", waitFor("the cart's plans", href+"/cart?item_id=CFQ7TTC0LH18:0001:CFQ7TTC0K971", `[data-testid="cart-plans"]`, "$"))
	// Tailspin is in France: its country's catalog and sheets price both
	// its current term (the run rate) and its renewal in euros.
	tailspin := customer("Tailspin")
	t.Logf("Tailspin: %s", waitFor("Tailspin's renewal price", tailspin, `[data-testid="subscription-renews-at"]`, "€"))
	t.Logf("Tailspin's run rate: %s", waitFor("Tailspin's run rate", tailspin, `[data-testid="run-rate-totals"]`, "€"))
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("console problems: %v", ps)
	}
}

// startDev builds the portal and runs `portal dev` (its own Postgres
// database, sandbox and mail catcher on free ports) until the test ends,
// when Ctrl-C must stop it cleanly. It returns the one-time setup link and
// the portal's base URL.
func startDev(t *testing.T) (setup, base string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "portal")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/cspportal/portal/cmd/portal").CombinedOutput(); err != nil {
		t.Fatalf("build the portal: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "dev", "--data-dir", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--sandbox-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+testdb.New(t), "PORTAL_METRICS_ADDR=127.0.0.1:0", "PORTAL_LOG_LEVEL=warn")
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) } // Ctrl-C: drain HTTP, stop the workers
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		// Wait reports the context's cancellation; the exit status says
		// whether Ctrl-C stopped the portal cleanly.
		_ = cmd.Wait()
		if !cmd.ProcessState.Success() {
			t.Errorf("portal dev after Ctrl-C: %v\nstderr:\n%s", cmd.ProcessState, stderr.String())
		}
	})
	link := regexp.MustCompile(`(http://\S+)/setup\?token=\S+`)
	deadline := time.Now().Add(60 * time.Second)
	for link.FindString(stdout.String()) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no setup link printed\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := link.FindStringSubmatch(stdout.String())
	return m[0], m[1]
}

// wizardAdmin opens the one-time setup link and creates the first admin,
// Ada, which leaves the wizard on its Partner Center step.
func (b *browser) wizardAdmin(setup, email, password string) {
	b.t.Helper()
	b.run("setup link and admin account",
		chromedp.Navigate(setup),
		chromedp.WaitVisible(testID("setup-admin")),
		chromedp.SendKeys(field("email"), email),
		chromedp.SendKeys(field("display_name"), "Ada Lovelace"),
		chromedp.SendKeys(field("password"), password),
		chromedp.SendKeys(field("password_confirm"), password),
		chromedp.Click(testID("setup-admin-submit")),
		chromedp.WaitVisible(testID("setup-pc")),
	)
}

// pageText opens url and returns the text of css (for failure messages).
func (b *browser) pageText(url, css string) string {
	b.run("open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(css)))
	return b.text(css)
}

// lockedBuffer collects a child process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
