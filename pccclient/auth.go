package pccclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// expiryBuffer: tokens are refreshed this long before they expire (as the
// .NET SDK does).
const expiryBuffer = 30 * time.Second

// tokenSource fetches and caches access tokens of one credential kind.
// Concurrent callers needing a new token share one fetch (and, for app+user,
// one refresh-token redeem per client; the RefreshTokenStore serialises
// redeems across clients and replicas).
type tokenSource struct {
	cfg      *Config
	kind     Credential
	resource string // token audience: Config.Resource or Config.PricingResource
	group    singleflight.Group

	mu       sync.Mutex
	access   string
	expires  time.Time
	claims   tokenClaims // app+user: claims of the cached access token
	claimsOK bool        // the access token was a readable JWT
	haveTok  bool        // an app+user token was obtained at least once
	// failErr remembers an app+user consent failure until failUntil, so a
	// sync over many customers does not ask the store and the identity
	// endpoint once per call.
	failErr   error
	failUntil time.Time
}

// consentFailureTTL is how long an app+user consent failure is reused.
const consentFailureTTL = 30 * time.Second

type tokenResponse struct {
	TokenType    string  `json:"token_type"`
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	ExpiresIn    flexInt `json:"expires_in"`
	ExpiresOn    flexInt `json:"expires_on"`
	Error        string  `json:"error"`
	Description  string  `json:"error_description"`
	ErrorCodes   []int   `json:"error_codes"`
}

// flexInt is a number the v1 token endpoint sends as a string ("3600") and
// the v2 endpoint as a number.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %q", s)
	}
	*f = flexInt(n)
	return nil
}

func parseTokenResponse(b []byte) (tokenResponse, error) {
	var tr tokenResponse
	if err := json.Unmarshal(b, &tr); err != nil {
		return tr, fmt.Errorf("decode token response: %w", err)
	}
	return tr, nil
}

