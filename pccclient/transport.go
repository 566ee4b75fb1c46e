package pccclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// maxBody bounds a response body the client reads.
const maxBody = 64 << 20

// call describes one logical API call (possibly several attempts).
type call struct {
	op     string  // operation id (matches the sandbox's), used in errors and logs
	class  OpClass // rate-limit class
	method string
	// path is relative to /v1 ("/customers/x") or a PC link uri (which may
	// carry its own query and may or may not start with /v1).
	path      string
	query     url.Values
	body      any    // marshalled once; the same bytes are sent on every attempt
	requestID string // writes: the caller's MS-RequestId; "" = fresh uuid
	header    http.Header
	ok        []int // accepted statuses; default any 2xx
	out       any   // decode target for the response body
	// cred overrides RequiredCredential(op) when credSet (Probe).
	cred    Credential
	credSet bool
	// pricing: the call goes to the pricing host (Config.PricingBaseURL,
	// path taken as is) with tokens for Config.PricingResource.
	pricing bool
	// stream: a 2xx body is not read but returned open in result.body,
	// and Config.PriceSheetTimeout replaces the HTTP client's timeout.
	stream bool
	// graph: the call goes to Microsoft Graph (Config.GraphBaseURL, path
	// taken as is, or an absolute URL on that host) with tokens for
	// Config.GraphResource.
	graph bool
}

// result is what a successful call returns besides the decoded body.
type result struct {
	status int
	body   io.ReadCloser // stream calls: the open body (the caller closes it)
	header http.Header   // the response headers
}

