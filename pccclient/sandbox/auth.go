package sandbox

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// tokenLifetime is the access token lifetime on the sandbox clock.
const tokenLifetime = time.Hour

// codeLifetime is how long an authorization code can be redeemed (Entra:
// about 10 minutes).
const codeLifetime = 10 * time.Minute

// DefaultRefreshTokenLifetime is the sliding lifetime of a refresh token:
// Entra expires a refresh token that was not used for 90 days
// (AADSTS700082 "expired due to inactivity").
const DefaultRefreshTokenLifetime = 90 * 24 * time.Hour

// Resource is the audience Partner Center tokens are issued for.
const Resource = "https://api.partnercenter.microsoft.com"

// User is a partner user who can sign in on the sandbox's authorize page
// (the "Connect a partner admin" consent of the secure application model).
type User struct {
	UPN      string `json:"upn"`
	Password string `json:"password"`
	// MFA: the sign-in counts as multi-factor (the tokens' amr claim is
	// ["pwd","mfa"], otherwise ["pwd"]).
	MFA      bool   `json:"mfa"`
	ObjectID string `json:"objectId"`
}

// DefaultUsers are the sandbox's partner users: an admin who signs in with
// MFA and one without MFA.
func DefaultUsers() []User {
	return []User{
		{UPN: "admin@sandbox.test", Password: "sandbox-admin", MFA: true, ObjectID: "5e7c4a31-0d2b-4c55-9a1e-00000000ad01"},
		{UPN: "nomfa@sandbox.test", Password: "sandbox-nomfa", MFA: false, ObjectID: "5e7c4a31-0d2b-4c55-9a1e-00000000ad02"},
	}
}

// tokenInfo is what the sandbox remembers about an access token it issued.
type tokenInfo struct {
	Exp  time.Time
	User string // UPN; "" for an app-only token
	OID  string // the user's object id (the token's oid claim); "" for app-only
	MFA  bool
	Aud  string // Resource or PricingResource
}

// refreshGrant is a refresh token's state (persisted with the state).
type refreshGrant struct {
	User    string    `json:"user"`
	MFA     bool      `json:"mfa"`
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
	Spent   bool      `json:"spent,omitempty"`
	Revoked bool      `json:"revoked,omitempty"`
}

// authCode is an issued authorization code.
type authCode struct {
	User        string
	MFA         bool
	ClientID    string
	RedirectURI string
	Challenge   string
	Expires     time.Time
	Used        bool
	// SignIn marks an OIDC sign-in (signin.go): the code yields an ID
	// token for the user's tenant, with Nonce, for Scope.
	SignIn   bool
	Nonce    string
	Scope    string
	TenantID string
}

type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes,omitempty"`
	Timestamp        string `json:"timestamp,omitempty"`
	TraceID          string `json:"trace_id,omitempty"`
	CorrelationID    string `json:"correlation_id,omitempty"`
}

