// Package oidctest is a small OpenID Connect provider for tests: an
// httptest server with discovery, JWKS, an authorize endpoint that approves
// at once, and a token endpoint that checks PKCE and signs real RS256 ID
// tokens. Tests can tamper with the next token or state to prove refusals.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// User is who the provider signs in.
type User struct {
	Subject string
	Email   string
	Name    string
}

// Options configure a Provider.
type Options struct {
	ClientID     string
	ClientSecret string
	// MultiTenant serves discovery at /organizations/v2.0 with an issuer of
	// /{tenantid}/v2.0, like Microsoft Entra; tokens carry TenantID as tid.
	MultiTenant bool
	TenantID    string
	User        User
	Now         func() time.Time
}

// Claims are an ID token's claims; Tamper may change them.
type Claims map[string]any

// Provider is a running test OIDC provider.
type Provider struct {
	*httptest.Server
	opts Options
	key  *rsa.PrivateKey

	mu     sync.Mutex
	codes  map[string]grant
	tamper func(Claims)
	state  string
	user   User
}

type grant struct {
	nonce, challenge, redirect string
}

// New starts a provider; Close it when done.
func New(opts Options) *Provider {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TenantID == "" {
		opts.TenantID = "11111111-2222-4333-8444-555555555555"
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p := &Provider{opts: opts, key: key, codes: map[string]grant{}, user: opts.User}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /organizations/v2.0/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	return p
}

// Issuer is what to configure the portal with.
func (p *Provider) Issuer() string {
	if p.opts.MultiTenant {
		return p.URL + "/organizations/v2.0"
	}
	return p.URL
}

// TokenIssuer is the iss of the tokens this provider signs.
func (p *Provider) TokenIssuer() string {
	if p.opts.MultiTenant {
		return p.URL + "/" + p.opts.TenantID + "/v2.0"
	}
	return p.URL
}

// SetUser changes who the next sign-ins are.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// TamperNext changes the claims of the next ID token only.
func (p *Provider) TamperNext(f func(Claims)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// WrongStateNext makes the next authorize redirect carry state s instead of
// the one the client sent.
func (p *Provider) WrongStateNext(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = s
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := p.URL
	if p.opts.MultiTenant {
		iss = p.URL + "/{tenantid}/v2.0"
	}
	writeJSON(w, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *Provider) keys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "test-key", Algorithm: "RS256", Use: "sig"}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.opts.ClientID || q.Get("response_type") != "code" {
		http.Error(w, "bad client_id or response_type", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	}
	code := random()
	state := q.Get("state")
	p.mu.Lock()
	p.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	if p.state != "" {
		state, p.state = p.state, ""
	}
	p.mu.Unlock()
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := u.Query()
	v.Set("code", code)
	v.Set("state", state)
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", err.Error())
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.opts.ClientID || secret != p.opts.ClientSecret {
		oauthError(w, "invalid_client", "bad client credentials")
		return
	}
	p.mu.Lock()
	g, ok := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	tamper := p.tamper
	p.tamper = nil
	user := p.user
	p.mu.Unlock()
	if !ok || g.redirect != r.PostForm.Get("redirect_uri") {
		oauthError(w, "invalid_grant", "unknown code or redirect_uri")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		oauthError(w, "invalid_grant", "PKCE verification failed")
		return
	}
	now := p.opts.Now()
	c := Claims{
		"iss":            p.TokenIssuer(),
		"sub":            user.Subject,
		"aud":            p.opts.ClientID,
		"exp":            now.Add(time.Hour).Unix(),
		"iat":            now.Unix(),
		"nonce":          g.nonce,
		"email":          user.Email,
		"email_verified": true,
		"name":           user.Name,
	}
	if p.opts.MultiTenant {
		c["tid"] = p.opts.TenantID
	}
	if tamper != nil {
		tamper(c)
	}
	writeJSON(w, map[string]any{
		"access_token": random(),
		"token_type":   "Bearer",
		"expires_in":   3600,
		"id_token":     p.Sign(c),
	})
}

// Sign returns claims as a compact RS256 JWT signed with the provider's key.
func (p *Provider) Sign(c Claims) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.key, KeyID: "test-key"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(c)
	obj, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return s
}

func oauthError(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func random() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}
