package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// tokenLifetime is the access token lifetime on the sandbox clock.
const tokenLifetime = time.Hour

// Resource is the audience Partner Center tokens are issued for.
const Resource = "https://api.partnercenter.microsoft.com"

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
	ExpiresIn    string `json:"expires_in"`
	ExtExpiresIn string `json:"ext_expires_in"`
	ExpiresOn    string `json:"expires_on"`
	NotBefore    string `json:"not_before"`
	Resource     string `json:"resource"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

type tokenV2 struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

func (s *Sandbox) oauthFail(c *call, status int, code, aadsts, format string, args ...any) (int, any) {
	return status, &oauthError{Error: code, ErrorDescription: aadsts + ": " + fmt.Sprintf(format, args...) +
		"\r\nTrace ID: " + c.reqID + "\r\nTimestamp: " + c.now.Format("2006-01-02 15:04:05Z"),
		Timestamp: c.now.Format("2006-01-02 15:04:05Z"), CorrelationID: c.corr}
}

// tokenHandler serves POST /{tenant}/oauth2/token (v1 shape, numbers as
// strings) and /{tenant}/oauth2/v2.0/token (v2 shape).
func (s *Sandbox) tokenHandler(v2 bool) handler {
	return func(c *call) (int, any) {
		form, err := url.ParseQuery(string(c.body))
		if err != nil {
			return s.oauthFail(c, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'grant_type'.")
		}
		if t := c.pv("tenant"); !strings.EqualFold(t, s.creds.TenantID) {
			return s.oauthFail(c, 400, "invalid_request", "AADSTS90002", "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", t)
		}
		if id, secret, ok := c.r.BasicAuth(); ok && form.Get("client_id") == "" {
			form.Set("client_id", id) // client_secret_basic
			form.Set("client_secret", secret)
		}
		grant := form.Get("grant_type")
		if grant != "client_credentials" && grant != "refresh_token" {
			if grant == "" {
				return s.oauthFail(c, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'grant_type'.")
			}
			return s.oauthFail(c, 400, "unsupported_grant_type", "AADSTS70003", "The app requested an unsupported grant type '%s'.", grant)
		}
		if form.Get("client_id") != s.creds.ClientID {
			return s.oauthFail(c, 400, "unauthorized_client", "AADSTS700016", "Application with identifier '%s' was not found in the directory '%s'.", form.Get("client_id"), s.creds.TenantID)
		}
		if form.Get("client_secret") != s.creds.ClientSecret {
			return s.oauthFail(c, 401, "invalid_client", "AADSTS7000215", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", s.creds.ClientID)
		}
		if grant == "refresh_token" && form.Get("refresh_token") == "" {
			return s.oauthFail(c, 400, "invalid_request", "AADSTS900144", "The request body must contain the following parameter: 'refresh_token'.")
		}
		tok, exp := s.issueToken(c.now)
		refresh := ""
		if grant == "refresh_token" {
			refresh = "sbx-refresh." + tok[4:20]
		}
		if v2 {
			return 200, tokenV2{TokenType: "Bearer", Scope: Resource + "/.default", ExpiresIn: int(tokenLifetime.Seconds()),
				ExtExpiresIn: int(tokenLifetime.Seconds()), AccessToken: tok, RefreshToken: refresh}
		}
		secs := strconv.Itoa(int(tokenLifetime.Seconds()))
		return 200, tokenV1{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs,
			ExpiresOn: strconv.FormatInt(exp.Unix(), 10), NotBefore: strconv.FormatInt(c.now.Add(-5*time.Minute).Unix(), 10),
			Resource: cmpOr(form.Get("resource"), Resource), AccessToken: tok, RefreshToken: refresh}
	}
}

func (s *Sandbox) issueToken(now time.Time) (string, time.Time) {
	exp := now.Add(tokenLifetime)
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	id := strings.ReplaceAll(s.faults.newID()+s.faults.newID(), "-", "")
	tok := "sbx." + id
	s.tokens[tok] = exp
	// Forget long-expired tokens so the map stays small.
	if len(s.tokens) > 10000 {
		for k, e := range s.tokens {
			if now.After(e) {
				delete(s.tokens, k)
			}
		}
	}
	return tok, exp
}

// IssueToken returns a valid access token without going through the token
// endpoint (handy for curl and tests).
func (s *Sandbox) IssueToken() string {
	t, _ := s.issueToken(s.clock.Now())
	return t
}

// RevokeTokens invalidates every issued access token; the next API call
// with an old token gets 401.
func (s *Sandbox) RevokeTokens() {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	s.tokens = map[string]time.Time{}
}

func (s *Sandbox) checkToken(r *http.Request) *pcError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return newErr(http.StatusUnauthorized, "800001", "Partner Token missing in request context")
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	if ok {
		s.tokMu.Lock()
		exp, found := s.tokens[strings.TrimSpace(tok)]
		s.tokMu.Unlock()
		if found && s.clock.Now().Before(exp) {
			return nil
		}
	}
	return newErr(http.StatusUnauthorized, "400", "Access denied")
}