type tokenV1 struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    string `json:"expires_in"`
	ExtExpiresIn string `json:"ext_expires_in"`
	ExpiresOn    string `json:"expires_on"`
	NotBefore    string `json:"not_before"`
	Resource     string `json:"resource"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

type tokenV2 struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

func (s *Sandbox) oauthFail(c *call, status int, code, aadsts, format string, args ...any) (int, any) {
	oe := &oauthError{Error: code, ErrorDescription: aadsts + ": " + fmt.Sprintf(format, args...) +
		"\r\nTrace ID: " + c.reqID + "\r\nTimestamp: " + c.now.Format("2006-01-02 15:04:05Z"),
		Timestamp: c.now.Format("2006-01-02 15:04:05Z"), CorrelationID: c.corr}
	if n, err := strconv.Atoi(strings.TrimPrefix(aadsts, "AADSTS")); err == nil {
		oe.ErrorCodes = []int{n}
	}
	return status, oe
}

// tokenHandler serves POST /{tenant}/oauth2/token (v1 shape, numbers as
// strings) and /{tenant}/oauth2/v2.0/token (v2 shape) for the grants
// client_credentials (app-only), authorization_code (consent, PKCE) and
// refresh_token (app+user; the refresh token rolls).
func (s *Sandbox) tokenHandler(v2 bool) handler {
	return func(c *call) (int, any) {
		form, err := url.ParseQuery(string(c.body))
		if err != nil {
			return s.oauthFail(c, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'grant_type'.")
		}
		signIn := form.Get("grant_type") == "authorization_code" && s.isSignInCode(form.Get("code"))
		if t := c.pv("tenant"); !strings.EqualFold(t, s.creds.TenantID) && !(signIn && s.signInTenantOK(t)) {
			return s.oauthFail(c, 400, "invalid_request", "AADSTS90002", "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", t)
		}
		if id, secret, ok := c.r.BasicAuth(); ok && form.Get("client_id") == "" {
			form.Set("client_id", id) // client_secret_basic
			form.Set("client_secret", secret)
		}
		grant := form.Get("grant_type")
		switch grant {
		case "client_credentials", "refresh_token", "authorization_code":
		case "":
			return s.oauthFail(c, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'grant_type'.")
		default:
			return s.oauthFail(c, 400, "unsupported_grant_type", "AADSTS70003", "The app requested an unsupported grant type '%s'.", grant)
		}
		if form.Get("client_id") != s.creds.ClientID {
			return s.oauthFail(c, 400, "unauthorized_client", "AADSTS700016", "Application with identifier '%s' was not found in the directory '%s'.", form.Get("client_id"), s.creds.TenantID)
		}
		if form.Get("client_secret") != s.creds.ClientSecret {
			return s.oauthFail(c, 401, "invalid_client", "AADSTS7000215", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", s.creds.ClientID)
		}
		var (
			user    *User
			mfa     bool
			refresh string
		)
		switch grant {
		case "refresh_token":
			rt := form.Get("refresh_token")
			if rt == "" {
				return s.oauthFail(c, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'refresh_token'.")
			}
			var fail func() (int, any)
			user, mfa, refresh, fail = s.redeemRefresh(c, rt)
			if fail != nil {
				return fail()
			}
		case "authorization_code":
			if signIn {
				return s.signInToken(c, form, v2)
			}
			var fail func() (int, any)
			user, mfa, refresh, fail = s.redeemCode(c, form)
			if fail != nil {
				return fail()
			}
		}
		aud := requestedAudience(form)
		tok, exp := s.issueAccess(c.now, user, mfa, aud)
		idTok := ""
		scope := aud + "/.default"
		if user != nil {
			idTok = s.idToken(c.now, user)
			scope = aud + "/user_impersonation"
		}
		if v2 {
			return 200, tokenV2{TokenType: "Bearer", Scope: scope, ExpiresIn: int(tokenLifetime.Seconds()),
				ExtExpiresIn: int(tokenLifetime.Seconds()), AccessToken: tok, RefreshToken: refresh, IDToken: idTok}
		}
		secs := strconv.Itoa(int(tokenLifetime.Seconds()))
		return 200, tokenV1{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs,
			ExpiresOn: strconv.FormatInt(exp.Unix(), 10), NotBefore: strconv.FormatInt(c.now.Add(-5*time.Minute).Unix(), 10),
			Resource: cmp.Or(form.Get("resource"), Resource), AccessToken: tok, RefreshToken: refresh, IDToken: idTok}
	}
}

// tenantOK accepts the partner tenant id and, on the authorize page,
// Entra's multi-tenant aliases (the token endpoint needs the tenant id).
func (s *Sandbox) tenantOK(t string) bool {
	return strings.EqualFold(t, s.creds.TenantID) || t == "common" || t == "organizations"
}

// redeemRefresh spends rt and returns a new refresh token for the same
// sign-in (user and MFA carry over, as Entra keeps the original amr).
// Error codes follow Entra's documented AADSTS list: 700082 expired after
// the inactivity lifetime, 50173 revoked, 70000 for a token already
// redeemed (Entra itself keeps old refresh tokens valid; the sandbox rolls
// strictly so a portal that keeps a spent token fails visibly — our
// choice), 9002313 for a value it never issued.
func (s *Sandbox) redeemRefresh(c *call, rt string) (*User, bool, string, func() (int, any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.Grants[rt]
	fail := func(aadsts, format string, args ...any) (*User, bool, string, func() (int, any)) {
		return nil, false, "", func() (int, any) { return s.oauthFail(c, 400, "invalid_grant", aadsts, format, args...) }
	}
	switch {
	case g == nil:
		return fail("AADSTS9002313", "Invalid request. Request is malformed or invalid: the refresh token is not one this tenant issued.")
	case g.Revoked:
		return fail("AADSTS50173", "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '%s'.", g.Issued.Format(time.RFC3339))
	case g.Spent:
		return fail("AADSTS70000", "The provided value for the input parameter 'refresh_token' is not valid: it was already redeemed. Use the refresh token returned with the last access token.")
	case !c.now.Before(g.Expires):
		return fail("AADSTS700082", "The refresh token has expired due to inactivity. The token was issued on %s and was inactive for %s.", g.Issued.Format(time.RFC3339Nano), fmtLifetime(s.refreshLifetime()))
	}
	u := s.user(g.User)
	if u == nil {
		return fail("AADSTS50034", "The user account %s does not exist in the %s directory.", g.User, s.creds.TenantID)
	}
	g.Spent = true
	next := s.newGrantLocked(c.now, u.UPN, g.MFA)
	s.purgeGrantsLocked(c.now)
	s.changed()
	return u, g.MFA, next, nil
}

// fmtLifetime renders a duration like Entra's "90.00:00:00".
func fmtLifetime(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	rest := d - time.Duration(days)*24*time.Hour
	return fmt.Sprintf("%d.%02d:%02d:%02d", days, int(rest.Hours()), int(rest.Minutes())%60, int(rest.Seconds())%60)
}

func (s *Sandbox) refreshLifetime() time.Duration {
	if s.opts.RefreshTokenLifetime > 0 {
		return s.opts.RefreshTokenLifetime
	}
	return DefaultRefreshTokenLifetime
}

// newGrantLocked issues a refresh token (caller holds s.mu).
func (s *Sandbox) newGrantLocked(now time.Time, upn string, mfa bool) string {
	rt := "sbx-rt." + randToken(32)
	if s.st.Grants == nil {
		s.st.Grants = map[string]*refreshGrant{}
	}
	s.st.Grants[rt] = &refreshGrant{User: upn, MFA: mfa, Issued: now, Expires: now.Add(s.refreshLifetime())}
	return rt
}

// purgeGrantsLocked forgets spent or revoked tokens after a day and expired
// ones (so the state stays small); until then they answer with their
// specific error.
func (s *Sandbox) purgeGrantsLocked(now time.Time) {
	if len(s.st.Grants) < 256 {
		return
	}
	for k, g := range s.st.Grants {
		if (g.Spent || g.Revoked) && now.Sub(g.Issued) > 24*time.Hour || now.After(g.Expires.Add(24*time.Hour)) {
			delete(s.st.Grants, k)
		}
	}
}

// redeemCode redeems the partner admin's consent code (see spendCode) for
// the user and a new refresh token.
func (s *Sandbox) redeemCode(c *call, form url.Values) (*User, bool, string, func() (int, any)) {
	ac, fail := s.spendCode(c, form)
	if fail != nil {
		return nil, false, "", fail
	}
	u := s.user(ac.User)
	if u == nil {
		return nil, false, "", func() (int, any) {
			return s.oauthFail(c, 400, "invalid_grant", "AADSTS50034", "The user account %s does not exist in the %s directory.", ac.User, s.creds.TenantID)
		}
	}
	s.mu.Lock()
	rt := s.newGrantLocked(c.now, u.UPN, ac.MFA)
	s.mu.Unlock()
	s.changed()
	return u, ac.MFA, rt, nil
}

// spendCode checks an authorization_code grant and marks the code used:
// the code exists, was issued to this client, is unexpired and unused,
// redirect_uri matches the authorize request and code_verifier matches the
// S256 challenge. It returns the error answer when any check fails.
func (s *Sandbox) spendCode(c *call, form url.Values) (*authCode, func() (int, any)) {
	fail := func(status int, code, aadsts, format string, args ...any) (*authCode, func() (int, any)) {
		return nil, func() (int, any) { return s.oauthFail(c, status, code, aadsts, format, args...) }
	}
	code := form.Get("code")
	if code == "" {
		return fail(400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'code'.")
	}
	s.tokMu.Lock()
	ac := s.codes[code]
	if ac == nil {
		s.tokMu.Unlock()
		return fail(400, "invalid_grant", "AADSTS9002313", "Invalid request. Request is malformed or invalid: the authorization code is not one this tenant issued.")
	}
	switch {
	case ac.Used:
		s.tokMu.Unlock()
		return fail(400, "invalid_grant", "AADSTS54005", "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case !c.now.Before(ac.Expires):
		s.tokMu.Unlock()
		return fail(400, "invalid_grant", "AADSTS70008", "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case ac.ClientID != form.Get("client_id"):
		s.tokMu.Unlock()
		return fail(400, "invalid_grant", "AADSTS70000", "The provided authorization code was issued to a different client.")
	case ac.RedirectURI != form.Get("redirect_uri"):
		// Entra refuses a redirect_uri that differs from the authorize
		// request's; the exact AADSTS number is not documented for the
		// token endpoint, 70000 (invalid grant) is our choice.
		s.tokMu.Unlock()
		return fail(400, "invalid_grant", "AADSTS70000", "The provided value for the input parameter 'redirect_uri' is not valid. The expected value is the redirect URI of the authorization request.")
	case form.Get("code_verifier") == "" || pkceS256(form.Get("code_verifier")) != ac.Challenge:
		s.tokMu.Unlock()
		return fail(400, "invalid_grant", "AADSTS501481", "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	ac.Used = true
	s.tokMu.Unlock()
	return ac, nil
}

func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// users returns the configured partner users.
func (s *Sandbox) users() []User {
	if s.opts.Users != nil {
		return s.opts.Users
	}
	return DefaultUsers()
}

// Users returns the partner users that can sign in on the authorize page.
func (s *Sandbox) Users() []User { return append([]User(nil), s.users()...) }

func (s *Sandbox) user(upn string) *User {
	for _, u := range s.users() {
		if strings.EqualFold(u.UPN, upn) {
			return &u
		}
	}
	return nil
}

// jwt renders claims as an unsigned JWT-shaped token (header.payload.sig,
// base64url); the "signature" is random so every token is unique. The
// sandbox does not verify signatures: it looks tokens up in its own map.
func jwt(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"none","kid":"sandbox"}`))
	p, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + "." + randToken(24)
}

