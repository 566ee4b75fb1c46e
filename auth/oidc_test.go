package auth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/auth/oidctest"
)

// signIn runs Begin, the provider's authorize redirect and Finish.
func signIn(t *testing.T, o *auth.OIDC) (auth.Identity, error) {
	t.Helper()
	authURL, pending := o.Begin("/")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return o.Finish(t.Context(), pending, loc.Query().Get("state"), loc.Query().Get("code"))
}

func TestOIDC(t *testing.T) {
	t.Parallel()
	user := oidctest.User{Subject: "sub-1", Email: "ann@example.com", Name: "Ann"}
	for _, tc := range []struct {
		name        string
		multiTenant bool
		tenants     []string
		prepare     func(p *oidctest.Provider)
		wantErr     error  // errors.Is target, or nil
		wantErrText string // substring, when wantErr is nil
		check       func(t *testing.T, id auth.Identity)
	}{
		{name: "ok"},
		{name: "ok multi-tenant", multiTenant: true},
		{name: "ok allowed tenant", multiTenant: true, tenants: []string{"11111111-2222-4333-8444-555555555555"}},
		{name: "tenant not allowed", multiTenant: true, tenants: []string{"99999999-2222-4333-8444-555555555555"}, wantErr: auth.ErrOIDCTenant},
		{name: "unverified email", prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { delete(c, "email_verified") })
		}, check: func(t *testing.T, id auth.Identity) {
			if id.EmailVerified || id.Email != "ann@example.com" {
				t.Fatalf("identity = %+v, want an unverified email", id)
			}
		}},
		{name: "entra verified domain", prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { delete(c, "email_verified"); c["xms_edov"] = "true" })
		}},
		{name: "bad state", prepare: func(p *oidctest.Provider) { p.WrongStateNext("forged") }, wantErr: auth.ErrOIDCState},
		{name: "bad nonce", prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { c["nonce"] = "other" })
		}, wantErr: auth.ErrOIDCNonce},
		{name: "expired", prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })
		}, wantErrText: "expired"},
		{name: "wrong audience", prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { c["aud"] = "someone-else" })
		}, wantErrText: "audience"},
		{name: "wrong issuer", prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { c["iss"] = "https://evil.example.com" })
		}, wantErrText: "different provider"},
		{name: "multi-tenant issuer of another tenant", multiTenant: true, prepare: func(p *oidctest.Provider) {
			p.TamperNext(func(c oidctest.Claims) { c["iss"] = p.URL + "/99999999-2222-4333-8444-555555555555/v2.0" })
		}, wantErr: auth.ErrOIDCIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := oidctest.New(oidctest.Options{ClientID: "portal", ClientSecret: "s3cret", MultiTenant: tc.multiTenant, User: user})
			defer p.Close()
			o, err := auth.NewOIDC(t.Context(), auth.OIDCConfig{
				Issuer: p.Issuer(), ClientID: "portal", ClientSecret: "s3cret",
				RedirectURL: "http://portal.test/auth/oidc/callback", Tenants: tc.tenants,
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.prepare != nil {
				tc.prepare(p)
			}
			id, err := signIn(t, o)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.wantErrText != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErrText) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErrText)
				}
			case tc.check != nil:
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, id)
			default:
				if err != nil {
					t.Fatal(err)
				}
				if id.Subject != "sub-1" || id.Email != "ann@example.com" || !id.EmailVerified || id.Issuer != p.TokenIssuer() {
					t.Fatalf("identity = %+v", id)
				}
			}
		})
	}
}
