package pccclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is a failed Partner Center call: an HTTP error response (with PC's
// error body decoded) or, when HTTPStatus is 0, a network failure after all
// attempts (Err holds the cause).
type Error struct {
	Operation     string // operation id, e.g. "get-subscription"
	HTTPStatus    int    // 0 for network errors
	Code          string // PC's error code ("20003"), "" if none
	Description   string // PC's description or the 429 message
	Data          []json.RawMessage
	Source        string
	RequestID     string        // MS-RequestId sent
	CorrelationID string        // MS-CorrelationId sent (or echoed)
	RetryAfter    time.Duration // from Retry-After on 429/503
	Attempts      int           // attempts made
	Err           error         // underlying network error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "partner center %s: ", e.Operation)
	if e.HTTPStatus == 0 {
		fmt.Fprintf(&b, "request failed after %d attempt(s): %v", e.Attempts, e.Err)
	} else {
		fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
		if e.Code != "" {
			fmt.Fprintf(&b, " code %s", e.Code)
		}
		if e.Description != "" {
			fmt.Fprintf(&b, ": %s", e.Description)
		}
		if e.Err != nil {
			fmt.Fprintf(&b, " [%v]", e.Err)
		}
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s, correlation %s)", e.RequestID, e.CorrelationID)
	}
	return b.String()
}

// Unwrap returns the network cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports a 404 from PC.
func IsNotFound(err error) bool {
	e, ok := asError(err)
	return ok && e.HTTPStatus == http.StatusNotFound
}

// IsThrottled reports a 429 from PC (after the client's own retries).
func IsThrottled(err error) bool {
	e, ok := asError(err)
	return ok && e.HTTPStatus == http.StatusTooManyRequests
}

// IsConflict reports a 409 from PC (e.g. order in progress, cart being processed).
func IsConflict(err error) bool {
	e, ok := asError(err)
	return ok && e.HTTPStatus == http.StatusConflict
}

// IsValidation reports a request PC refused as invalid (400), or an argument
// the client refused before calling PC.
func IsValidation(err error) bool {
	var ae *ArgumentError
	if errors.As(err, &ae) {
		return true
	}
	e, ok := asError(err)
	return ok && e.HTTPStatus == http.StatusBadRequest
}

// IsForbidden reports a 403 from PC (business refusals such as 13605, MCA missing).
func IsForbidden(err error) bool {
	e, ok := asError(err)
	return ok && e.HTTPStatus == http.StatusForbidden
}

// IsUnavailable reports PC being unavailable: a 5xx or a network failure.
// Such an operation may or may not have been applied (retry a write with the
// same request id).
func IsUnavailable(err error) bool {
	e, ok := asError(err)
	return ok && (e.HTTPStatus == 0 || e.HTTPStatus >= 500)
}

// IsUnauthorized reports a 401 from PC, or a token the identity endpoint refused.
func IsUnauthorized(err error) bool {
	var te *TokenError
	if errors.As(err, &te) {
		return true
	}
	e, ok := asError(err)
	return ok && e.HTTPStatus == http.StatusUnauthorized
}

// HasCode reports whether err is a PC error with the given business code.
func HasCode(err error, code string) bool {
	e, ok := asError(err)
	return ok && e.Code == code
}

// ArgumentError is an argument the client refused before any network call.
type ArgumentError struct {
	Operation string
	Field     string
	Problem   string
}

func (e *ArgumentError) Error() string {
	return fmt.Sprintf("partner center %s: invalid argument %s: %s", e.Operation, e.Field, e.Problem)
}

// TokenError is a failure to obtain an access token. It carries the OAuth
// error and description, never the client secret or the refresh token.
type TokenError struct {
	HTTPStatus  int
	OAuthError  string // e.g. "invalid_client"
	Description string // e.g. "AADSTS7000215: Invalid client secret provided..."
	Err         error  // network or decode cause
}

func (e *TokenError) Error() string {
	if e.OAuthError != "" || e.HTTPStatus != 0 {
		return fmt.Sprintf("partner center token: HTTP %d %s: %s", e.HTTPStatus, e.OAuthError, e.Description)
	}
	return fmt.Sprintf("partner center token: %v", e.Err)
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// decodeError builds an *Error from a non-2xx response body. It accepts PC's
// ApiFault {code, description, data, source} and the 429 body
// {statusCode, message}; anything else is kept as the description (truncated).
func decodeError(body []byte, status int, h http.Header, op string) *Error {
	e := &Error{Operation: op, HTTPStatus: status}
	if h != nil {
		e.RetryAfter = parseRetryAfter(h.Get("Retry-After"))
		e.CorrelationID = h.Get("MS-CorrelationId")
		e.RequestID = h.Get("MS-RequestId")
	}
	var probe map[string]json.RawMessage
	if len(body) > 0 && json.Unmarshal(body, &probe) == nil && probe != nil {
		if _, ok := probe["statusCode"]; ok {
			var t ThrottleBody
			if json.Unmarshal(body, &t) == nil {
				e.Description = t.Message
				return e
			}
		}
		if _, ok := probe["error"]; ok {
			// Microsoft Graph: {"error":{"code","message","innerError"}}.
			var g struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(body, &g) == nil && (g.Error.Code != "" || g.Error.Message != "") {
				e.Code, e.Description = g.Error.Code, g.Error.Message
				if e.RequestID == "" {
					e.RequestID = h.Get("request-id")
				}
				return e
			}
		}
		var f APIFault
		if json.Unmarshal(body, &f) == nil && (f.Code != "" || f.Description != "") {
			e.Code, e.Description, e.Data, e.Source = f.Code, f.Description, f.Data, f.Source
			return e
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 512 {
		s = s[:512] + "..."
	}
	if s == "" {
		s = http.StatusText(status)
	}
	e.Description = s
	return e
}

// parseRetryAfter reads Retry-After as seconds (or an HTTP date, relative to
// the wall clock; PC sends seconds).
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