// issueAccess issues an access token: app-only when user is nil (idtyp
// "app"), otherwise for the user (idtyp "user", upn, amr).
func (s *Sandbox) issueAccess(now time.Time, user *User, mfa bool, aud string) (string, time.Time) {
	exp := now.Add(tokenLifetime)
	claims := map[string]any{
		"aud": aud, "iss": "https://sts.windows.net/" + s.creds.TenantID + "/",
		"iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"tid": s.creds.TenantID, "appid": s.creds.ClientID, "appidacr": "1", "ver": "1.0",
	}
	ti := tokenInfo{Exp: exp, Aud: aud}
	if user == nil {
		claims["idtyp"] = "app"
		claims["oid"] = "00000000-0000-0000-0000-00000000a990"
		claims["sub"] = claims["oid"]
	} else {
		amr := []string{"pwd"}
		if mfa {
			amr = append(amr, "mfa")
		}
		claims["idtyp"] = "user"
		claims["upn"] = user.UPN
		claims["unique_name"] = user.UPN
		claims["oid"] = user.ObjectID
		claims["sub"] = user.ObjectID
		claims["amr"] = amr
		claims["scp"] = "user_impersonation"
		ti.User, ti.OID, ti.MFA = user.UPN, user.ObjectID, mfa
	}
	tok := jwt(claims)
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	s.tokens[tok] = ti
	// Forget long-expired tokens and codes so the maps stay small.
	if len(s.tokens) > 10000 {
		for k, t := range s.tokens {
			if now.After(t.Exp) {
				delete(s.tokens, k)
			}
		}
	}
	if len(s.codes) > 1000 {
		for k, ac := range s.codes {
			if now.After(ac.Expires) {
				delete(s.codes, k)
			}
		}
	}
	return tok, exp
}

