package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig configures OIDC sign-in.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.microsoftonline.com/organizations/v2.0
	ClientID     string
	ClientSecret string
	RedirectURL  string   // BaseURL + "/auth/oidc/callback"
	Tenants      []string // allowed Entra tenant ids (tid); empty = any
	HTTPClient   *http.Client
	Now          func() time.Time
}

// OIDC signs users in with an OpenID Connect provider using the
// authorization code flow with PKCE (S256), state and nonce.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	// issuerTemplate is set for Entra multi-tenant issuers: the issuer with
	// "{tenantid}" where each token's tid goes.
	issuerTemplate string
}

// Pending is what sign-in keeps in the session between the redirect to the
// provider and the callback.
type Pending struct {
	State    string
	Nonce    string
	Verifier string
	Next     string
}

// Identity is the verified result of an OIDC sign-in.
type Identity struct {
	Issuer  string // the token's iss
	Subject string
	Email   string
	// EmailVerified is true when the provider vouches for the email:
	// email_verified, or Entra's xms_edov (the email's domain is verified
	// by the tenant). Only a verified email may link an existing account,
	// since an Entra tenant admin can set any email on their users.
	EmailVerified bool
	Name          string
	TenantID      string // Entra tid claim, if any
}

// Errors from Finish; all mean "refuse the sign-in".
var (
	ErrOIDCState  = errors.New("sign-in state does not match; start again")
	ErrOIDCNonce  = errors.New("sign-in nonce does not match")
	ErrOIDCTenant = errors.New("your organization is not allowed to sign in here")
	ErrOIDCIssuer = errors.New("token issuer does not match the configured provider")
)

// multiTenantSegments are the Entra issuer path segments that stand for
// "any tenant"; discovery on them returns an issuer with {tenantid}.
var multiTenantSegments = []string{"/organizations/", "/common/"}

// NewOIDC discovers the provider at cfg.Issuer.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("oidc: issuer and client id are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	o := &OIDC{cfg: cfg}
	issuer := strings.TrimRight(cfg.Issuer, "/")
	for _, seg := range multiTenantSegments {
		if strings.Contains(issuer+"/", seg) {
			o.issuerTemplate = strings.Replace(issuer+"/", seg, "/{tenantid}/", 1)
			o.issuerTemplate = strings.TrimRight(o.issuerTemplate, "/")
			// Discovery returns the templated issuer; accept it, and check
			// each token's issuer against its tid ourselves.
			ctx = oidc.InsecureIssuerURLContext(ctx, o.issuerTemplate)
			break
		}
	}
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", issuer, err)
	}
	o.verifier = p.Verifier(&oidc.Config{
		ClientID:        cfg.ClientID,
		SkipIssuerCheck: o.issuerTemplate != "",
		Now:             cfg.Now,
	})
	o.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  cfg.RedirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
	return o, nil
}

// Begin starts a sign-in: it returns the provider URL to redirect to and
// what to keep in the session for the callback.
func (o *OIDC) Begin(next string) (string, Pending) {
	p := Pending{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Next: next}
	u := o.oauth.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier))
	return u, p
}

// Finish completes a sign-in from the callback's state and code: it checks
// the state, exchanges the code (with the PKCE verifier), verifies the ID
// token (signature, audience, expiry, issuer or Entra tenant issuer) and its
// nonce, and returns who signed in.
func (o *OIDC) Finish(ctx context.Context, p Pending, state, code string) (Identity, error) {
	if p.State == "" || state != p.State {
		return Identity{}, ErrOIDCState
	}
	if o.cfg.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, o.cfg.HTTPClient)
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("oidc code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, errors.New("oidc: the provider returned no id_token")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("oidc id token: %w", err)
	}
	if idt.Nonce != p.Nonce {
		return Identity{}, ErrOIDCNonce
	}
	var claims struct {
		Email             string `json:"email"`
		PreferredUsername string `json:"preferred_username"`
		Name              string `json:"name"`
		TenantID          string `json:"tid"`
		EmailVerified     any    `json:"email_verified"`
		EDOV              any    `json:"xms_edov"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("oidc claims: %w", err)
	}
	if o.issuerTemplate != "" {
		if claims.TenantID == "" || idt.Issuer != strings.ReplaceAll(o.issuerTemplate, "{tenantid}", claims.TenantID) {
			return Identity{}, ErrOIDCIssuer
		}
	}
	if len(o.cfg.Tenants) > 0 && !slices.ContainsFunc(o.cfg.Tenants, func(t string) bool { return strings.EqualFold(t, claims.TenantID) }) {
		return Identity{}, ErrOIDCTenant
	}
	email := claims.Email
	if email == "" && strings.Contains(claims.PreferredUsername, "@") {
		email = claims.PreferredUsername
	}
	return Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: email, Name: claims.Name, TenantID: claims.TenantID,
		EmailVerified: email == claims.Email && (isTrue(claims.EmailVerified) || isTrue(claims.EDOV))}, nil
}

// isTrue reads a boolean claim that some providers send as a string.
func isTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true") || v == "1"
	}
	return false
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
