package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// newSubEnv is newPCEnv on the sandbox's virtual clock (the portal's clock
// is the sandbox's, so moving it 8 days moves both), with the demo
// customers imported and the US catalog synced.
func newSubEnv(t *testing.T) *pcEnv {
	t.Helper()
	pe := startPCEnv(t, sandbox.Options{Seed: 3}, true)
	pe.createUser("staff", "staff2@example.com")
	pe.sync("full")
	pe.sync("catalog")
	return pe
}

// subID finds a mirrored subscription by customer and offer name.
func (e *pcEnv) subID(company, offerPattern string) (customer, sub string) {
	e.t.Helper()
	err := e.st.Pool.QueryRow(e.t.Context(), `SELECT c.id::text, s.id FROM subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE c.company_name = $1 AND s.offer_name ILIKE $2 ORDER BY s.id LIMIT 1`, company, offerPattern).Scan(&customer, &sub)
	if err != nil {
		e.t.Fatalf("subscription %s / %s: %v", company, offerPattern, err)
	}
	return customer, sub
}

// mirrored returns a subscription's quantity and status in the mirror.
func (e *pcEnv) mirrored(sub string) (int, string) {
	e.t.Helper()
	var q int
	var st string
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT quantity, status FROM subscriptions WHERE id = $1`, sub).Scan(&q, &st); err != nil {
		e.t.Fatal(err)
	}
	return q, st
}

func (e *pcEnv) countCommands() int {
	e.t.Helper()
	var n int
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT count(*) FROM commands`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

var (
	versionRe = regexp.MustCompile(`name="version" value="([^"]+)"`)
	tokenRe   = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// subForm loads the subscription page and returns a change form with its
// version and token.
func (e *pcEnv) subForm(c *http.Client, href, action string, kv ...string) url.Values {
	e.t.Helper()
	p := e.get(c, href)
	if p.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d\n%s", href, p.StatusCode, p.body)
	}
	v, tk := versionRe.FindStringSubmatch(p.body), tokenRe.FindStringSubmatch(p.body)
	if v == nil || tk == nil {
		e.t.Fatalf("GET %s: no version/token in the page\n%s", href, p.body)
	}
	f := url.Values{"action": {action}, "version": {v[1]}, "token": {tk[1]}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// changeResult follows a confirmed change to its page and returns it.
func (e *pcEnv) changeResult(c *http.Client, p page) page {
	e.t.Helper()
	if p.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("confirm: status %d, want 303\n%s", p.StatusCode, p.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.get(c, p.location())
		if r.StatusCode != http.StatusOK {
			e.t.Fatalf("GET %s: %d\n%s", p.location(), r.StatusCode, r.body)
		}
		if hasTestID(r.body, "change-done") || hasTestID(r.body, "change-refused") || time.Now().After(deadline) {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// pcClientForTest is a Partner Center client for the stored connection,
// standing in for the delivery worker.
func (e *pcEnv) pcClientForTest() (*pccclient.Client, error) {
	cfg, err := e.stack.PC.Config(e.t.Context())
	if err != nil {
		return nil, err
	}
	return pccclient.New(cfg)
}
