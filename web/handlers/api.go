package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// The reseller API (/api/v1): JSON for a reseller's own tools, with a
// bearer token of one of its users. It never reads a session cookie (the
// session middleware skips it, see exceptInfra), so a signed-in browser
// cannot be made to call it; every query is scoped to the token's
// reseller in SQL, and writes go through the pages' use cases.

// apiPrefix is where the API lives.
const apiPrefix = "/api/v1"

// idempotencyStale is when a claimed Idempotency-Key whose request never
// answered (the process died) may be taken over by a retry.
const idempotencyStale = 2 * time.Minute

// apiError is an API answer other than success: {code, message, fields}.
type apiError struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

var (
	errAPINoToken    = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "Send an API token: Authorization: Bearer cspp_…"}
	errAPIBadToken   = &apiError{Status: http.StatusUnauthorized, Code: "invalid_token", Message: "The API token is unknown or revoked."}
	errAPIReadScope  = &apiError{Status: http.StatusForbidden, Code: "insufficient_scope", Message: "This token may only read; make a read and write token to change things."}
	errAPINotFound   = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "There is nothing at this address for your reseller."}
	errAPIKeyInUse   = &apiError{Status: http.StatusConflict, Code: "idempotency_key_in_use", Message: "A request with this Idempotency-Key is still running; retry in a moment."}
	errAPIKeyReused  = &apiError{Status: http.StatusUnprocessableEntity, Code: "idempotency_key_reused", Message: "This Idempotency-Key was used for another request; use a new key for a new request."}
	errAPIBadJSON    = &apiError{Status: http.StatusBadRequest, Code: "invalid_json", Message: "The body is not the JSON this endpoint takes."}
	errAPIConflict   = &apiError{Status: http.StatusConflict, Code: "conflict", Message: "The subscription changed meanwhile or a change is still on its way to Partner Center; read it again and retry."}
	errAPIMethod     = &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "This address does not take that method."}
	errAPIValidation = "Some fields are not valid: see fields."
)

// apiFunc is an API handler: it writes a success itself and returns errors.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts f, answering its error as JSON.
func (s *Server) api(f apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			s.apiServeError(w, r, err)
		}
	}
}

// apiServeError maps err to its status and {code, message, fields}; 5xx
// are logged and answered with the request id, never the internals.
func (s *Server) apiServeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var por *rules.PartnerOnRecordError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &por):
		ae = &apiError{Status: http.StatusConflict, Code: "partner_on_record", Message: por.Msg}
	case errors.Is(err, store.ErrNotFound):
		ae = errAPINotFound
	case errors.Is(err, commerce.ErrChangeConflict), errors.Is(err, store.ErrConflict):
		ae = errAPIConflict
	case isTooLarge(err):
		ae = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "The body is over 1 MiB."}
	case store.IsUnavailable(err):
		w.Header().Set("Retry-After", "5")
		ae = &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "The portal cannot reach its database; retry in a few seconds."}
	default:
		id := requestID(r.Context())
		s.log.ErrorContext(r.Context(), "API request failed", "request_id", id, "method", r.Method, "route", logRoute(r), "err", err)
		ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "The portal could not complete this request (request id " + id + ")."}
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cspportal"`)
	}
	writeJSON(w, ae.Status, ae)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","message":"The answer could not be encoded."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeJSON reads r's body into v, refusing unknown fields and trailing
// data.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if isTooLarge(err) {
			return err
		}
		return &apiError{Status: errAPIBadJSON.Status, Code: errAPIBadJSON.Code, Message: errAPIBadJSON.Message + " (" + err.Error() + ")"}
	}
	if dec.More() {
		return errAPIBadJSON
	}
	return nil
}

type apiPrincipalKey struct{}

// apiPrincipalOf is the request's token and reseller user (apiAuth set it).
func apiPrincipalOf(ctx context.Context) (store.APIPrincipal, bool) {
	p, ok := ctx.Value(apiPrincipalKey{}).(store.APIPrincipal)
	return p, ok
}

// apiActor is who the audit trail names for an API write: the reseller
// user, through the token by name.
func apiActor(p store.APIPrincipal) store.Actor {
	uid := p.UserID
	return store.Actor{UserID: &uid, Label: p.Email + " via API token " + p.Name}
}

// bearerToken is the request's bearer token ("" when none).
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// apiAuth admits requests with a live token of a reseller user.
func (s *Server) apiAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := bearerToken(r)
		if tok == "" {
			s.apiServeError(w, r, errAPINoToken)
			return
		}
		if !strings.HasPrefix(tok, commerce.APITokenPrefix) {
			s.apiServeError(w, r, errAPIBadToken)
			return
		}
		p, err := s.st.APIPrincipalByTokenHash(r.Context(), commerce.APITokenHash(tok), s.now())
		if errors.Is(err, store.ErrNotFound) {
			err = errAPIBadToken
		}
		if err != nil {
			s.apiServeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), apiPrincipalKey{}, p)))
	})
}

