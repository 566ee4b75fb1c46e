package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// errForbidden means the signed-in user may not do this.
var errForbidden = errors.New("forbidden")

// httpError is an error with the status and the message to show.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// h adapts a handlerFunc, sending any error to serveError.
func (s *Server) h(f handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			s.serveError(w, r, err)
		}
	}
}

// serveError is the one place errors become pages: store.ErrNotFound 404,
// errForbidden 403, store.ErrConflict 409, httpError its status, anything
// else 500 with the request id (logged at Error; details never shown).
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if pccclient.IsConsentRequired(err) {
		s.serveConsentError(w, r, err)
		return
	}
	if r.Context().Err() == context.Canceled && errors.Is(err, context.Canceled) {
		// The client hung up: nobody reads a page, and it is not the
		// portal's failure. 499 is nginx's word for it, in the log only.
		s.log.InfoContext(r.Context(), "client went away", "request_id", requestID(r.Context()), "method", r.Method,
			"route", logRoute(r), "status", 499)
		return
	}
	if store.IsUnavailable(err) {
		s.log.WarnContext(r.Context(), "database unreachable", "request_id", requestID(r.Context()), "method", r.Method,
			"route", logRoute(r), "err", err)
		w.Header().Set("Retry-After", "5")
		s.renderError(w, r, http.StatusServiceUnavailable, i18n.T(r.Context(), "h2.err.db_title"),
			"The portal cannot reach its database; retrying. Try again in a few seconds.", requestID(r.Context()))
		return
	}
	var he *httpError
	var por *rules.PartnerOnRecordError
	ctx := r.Context()
	status, title, msg := http.StatusInternalServerError, i18n.T(ctx, "h2.err.internal_title"),
		"The portal could not complete this request. If it keeps happening, give your administrator the request id below."
	switch {
	case errors.As(err, &he):
		status, title, msg = he.status, statusTitle(ctx, he.status), he.msg
	case errors.As(err, &por):
		// An indirect reseller's order that cannot name it (issue 19).
		status, title, msg = http.StatusConflict, i18n.T(ctx, "h2.err.order_title"), por.Msg
	case isTooLarge(err):
		status, title, msg = errTooLarge.status, statusTitle(ctx, errTooLarge.status), errTooLarge.msg
	case errors.Is(err, store.ErrNotFound):
		status, title, msg = http.StatusNotFound, i18n.T(ctx, "h2.err.not_found_title"), "There is nothing at this address."
	case errors.Is(err, errForbidden):
		status, title, msg = http.StatusForbidden, i18n.T(ctx, "h2.err.forbidden_title"), "Your account is not allowed to open this page."
	case errors.Is(err, store.ErrConflict):
		status, title, msg = http.StatusConflict, i18n.T(ctx, "h2.err.conflict_title"), "Someone changed this at the same time. Reload the page and try again."
	}
	reqID := ""
	if status >= 500 {
		reqID = requestID(r.Context())
		s.log.ErrorContext(r.Context(), "request failed", "request_id", reqID, "method", r.Method,
			"route", logRoute(r), "status", status, "err", err)
	}
	s.renderError(w, r, status, title, msg, reqID)
}

// statusTitle is an HTTP status's name in ctx's language (Go's English
// name for a status the catalogs do not know).
func statusTitle(ctx context.Context, status int) string {
	if k, ok := statusTitleKeys[status]; ok {
		return i18n.T(ctx, k)
	}
	return http.StatusText(status)
}

var statusTitleKeys = map[int]string{
	http.StatusBadRequest:            "h2.err.s400",
	http.StatusForbidden:             "h2.err.s403",
	http.StatusNotFound:              "h2.err.s404",
	http.StatusMethodNotAllowed:      "h2.err.s405",
	http.StatusConflict:              "h2.err.s409",
	http.StatusGone:                  "h2.err.s410",
	http.StatusRequestEntityTooLarge: "h2.err.s413",
	http.StatusUnprocessableEntity:   "h2.err.s422",
	http.StatusTooManyRequests:       "h2.err.s429",
	http.StatusInternalServerError:   "h2.err.s500",
	http.StatusBadGateway:            "h2.err.s502",
	http.StatusServiceUnavailable:    "h2.err.s503",
	http.StatusGatewayTimeout:        "h2.err.s504",
}

// renderError writes an error page (or, for htmx, the bare message); a
// fixed English message is put in the reader's language here.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, title, msg, reqID string) {
	msg = i18n.Text(r.Context(), msg)
	p := s.basePage(r, title, "")
	if err := s.render(w, r, status, templates.ErrorPage(p, status, title, msg, reqID)); err != nil {
		s.log.ErrorContext(r.Context(), "render error page", "request_id", requestID(r.Context()), "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// notFound is the router's 404 handler.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.serveError(w, r, store.ErrNotFound)
}

// methodNotAllowed is the router's 405 handler.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.serveError(w, r, &httpError{status: http.StatusMethodNotAllowed, msg: "This address does not accept that kind of request."})
}

// forbidden is the 403 page, for RequireRole and cross-origin refusals.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.serveError(w, r, errForbidden)
}

// isTooLarge reports a body over the limit, however a handler read it.
func isTooLarge(err error) bool {
	_, ok := errors.AsType[*http.MaxBytesError](err)
	return ok
}