func (c *Client) endpoint(cl *call) (string, error) {
	p, base := cl.path, c.cfg.BaseURL
	if cl.graph && strings.Contains(p, "://") {
		// A URL Graph handed out (an operation's Location, a manifest's
		// link): the token goes to Graph's own host only.
		u, err := url.Parse(p)
		g, _ := url.Parse(c.cfg.GraphBaseURL)
		if err != nil || g == nil || !strings.EqualFold(u.Scheme, g.Scheme) || !strings.EqualFold(u.Host, g.Host) {
			return "", fmt.Errorf("pccclient %s: %q is not on Microsoft Graph (%s)", cl.op, p, c.cfg.GraphBaseURL)
		}
		p, base = u.RequestURI(), g.Scheme+"://"+g.Host
	} else if cl.graph {
		base = c.cfg.GraphBaseURL
	} else if cl.pricing {
		base = c.cfg.PricingBaseURL
	} else if !strings.HasPrefix(p, "/v1/") && p != "/v1" {
		p = "/v1" + p
	}
	u, err := url.Parse(base + p)
	if err != nil {
		return "", fmt.Errorf("pccclient %s: bad path %q: %w", cl.op, cl.path, err)
	}
	if len(cl.query) > 0 {
		q := u.Query()
		for k, vs := range cl.query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// do runs cl with retries: 401 -> one token refresh and retry; 429 -> wait
// Retry-After on the client's clock; 5xx and network errors -> exponential
// back-off with jitter; at most MaxAttempts attempts; ctx always wins.
func (c *Client) do(ctx context.Context, cl *call) (result, error) {
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	target, err := c.endpoint(cl)
	if err != nil {
		return result{}, err
	}
	var payload []byte
	if cl.body != nil {
		if payload, err = json.Marshal(cl.body); err != nil {
			return result{}, fmt.Errorf("pccclient %s: encode body: %w", cl.op, err)
		}
	}
	reqID := cl.requestID
	if reqID == "" {
		reqID = uuid.NewString()
	}
	corrID, _ := ctx.Value(correlationKey{}).(string)
	if corrID == "" {
		corrID = uuid.NewString()
	}
	log := func(level slog.Level, msg string, args ...any) {
		if c.cfg.Logger.Enabled(ctx, level) {
			c.cfg.Logger.Log(ctx, level, msg, append([]any{"op", cl.op, "request_id", reqID, "correlation_id", corrID}, args...)...)
		}
	}
	refreshed := false
	maxAttempts := c.maxAttempts(ctx)
	var last *Error
	// Credential: app-only unless PC requires app+user for this operation.
	// Without a connected partner admin an app+user operation is still tried
	// app-only (PC decides; its refusal becomes a *ConsentError).
	cred := opCredential(cl.op)
	if cl.credSet {
		cred = cl.cred
	}
	appSrc, userSrc := c.tokens, c.user
	if cl.pricing {
		appSrc, userSrc = c.priceApp, c.priceUser
	}
	if cl.graph {
		appSrc, userSrc = c.graphApp, c.graphUser
	}
	src := appSrc
	if cred == AppUser {
		src = userSrc
	}
	hc := c.cfg.HTTPClient
	if cl.stream {
		cp := *hc
		cp.Timeout = c.cfg.PriceSheetTimeout
		hc = &cp
	}
	fellBack := false
	bucket := c.budgets.bucketFor(cl, c.cfg.Clock.Now())
	for attempt := 1; ; attempt++ {
		if err := c.waitBucket(ctx, cl, bucket); err != nil {
			return result{}, c.ctxError(cl, last, err, reqID, corrID, attempt-1)
		}
		tok, err := src.token(ctx)
		var ce *ConsentError
		if err != nil && errors.As(err, &ce) {
			if ce.Reason == NotConnected && !cl.credSet {
				src, fellBack = appSrc, true
				tok, err = src.token(ctx)
			} else {
				e := *ce
				e.Op = cl.op
				return result{}, &e
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return result{}, c.ctxError(cl, last, ctx.Err(), reqID, corrID, attempt-1)
			}
			var te *TokenError
			if errors.As(err, &te) && (te.HTTPStatus == 0 || te.HTTPStatus >= 500) && attempt < maxAttempts {
				if werr := c.sleep(ctx, c.backoff(attempt)); werr != nil {
					return result{}, c.ctxError(cl, last, werr, reqID, corrID, attempt)
				}
				continue
			}
			return result{}, fmt.Errorf("partner center %s: %w", cl.op, err)
		}
		var rd io.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, cl.method, target, rd)
		if err != nil {
			return result{}, fmt.Errorf("pccclient %s: build request: %w", cl.op, err)
		}
		h := req.Header
		h.Set("Authorization", "Bearer "+tok)
		h.Set("Accept", "application/json")
		h.Set("MS-RequestId", reqID)
		h.Set("MS-CorrelationId", corrID)
		h.Set("MS-Contract-Version", "v1")
		h.Set("User-Agent", c.cfg.UserAgent)
		h.Set("X-Locale", c.locale(ctx))
		if cl.graph {
			h.Set("client-request-id", reqID)
		}
		if payload != nil {
			h.Set("Content-Type", "application/json")
		} else if cl.method == http.MethodPost {
			req.ContentLength = 0
		}
		for k, vs := range cl.header {
			h[k] = vs
		}
		start := time.Now()
		resp, err := hc.Do(req)
		if err == nil && cl.stream && accepted(resp.StatusCode, cl.ok) {
			log(slog.LevelDebug, "pccclient: streaming response", "method", cl.method, "status", resp.StatusCode, "attempt", attempt, "took", time.Since(start))
			return result{status: resp.StatusCode, body: resp.Body, header: resp.Header}, nil
		}
		var body []byte
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
			resp.Body.Close()
		}
		if err != nil {
			if ctx.Err() != nil {
				return result{}, c.ctxError(cl, last, ctx.Err(), reqID, corrID, attempt)
			}
			last = &Error{Operation: cl.op, RequestID: reqID, CorrelationID: corrID, Attempts: attempt, Err: err}
			if attempt >= maxAttempts {
				return result{}, last
			}
			d := c.backoff(attempt)
			log(slog.LevelWarn, "pccclient: network error, retrying", "attempt", attempt, "err", err, "wait", d)
			if werr := c.sleep(ctx, d); werr != nil {
				return result{}, c.ctxError(cl, last, werr, reqID, corrID, attempt)
			}
			continue
		}
		log(slog.LevelDebug, "pccclient: response", "method", cl.method, "status", resp.StatusCode, "attempt", attempt, "took", time.Since(start))
		if bucket != nil && resp.StatusCode < 300 {
			bucket.succeeded(c.cfg.Clock.Now())
		}
		if accepted(resp.StatusCode, cl.ok) {
			if cl.out != nil && len(bytes.TrimSpace(body)) > 0 {
				if err := json.Unmarshal(body, cl.out); err != nil {
					return result{}, fmt.Errorf("partner center %s: decode response (request %s): %w", cl.op, reqID, err)
				}
			}
			return result{status: resp.StatusCode, header: resp.Header}, nil
		}
		e := decodeError(body, resp.StatusCode, resp.Header, cl.op)
		e.RequestID, e.Attempts = reqID, attempt
		if e.CorrelationID == "" {
			e.CorrelationID = corrID
		}
		last = e
		var wait time.Duration
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			// One token refresh and one retry; it does not count as an attempt.
			refreshed = true
			src.invalidate(tok)
			attempt--
			log(slog.LevelInfo, "pccclient: 401, refreshing token and retrying")
			continue
		case resp.StatusCode == http.StatusTooManyRequests:
			wait = e.RetryAfter
			if wait <= 0 {
				wait = c.backoff(attempt)
			}
			if bucket != nil {
				// The whole scope waits, and slows down; other scopes go on.
				bucket.throttled(c.cfg.Clock.Now(), wait)
			}
			if wait > c.cfg.MaxRetryAfter {
				return result{}, e
			}
		case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
			wait = max(e.RetryAfter, c.backoff(attempt))
		default:
			return result{}, c.consentError(cl, e, src, src == userSrc, fellBack)
		}
		if attempt >= maxAttempts {
			return result{}, e
		}
		log(slog.LevelWarn, "pccclient: retrying", "status", resp.StatusCode, "code", e.Code, "attempt", attempt, "wait", wait)
		if werr := c.sleep(ctx, wait); werr != nil {
			return result{}, c.ctxError(cl, last, werr, reqID, corrID, attempt)
		}
	}
}