// idToken is the OpenID Connect id_token of a user sign-in.
func (s *Sandbox) idToken(now time.Time, u *User) string {
	return jwt(map[string]any{
		"aud": s.creds.ClientID, "iss": "https://login.microsoftonline.com/" + s.creds.TenantID + "/v2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(tokenLifetime).Unix(),
		"tid": s.creds.TenantID, "oid": u.ObjectID, "sub": u.ObjectID, "preferred_username": u.UPN, "name": u.UPN, "ver": "2.0",
	})
}

// IssueToken returns a valid app-only access token without going through
// the token endpoint (handy for curl and tests).
func (s *Sandbox) IssueToken() string {
	t, _ := s.issueAccess(s.clock.Now(), nil, false, Resource)
	return t
}

// IssueUserToken returns an app+user access token for a configured user
// (MFA as the user's sign-in has it), without the sign-in page.
func (s *Sandbox) IssueUserToken(upn string) (string, error) {
	u := s.user(upn)
	if u == nil {
		return "", fmt.Errorf("sandbox: no user %q", upn)
	}
	t, _ := s.issueAccess(s.clock.Now(), u, u.MFA, Resource)
	return t, nil
}

// IssueRefreshToken returns a refresh token for a configured user as if
// the user had consented on the sign-in page (for fixtures that connect a
// partner admin without a browser).
func (s *Sandbox) IssueRefreshToken(upn string) (string, error) {
	u := s.user(upn)
	if u == nil {
		return "", fmt.Errorf("sandbox: no user %q", upn)
	}
	s.mu.Lock()
	rt := s.newGrantLocked(s.clock.Now(), u.UPN, u.MFA)
	s.mu.Unlock()
	s.changed()
	return rt, nil
}