// apiWrite admits only tokens with the read_write scope.
func (s *Server) apiWrite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := apiPrincipalOf(r.Context()); !ok || !rules.ScopeAllows(p.Scope, true) {
			s.apiServeError(w, r, errAPIReadScope)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// apiCrossOrigin applies the pages' cross-origin checks to API requests
// without a bearer token: a tool presenting one is not a browser form
// riding on a cookie, and a browser cannot attach one cross-site.
func (s *Server) apiCrossOrigin(protect func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		protected := protect(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isAPI(r.URL.Path) && bearerToken(r) != "" {
				next.ServeHTTP(w, r)
				return
			}
			protected.ServeHTTP(w, r)
		})
	}
}

func isAPI(path string) bool { return path == apiPrefix || strings.HasPrefix(path, apiPrefix+"/") }

type idempotencyKey struct{}

// apiKeyOf is the write's Idempotency-Key ("" when none was sent).
func apiKeyOf(ctx context.Context) string {
	k, _ := ctx.Value(idempotencyKey{}).(string)
	return k
}

// bufferedResponse holds an answer until it is stored with its key.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// apiIdempotent makes a write with an Idempotency-Key happen once: the
// first request claims the key with the hash of its body and stores its
// answer; a replay gets that answer again (Idempotent-Replayed: true), the
// same key with another request 422, and one while the first is still
// running 409. A server error or a conflict frees the key so a retry runs
// again (the write itself is keyed too, so it is never made twice).
func (s *Server) apiIdempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 || !utf8.ValidString(key) || strings.ContainsAny(key, "\x00") {
			s.apiServeError(w, r, &apiError{Status: http.StatusUnprocessableEntity, Code: "validation", Message: errAPIValidation,
				Fields: map[string]string{"Idempotency-Key": "Use at most 255 characters of text (a UUID is a good key)."}})
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s.apiServeError(w, r, err)
			return
		}
		p, _ := apiPrincipalOf(r.Context())
		sum := sha256.Sum256(body)
		ctx := r.Context()
		claimed, prior, err := s.st.ClaimIdempotencyKey(ctx, p.ID, key, r.Method, r.URL.Path, sum[:], idempotencyStale)
		if err != nil {
			s.apiServeError(w, r, err)
			return
		}
		if !claimed {
			switch {
			case prior.Method != r.Method || prior.Path != r.URL.Path || !bytes.Equal(prior.RequestHash, sum[:]):
				s.apiServeError(w, r, errAPIKeyReused)
			case prior.StatusCode == nil:
				s.apiServeError(w, r, errAPIKeyInUse)
			default:
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(int(*prior.StatusCode))
				_, _ = w.Write(prior.Response)
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		buf := &bufferedResponse{header: http.Header{}}
		// The write and its stored answer outlive a client that hangs up,
		// so the key never points at a half-done request.
		wctx := context.WithValue(context.WithoutCancel(ctx), idempotencyKey{}, key)
		next.ServeHTTP(buf, r.WithContext(wctx))
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		// A conflict (the subscription moved, a change still on its way) is
		// worth retrying with the same key, so it is not kept either.
		if buf.status >= 500 || buf.status == http.StatusConflict {
			if err := s.st.ReleaseIdempotencyKey(wctx, p.ID, key); err != nil {
				s.log.WarnContext(ctx, "idempotency key not released", "request_id", requestID(ctx), "err", err)
			}
		} else if err := s.st.CompleteIdempotencyKey(wctx, p.ID, key, buf.status, buf.body.Bytes()); err != nil {
			s.apiServeError(w, r, err)
			return
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// apiRoutes registers the API under r (mounted at apiPrefix).
func (s *Server) apiRoutes(r chi.Router) {
	r.NotFound(s.api(func(http.ResponseWriter, *http.Request) error { return errAPINotFound }))
	r.MethodNotAllowed(s.api(func(http.ResponseWriter, *http.Request) error { return errAPIMethod }))
	r.Get("/openapi.json", s.apiOpenAPI)
	r.Group(func(r chi.Router) {
		r.Use(s.apiAuth)
		r.Get("/customers", s.api(s.apiCustomerList))
		r.Get("/customers/{id}", s.api(s.apiCustomerShow))
		r.Get("/customers/{id}/subscriptions", s.api(s.apiSubscriptionList))
		r.Get("/subscriptions/{id}", s.api(s.apiSubscriptionShow))
		r.Group(func(r chi.Router) {
			r.Use(s.apiWrite, s.apiIdempotent)
			r.Patch("/subscriptions/{id}", s.api(s.apiSubscriptionChange))
			r.Post("/customers/{id}/orders", s.api(s.apiOrderCreate))
		})
	})
}