// consentError turns PC's refusal of the credential into a *ConsentError:
// an app+user token refused with 401 (MFARequired when the token's amr claim
// lacks "mfa" or PC says so, Forbidden otherwise), and an app-only token
// refused with 401 on an operation that needs app+user while no partner
// admin is connected (NotConnected). Other errors (including 403 business
// refusals such as 20002 or 2032) are returned unchanged.
func (c *Client) consentError(cl *call, e *Error, src *tokenSource, usedUser, fellBack bool) error {
	if e.HTTPStatus != http.StatusUnauthorized {
		return e
	}
	switch {
	case usedUser:
		src.mu.Lock()
		noMFA := src.claimsOK && !src.claims.mfa()
		src.mu.Unlock()
		if noMFA || strings.Contains(strings.ToLower(e.Description), "multi-factor") {
			return &ConsentError{Op: cl.op, Reason: MFARequired, Err: e}
		}
		return &ConsentError{Op: cl.op, Reason: Forbidden, Err: e}
	case fellBack:
		return &ConsentError{Op: cl.op, Reason: NotConnected, Err: e}
	}
	return e
}

func accepted(status int, ok []int) bool {
	if len(ok) == 0 {
		return status >= 200 && status < 300
	}
	for _, s := range ok {
		if s == status {
			return true
		}
	}
	return false
}

// ctxError reports a call ended by its context: the last PC error (if any)
// with the context error as its cause, so both errors.Is(err,
// context.DeadlineExceeded) and IsThrottled/IsUnavailable work.
func (c *Client) ctxError(cl *call, last *Error, cause error, reqID, corrID string, attempts int) error {
	if last == nil {
		return fmt.Errorf("partner center %s (request %s): %w", cl.op, reqID, cause)
	}
	e := *last
	e.Attempts = attempts
	if e.Err == nil {
		e.Err = cause
	} else {
		e.Err = errors.Join(e.Err, cause)
	}
	return &e
}

// backoff returns the wait before retry number attempt (1-based):
// BaseBackoff * 2^(attempt-1), capped at MaxBackoff, with jitter in [d/2, d].
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BaseBackoff << min(attempt-1, 20)
	if d > c.cfg.MaxBackoff || d <= 0 {
		d = c.cfg.MaxBackoff
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// sleep waits d on the client's clock. If ctx has a deadline that would pass
// first, it returns context.DeadlineExceeded at once instead of waiting.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return context.DeadlineExceeded
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.cfg.Clock.After(d):
		return nil
	}
}
