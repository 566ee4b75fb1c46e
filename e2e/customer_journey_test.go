package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth/oidctest"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// seedCustomer puts a customer with n subscriptions (names prefixed with
// name) and one order into the mirror; it returns the subscription ids
// and the order id.
func seedCustomer(t *testing.T, st *store.Store, id uuid.UUID, name string, n int) ([]string, string) {
	t.Helper()
	ctx := t.Context()
	order := "ord-" + uuid.NewString()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("seed %s: %v", name, err)
		}
	}
	exec(`INSERT INTO customers (id, tenant_id, company_name, domain) VALUES ($1, $2, $3, $4)`, id, id.String(), name, strings.ToLower(name)+".example")
	exec(`INSERT INTO orders (id, customer_id, status, creation_date) VALUES ($1, $2, 'completed', now())`, order, id)
	var subs []string
	for i := range n {
		sid := uuid.NewString()
		status := "active"
		if i == n-1 {
			status = "suspended"
		}
		exec(`INSERT INTO subscriptions (id, customer_id, order_id, offer_name, status, quantity, unit_type, term_duration,
			auto_renew_enabled, commitment_end_date) VALUES ($1, $2, $3, $4, $5, 5, 'Licenses', 'P1Y', true, now() + interval '200 days')`,
			sid, id, order, fmt.Sprintf("%s product %d", name, i), status)
		subs = append(subs, sid)
	}
	return subs, order
}

// TestCustomerEntitlementJourney: a user of customer A, whose tenant staff
// enabled, signs in through the test OIDC provider (no account exists
// before: the tenant maps it), sees only A's subscriptions, downloads the
// CSV, and another customer's URL answers "not found".
func TestCustomerEntitlementJourney(t *testing.T) {
	b := newBrowser(t)
	idA, idB := uuid.New(), uuid.New()
	prov := oidctest.New(oidctest.Options{ClientID: "portal-e2e", ClientSecret: "e2e-oidc-secret", MultiTenant: true, TenantID: idA.String(),
		User: oidctest.User{Subject: "dana-sub", Email: "dana@alpha.example", Name: "Dana Alpha"}})
	t.Cleanup(prov.Close)

	st := testdb.NewStore(t)
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: sandboxtest.Box(t), BaseURL: ts.URL, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OIDC:   handlers.OIDCConfig{Issuer: prov.Issuer(), ClientID: "portal-e2e", ClientSecret: "e2e-oidc-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Routes()
	ctx := t.Context()
	if _, err := st.CreateUser(ctx, store.NewUser{Email: "admin@reseller.example", Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteSetup(ctx); err != nil {
		t.Fatal(err)
	}
	subsA, _ := seedCustomer(t, st, idA, "Alpha", 4)
	subsB, orderB := seedCustomer(t, st, idB, "Bravo", 3)
	// Staff enabled the view for A's tenant (the users page's switch).
	if err := st.SetTenantSignIn(ctx, idA, idA.String(), true, store.Actor{Label: "admin@reseller.example"}, time.Now()); err != nil {
		t.Fatal(err)
	}

	b.run("sign in with the OIDC provider",
		chromedp.Navigate(ts.URL+"/my/subscriptions"),
		chromedp.WaitVisible(testID("login-oidc")),
		chromedp.Click(testID("login-oidc")),
		chromedp.WaitVisible(testID("entitlements-table")),
	)
	if who := b.text(`[data-testid="current-role"]`); !strings.EqualFold(who, "customer") {
		t.Fatalf("role shown %q", who)
	}
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(filepath.Join(dir, "customer-entitlements.png"))
	}
	ids := evalJS[[]string](t, b, `Array.from(document.querySelectorAll('[data-testid="entitlement-row"]')).map(r => r.dataset.subscription)`)
	if len(ids) != len(subsA) {
		t.Fatalf("%d rows, want %d: %v", len(ids), len(subsA), ids)
	}
	for _, id := range ids {
		if !contains(subsA, id) {
			t.Errorf("row %s is not A's", id)
		}
	}
	if body := b.text("main"); strings.Contains(body, "Bravo") || !strings.Contains(body, "not entitled") {
		t.Errorf("page text: %q", body)
	}

	// The CSV, fetched as the download link would (same cookies).
	csv := evalJS[string](t, b, `fetch(document.querySelector('[data-testid="entitlements-csv"]').href).then(r => r.text())`, chromedp.EvalAwaitPromise)
	if !strings.Contains(csv, "subscription_id,") || strings.Count(strings.TrimSpace(csv), "\n") != len(subsA) || strings.Count(csv, ",Alpha product ") != 2*len(subsA) || strings.Contains(csv, "Bravo") {
		t.Errorf("csv:\n%s", csv)
	}
	if hdr := evalJS[string](t, b, `fetch(document.querySelector('[data-testid="entitlements-csv"]').href).then(r => r.headers.get('content-disposition'))`, chromedp.EvalAwaitPromise); !strings.HasPrefix(hdr, "attachment; filename=\"entitlements-") {
		t.Errorf("content-disposition %q", hdr)
	}

	for _, path := range []string{"/my/subscriptions/" + subsB[0], "/my/orders/" + orderB} {
		b.run("another customer's "+path,
			chromedp.Navigate(ts.URL+path),
			chromedp.WaitVisible(testID("error-404")),
		)
		if body := b.text("main"); strings.Contains(body, "Bravo") || !strings.Contains(strings.ToLower(body), "not found") {
			t.Errorf("%s: %q", path, body)
		}
	}
	b.run("staff pages are refused",
		chromedp.Navigate(ts.URL+"/customers/"+idB.String()),
		chromedp.WaitVisible(testID("error-403")),
	)
	for _, pr := range b.Problems() {
		if strings.Contains(pr, "403") || strings.Contains(pr, "404") {
			continue
		}
		t.Errorf("browser problem: %s", pr)
	}
}

func evalJS[T any](t *testing.T, b *browser, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v\n%s", js, err, b.saveArtifacts("eval"))
	}
	return v
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// screenshotsDir is where journeys save screenshots of their pages for a
// look by eye (E2E_SCREENSHOTS); "" saves none.
func screenshotsDir() string { return os.Getenv("E2E_SCREENSHOTS") }