// RevokeUserTokens revokes every refresh token of the user (as an admin
// does with "Revoke sessions" in Entra); the next redeem gets invalid_grant
// AADSTS50173. Access tokens already issued stay valid until they expire,
// as in Entra. It returns how many live refresh tokens were revoked.
func (s *Sandbox) RevokeUserTokens(upn string) int {
	now := s.clock.Now()
	s.mu.Lock()
	n := 0
	for _, g := range s.st.Grants {
		if strings.EqualFold(g.User, upn) && !g.Revoked && !g.Spent && now.Before(g.Expires) {
			g.Revoked = true
			n++
		}
	}
	s.mu.Unlock()
	s.changed()
	return n
}

// RevokeTokens invalidates every issued access token; the next API call
// with an old token gets 401.
func (s *Sandbox) RevokeTokens() {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	s.tokens = map[string]tokenInfo{}
}

// checkToken validates the Authorization header and returns what the
// token is.
func (s *Sandbox) checkToken(r *http.Request) (tokenInfo, *pcError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return tokenInfo{}, newErr(http.StatusUnauthorized, "800001", "Partner Token missing in request context")
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	if ok {
		s.tokMu.RLock()
		ti, found := s.tokens[strings.TrimSpace(tok)]
		s.tokMu.RUnlock()
		// A token for the pricing API (api.partner.microsoft.com) is not
		// one for api.partnercenter.microsoft.com.
		if found && s.clock.Now().Before(ti.Exp) && ti.Aud != PricingResource && ti.Aud != GraphResource {
			return ti, nil
		}
	}
	return tokenInfo{}, newErr(http.StatusUnauthorized, "400", "Access denied")
}
