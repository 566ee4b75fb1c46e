package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// maxBodyBytes limits request bodies; the portal's forms are small.
const maxBodyBytes = 1 << 20

// contentSecurityPolicy allows nothing inline: no inline script or style,
// no framing, forms post only to the portal.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

type ctxKey int

const (
	requestIDKey ctxKey = iota
	sessionLoadedKey
)

// requestID returns the request's id ("" outside a request).
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withRequestID gives each request a random id, in the context and in the
// X-Request-Id response header.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// statusWriter records the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// WriteHeader passes on the first status only: an error page attempted
// after the response started (say the client went away mid-write) cannot
// change what was sent.
func (w *statusWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.status, w.wrote = code, true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs each request (path only: query strings may carry the
// setup token) and records its latency by route pattern.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if !sw.wrote && r.Context().Err() == context.Canceled {
			sw.status = 499 // the client hung up before an answer
		}
		d := time.Since(start)
		if s.now().Before(start) || d < 0 {
			d = 0
		}
		s.metrics.observe(r, sw.status, d)
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			return
		}
		s.log.InfoContext(r.Context(), "http", "request_id", requestID(r.Context()), "method", r.Method,
			"route", logRoute(r), "status", sw.status, "duration_ms", d.Milliseconds())
	})
}

// logRoute is r's route pattern as the logs show it, never the path:
// paths can carry secrets (invitations, password resets, the setup link,
// a calendar feed's token).
func logRoute(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return rc.RoutePattern()
	}
	return "unmatched"
}

// secretPathPrefixes are the paths whose next segment is a bearer token.
var secretPathPrefixes = []string{"/invitations/", "/password/reset/", "/calendar/", "/customers/onboarding/"}

// redactPath is a path fit for the log before routing has named its
// pattern: the token after a secret prefix becomes "{token}".
func redactPath(p string) string {
	for _, pre := range secretPathPrefixes {
		if rest, ok := strings.CutPrefix(p, pre); ok {
			tail := ""
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				tail = rest[i:]
			}
			return pre + "{token}" + tail
		}
	}
	return p
}

// recoverer turns a panic into the 500 page with the request id.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the CSP and friends on every response.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.d.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies at maxBodyBytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses cross-origin unsafe requests (Sec-Fetch-Site or a
// mismatched Origin) with the 403 page.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	if u, err := url.Parse(s.d.BaseURL); err == nil && u.Host != "" {
		_ = p.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.WarnContext(r.Context(), "cross-origin request refused", "request_id", requestID(r.Context()),
			"method", r.Method, "path", redactPath(r.URL.Path), "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		s.forbidden(w, r)
	}))
	return p.Handler(next)
}

// timeout gives non-streaming requests a deadline.
func timeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// exceptInfra applies mw to every request except static files and the
// health and metrics endpoints, which need no session or database, and the
// reseller API, which authenticates by bearer token and must never accept
// a session cookie.
func exceptInfra(mw func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		wrapped := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isInfra(r.URL.Path) || isAPI(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			wrapped.ServeHTTP(w, r)
		})
	}
}

func isInfra(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/favicon.ico"
}
