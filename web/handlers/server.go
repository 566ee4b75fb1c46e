// Package handlers is the portal's web layer: the chi router, middleware,
// sessions, and one handler file per area. Handlers return errors; one
// function (serveError) turns them into pages.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/store"
)

// PCDefaults pre-fills the wizard's Partner Center step (the sandbox in dev).
type PCDefaults struct {
	TenantID     string
	ClientID     string
	ClientSecret string
	APIURL       string
	TokenURL     string
}

// Deps is everything the web layer needs; serve and dev build it from config.
type Deps struct {
	Store         *store.Store
	Logger        *slog.Logger
	SecretBox     *secrets.Box
	BaseURL       string // public URL, e.g. http://127.0.0.1:8080 (OIDC redirect and links)
	SecureCookies bool   // true when BaseURL is https
	Version       string
	Dev           bool       // dev mode: the wizard pre-fills PCDefaults
	PCDefaults    PCDefaults // prefill for the wizard's Partner Center step
	Now           func() time.Time
}

// Server holds the web layer's dependencies; handlers are its methods.
type Server struct {
	d   Deps
	log *slog.Logger
	now func() time.Time
}

// New validates d and returns a Server.
func New(d Deps) (*Server, error) {
	var errs []error
	if d.Store == nil {
		errs = append(errs, errors.New("handlers: Deps.Store is required"))
	}
	if d.SecretBox == nil {
		errs = append(errs, errors.New("handlers: Deps.SecretBox is required"))
	}
	if d.BaseURL == "" {
		errs = append(errs, errors.New("handlers: Deps.BaseURL is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Server{d: d, log: d.Logger, now: d.Now}, nil
}

// Routes returns the whole router, including /healthz, /readyz, /metrics and
// /static.
func (s *Server) Routes() http.Handler {
	return s.routes()
}

// PrepareSetup creates (or rotates) the one-time setup token while no admin
// exists, stores only its hash, and returns BaseURL+"/setup?token=..." for
// the binary to print. It returns "" once setup is done.
func (s *Server) PrepareSetup(ctx context.Context) (string, error) {
	return s.prepareSetup(ctx)
}
