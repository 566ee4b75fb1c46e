package e2e

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth/oidctest"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// TestCustomerOIDCJourney: a customer user signs in through an Entra-like
// multi-tenant OIDC provider in the browser. The provider is on 127.0.0.1
// and the portal on localhost, so the callback is a cross-site navigation:
// the SameSite=Lax session cookie must still carry the pending sign-in.
// The customer sees only their own navigation.
func TestCustomerOIDCJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	const tenant = "3c1d7e2f-0000-4000-8000-00000000beef"
	prov := oidctest.New(oidctest.Options{ClientID: "portal-e2e", ClientSecret: "e2e-oidc-secret", MultiTenant: true, TenantID: tenant,
		User: oidctest.User{Subject: "cust-sub", Email: "carol@contoso.example", Name: "Carol Customer"}})
	t.Cleanup(prov.Close)

	st := testdb.NewStore(t)
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	base := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: sandboxtest.Box(t), BaseURL: base, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OIDC:   handlers.OIDCConfig{Issuer: prov.Issuer(), ClientID: "portal-e2e", ClientSecret: "e2e-oidc-secret", AllowedTenants: []string{tenant}}})
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Routes()
	ctx := t.Context()
	if _, err := st.CreateUser(ctx, store.NewUser{Email: "admin@reseller.example", Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	cust := uuid.New()
	if _, err := st.CreateUser(ctx, store.NewUser{Email: "carol@contoso.example", DisplayName: "Carol", Role: store.RoleCustomer,
		CustomerID: &cust, CustomerVia: "tenant"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteSetup(ctx); err != nil {
		t.Fatal(err)
	}

	b.run("sign in with Microsoft",
		chromedp.Navigate(base+"/my/subscriptions"),
		chromedp.WaitVisible(testID("login-oidc")),
		chromedp.Click(testID("login-oidc")),
		chromedp.WaitVisible(testID("entitlements-title")),
	)
	if loc := b.location(); loc != base+"/my/subscriptions" {
		t.Fatalf("after sign-in at %s", loc)
	}
	if who := b.text(`[data-testid="current-role"]`); !strings.EqualFold(who, "customer") {
		t.Fatalf("role shown %q", who)
	}
	nav := b.text(`[data-testid="nav"]`)
	if !strings.Contains(nav, "My subscriptions") || strings.Contains(nav, "Customers") || strings.Contains(nav, "Settings") {
		t.Fatalf("customer navigation: %q", nav)
	}
	b.run("staff pages are refused",
		chromedp.Navigate(base+"/customers"),
		chromedp.WaitVisible(testID("error-403")),
	)
	for _, pr := range b.Problems() {
		if strings.Contains(pr, "403") || strings.Contains(pr, "404") {
			continue
		}
		t.Errorf("browser problem: %s", pr)
	}
}