// token returns a valid access token, fetching one if the cached token is
// missing or within expiryBuffer of expiring.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	now := ts.cfg.Clock.Now()
	if ts.access != "" && now.Add(expiryBuffer).Before(ts.expires) {
		tok := ts.access
		ts.mu.Unlock()
		return tok, nil
	}
	if ts.failErr != nil && now.Before(ts.failUntil) {
		err := ts.failErr
		ts.mu.Unlock()
		return "", err
	}
	ts.mu.Unlock()
	ch := ts.group.DoChan("token", func() (any, error) {
		// One caller's cancellation must not fail the others sharing this
		// fetch; bound it on its own.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if ts.kind == AppUser {
			return ts.fetchUser(fctx)
		}
		return ts.fetchApp(fctx)
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

// forget drops the cached token and any remembered failure.
func (ts *tokenSource) forget() {
	ts.mu.Lock()
	ts.access, ts.failErr = "", nil
	ts.mu.Unlock()
}

// invalidate drops the cached token if it is still tok (after a 401), so the
// next token call fetches a new one; concurrent 401s cause one fetch.
func (ts *tokenSource) invalidate(tok string) {
	ts.mu.Lock()
	if ts.access == tok {
		ts.access = ""
	}
	ts.mu.Unlock()
}

func (ts *tokenSource) fetchApp(ctx context.Context) (string, error) {
	cfg := ts.cfg
	form := url.Values{}
	form.Set("grant_type", "client_credentials")
	if strings.Contains(cfg.TokenURL, "/v2.0/") {
		form.Set("scope", ts.resource+"/.default")
	} else {
		form.Set("resource", ts.resource)
	}
	tr, exp, err := postToken(ctx, cfg, cfg.TokenURL, form, "")
	if err != nil {
		return "", err
	}
	ts.mu.Lock()
	ts.access, ts.expires = tr.AccessToken, exp
	ts.mu.Unlock()
	cfg.Logger.Debug("pccclient: app-only token acquired", "expires", exp)
	return tr.AccessToken, nil
}

// fetchUser redeems the stored refresh token inside RefreshTokenStore.Rotate,
// so the rolled refresh token is stored before the lock is released.
func (ts *tokenSource) fetchUser(ctx context.Context) (string, error) {
	cfg := ts.cfg
	if cfg.UserTokens == nil {
		return "", &ConsentError{Reason: NotConnected, Err: ErrNoRefreshToken}
	}
	var access string
	err := cfg.UserTokens.Rotate(ctx, func(current string) (string, error) {
		if current == "" {
			return "", ErrNoRefreshToken
		}
		form := url.Values{}
		form.Set("grant_type", "refresh_token")
		form.Set("refresh_token", current)
		if strings.Contains(cfg.TokenURL, "/v2.0/") {
			form.Set("scope", ts.resource+"/user_impersonation offline_access")
		} else {
			form.Set("resource", ts.resource)
		}
		tr, exp, err := postToken(ctx, cfg, cfg.TokenURL, form, current)
		if err != nil {
			return "", err
		}
		claims, ok := parseClaims(tr.AccessToken)
		ts.mu.Lock()
		ts.access, ts.expires, ts.claims, ts.claimsOK, ts.haveTok = tr.AccessToken, exp, claims, ok, true
		ts.failErr = nil
		ts.mu.Unlock()
		access = tr.AccessToken
		cfg.Logger.Debug("pccclient: app+user token acquired", "expires", exp, "rolled", tr.RefreshToken != "" && tr.RefreshToken != current)
		if tr.RefreshToken == current {
			return "", nil
		}
		return tr.RefreshToken, nil
	})
	if err != nil {
		var ce *ConsentError
		var te *TokenError
		switch {
		case errors.Is(err, ErrNoRefreshToken):
			ce = &ConsentError{Reason: NotConnected, Err: err}
		case errors.As(err, &te) && te.OAuthError == "invalid_grant":
			ce = &ConsentError{Reason: Expired, Err: te}
		default:
			return "", err
		}
		ts.mu.Lock()
		ts.failErr, ts.failUntil = ce, cfg.Clock.Now().Add(consentFailureTTL)
		ts.mu.Unlock()
		return "", ce
	}
	return access, nil
}

// postToken posts form (plus the client id and secret) to tokenURL and
// returns the response and the access token's expiry. extraSecret (a refresh
// token or code) is redacted from error descriptions like the client secret.
func postToken(ctx context.Context, cfg *Config, tokenURL string, form url.Values, extraSecret string) (tokenResponse, time.Time, error) {
	form.Set("client_id", cfg.ClientID)
	form.Set("client_secret", cfg.ClientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, time.Time{}, &TokenError{Err: fmt.Errorf("build token request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", cfg.UserAgent)
	start := cfg.Clock.Now()
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		// url.Error includes the URL only (the secrets are in the body).
		return tokenResponse{}, time.Time{}, &TokenError{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tokenResponse{}, time.Time{}, &TokenError{HTTPStatus: resp.StatusCode, Err: fmt.Errorf("read token response: %w", err)}
	}
	tr, perr := parseTokenResponse(body)
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		te := &TokenError{HTTPStatus: resp.StatusCode, OAuthError: tr.Error, Description: redact(tr.Description, cfg, extraSecret)}
		if perr != nil {
			te.Err = perr
			te.Description = redact(truncate(string(bytes.TrimSpace(body)), 300), cfg, extraSecret)
		} else if tr.AccessToken == "" && tr.Error == "" {
			te.Err = errors.New("no access_token in response")
		}
		cfg.Logger.Warn("pccclient: token request failed", "grant", form.Get("grant_type"), "status", resp.StatusCode, "error", tr.Error)
		return tr, time.Time{}, te
	}
	exp := start.Add(time.Duration(tr.ExpiresIn) * time.Second)
	if tr.ExpiresIn == 0 {
		exp = start.Add(time.Hour)
		if tr.ExpiresOn > 0 {
			exp = time.Unix(int64(tr.ExpiresOn), 0)
		}
	}
	return tr, exp, nil
}

// redact removes the client secret and a refresh token or code from s should an
// identity endpoint ever echo them.
func redact(s string, cfg *Config, extra string) string {
	for _, secret := range []string{cfg.ClientSecret, extra} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
