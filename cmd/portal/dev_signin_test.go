package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/cspportal/portal/internal/config"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// TestDevSignInFollowsTheSandbox: dev makes the sandbox the sign-in
// provider on a fresh database, moves its own settings to the sandbox's
// new address, keeps an admin's "off", and never touches a provider an
// admin chose.
func TestDevSignInFollowsTheSandbox(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := store.Open(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := secrets.GenerateKey()
	cfg := config.Config{SecretKey: key}
	creds := sandbox.DefaultCredentials()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	parsed, _ := secrets.ParseKey(key)
	box, _ := secrets.New(parsed)
	check := func(what, issuer, client string, enabled bool) {
		t.Helper()
		set, err := st.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if set.OidcIssuer != issuer || set.OidcClientID != client || set.OidcEnabled != enabled {
			t.Fatalf("%s: issuer %q client %q enabled %v, want %q %q %v", what, set.OidcIssuer, set.OidcClientID, set.OidcEnabled, issuer, client, enabled)
		}
	}

	if err := devSignIn(ctx, st, cfg, creds, "http://127.0.0.1:8090", log); err != nil {
		t.Fatal(err)
	}
	check("first run", "http://127.0.0.1:8090/organizations/v2.0", creds.ClientID, true)
	set, _ := st.Settings(ctx)
	if secret, err := box.Open(set.OidcClientSecretEnc); err != nil || secret != creds.ClientSecret {
		t.Errorf("stored secret opens to %q, %v", secret, err)
	}

	// An admin turns sign-in off; the next run (on another port) follows
	// the sandbox and leaves it off.
	if err := st.UpdateOIDCSettings(ctx, store.OIDCSettings{OidcIssuer: set.OidcIssuer, OidcClientID: set.OidcClientID}); err != nil {
		t.Fatal(err)
	}
	if err := devSignIn(ctx, st, cfg, creds, "http://127.0.0.1:9191", log); err != nil {
		t.Fatal(err)
	}
	check("next run, turned off", "http://127.0.0.1:9191/organizations/v2.0", creds.ClientID, false)

	// A provider the admin chose stays.
	const entra = "https://login.microsoftonline.com/organizations/v2.0"
	if err := st.UpdateOIDCSettings(ctx, store.OIDCSettings{OidcEnabled: true, OidcIssuer: entra, OidcClientID: "their-app"}); err != nil {
		t.Fatal(err)
	}
	if err := devSignIn(ctx, st, cfg, creds, "http://127.0.0.1:8090", log); err != nil {
		t.Fatal(err)
	}
	check("admin's provider", entra, "their-app", true)
}
