package pccclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// tokenClaims are the access-token claims the client reads (it never
// verifies signatures: the token came straight from the identity endpoint
// over TLS and PC is the party that validates it).
type tokenClaims struct {
	UPN               string   `json:"upn"`
	UniqueName        string   `json:"unique_name"`
	PreferredUsername string   `json:"preferred_username"`
	AMR               []string `json:"amr"`
	IDType            string   `json:"idtyp"`
	Exp               int64    `json:"exp"`
}

func (c tokenClaims) user() string {
	for _, v := range []string{c.UPN, c.PreferredUsername, c.UniqueName} {
		if v != "" {
			return v
		}
	}
	return ""
}

func (c tokenClaims) mfa() bool { return slices.Contains(c.AMR, "mfa") }

// parseClaims decodes the payload of a JWT-shaped token.
func parseClaims(tok string) (tokenClaims, bool) {
	var c tokenClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, false
	}
	if json.Unmarshal(b, &c) != nil {
		return c, false
	}
	return c, true
}

// NewPKCE returns a PKCE code verifier (43 characters, RFC 7636) and its S256
// challenge. Keep the verifier server-side (the session) until the callback.
func NewPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, PKCEChallenge(verifier)
}

// PKCEChallenge is the S256 code challenge of verifier.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthCodeRequest is what AuthorizeURL needs.
type AuthCodeRequest struct {
	RedirectURI   string // the portal's callback, registered on the Entra app
	State         string // random, checked at the callback
	CodeChallenge string // from NewPKCE (S256)
	LoginHint     string // optional: pre-fill the user name
}

// authority returns the token URL's scheme, host and path up to and
// including the tenant segment ("https://login.microsoftonline.com/{tenant}").
func (c *Client) authority() string {
	u := c.cfg.TokenURL
	if i := strings.Index(u, "/oauth2/"); i >= 0 {
		return u[:i]
	}
	return strings.TrimRight(u, "/")
}

// v2TokenURL is the v2.0 token endpoint of the authority; authorization
// codes from the v2.0 authorize endpoint are redeemed there.
func (c *Client) v2TokenURL() string {
	if strings.Contains(c.cfg.TokenURL, "/v2.0/") {
		return c.cfg.TokenURL
	}
	return c.authority() + "/oauth2/v2.0/token"
}

// userScope is what the consent asks for: PC as the signed-in user, plus a
// refresh token.
func (c *Client) userScope() string {
	return c.cfg.Resource + "/user_impersonation offline_access openid profile"
}

// AuthorizeURL returns the Entra v2.0 authorize URL for the partner admin's
// consent (authorization-code flow with PKCE S256), on the authority of
// Config.TokenURL: {authority}/{tenant}/oauth2/v2.0/authorize.
func (c *Client) AuthorizeURL(r AuthCodeRequest) string {
	q := url.Values{}
	q.Set("client_id", c.cfg.ClientID)
	q.Set("response_type", "code")
	q.Set("redirect_uri", r.RedirectURI)
	q.Set("response_mode", "query")
	q.Set("scope", c.userScope())
	q.Set("state", r.State)
	q.Set("code_challenge", r.CodeChallenge)
	q.Set("code_challenge_method", "S256")
	if r.LoginHint != "" {
		q.Set("login_hint", r.LoginHint)
	}
	return c.authority() + "/oauth2/v2.0/authorize?" + q.Encode()
}

// Grant is the result of a partner admin's consent.
type Grant struct {
	RefreshToken  string    // store it (encrypted) in the RefreshTokenStore
	User          string    // upn / preferred_username of the signed-in admin
	MFA           bool      // the sign-in used multi-factor authentication (amr contains "mfa")
	AccessExpires time.Time // expiry of the access token issued with it
}

// ExchangeCode redeems an authorization code (authorization_code grant with
// the PKCE verifier) at the v2.0 token endpoint of the authority. Refusals are
// *TokenError (invalid_grant: code reused, expired or verifier mismatch).
func (c *Client) ExchangeCode(ctx context.Context, code, codeVerifier, redirectURI string) (Grant, error) {
	if code == "" || codeVerifier == "" || redirectURI == "" {
		return Grant{}, &ArgumentError{Operation: "exchange-code", Field: "code/codeVerifier/redirectURI", Problem: "is empty"}
	}
	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	form.Set("code", code)
	form.Set("code_verifier", codeVerifier)
	form.Set("redirect_uri", redirectURI)
	form.Set("scope", c.userScope())
	tr, exp, err := postToken(ctx, &c.cfg, c.v2TokenURL(), form, code)
	if err != nil {
		return Grant{}, fmt.Errorf("partner center consent: %w", err)
	}
	if tr.RefreshToken == "" {
		return Grant{}, fmt.Errorf("partner center consent: %w", &TokenError{HTTPStatus: http.StatusOK, Err: errors.New("no refresh_token in response (offline_access not granted)")})
	}
	claims, _ := parseClaims(tr.AccessToken)
	return Grant{RefreshToken: tr.RefreshToken, User: claims.user(), MFA: claims.mfa(), AccessExpires: exp}, nil
}

// ProbeResult is the outcome of Probe.
type ProbeResult struct {
	OK   bool
	User string // app+user: the partner admin the token belongs to
	MFA  bool   // app+user: the token carries MFA
	Err  error  // *ConsentError, *TokenError or *Error when !OK
}

// Probe makes one cheap read (the first customer) with the given credential,
// to show which credentials work right now. For AppUser it redeems the
// stored refresh token if no access token is cached (which rolls it).
func (c *Client) Probe(ctx context.Context, cred Credential) ProbeResult {
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	_, err := c.do(ctx, &call{op: "probe", class: ClassRead, method: http.MethodGet, path: "/customers",
		query: url.Values{"size": {"1"}}, out: &page, cred: cred, credSet: true})
	res := ProbeResult{OK: err == nil, Err: err}
	if cred == AppUser {
		res.User, res.MFA, _, _ = c.UserInfo()
	}
	return res
}

// ForgetUserToken drops the cached app+user access token and any
// remembered consent failure (a failure is otherwise reused for 30 s). Call
// it after a partner admin connects, reconnects or is disconnected.
func (c *Client) ForgetUserToken() {
	c.user.forget()
	c.priceUser.forget()
}

// UserInfo returns who the last app+user access token belongs to, whether it
// carries MFA and when it expires; ok is false before the first app+user
// token was obtained.
func (c *Client) UserInfo() (user string, mfa bool, expires time.Time, ok bool) {
	ts := c.user
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.haveTok {
		return "", false, time.Time{}, false
	}
	return ts.claims.user(), ts.claims.mfa(), ts.expires, true
}
