// Package handlers is the portal's web layer: the chi router, middleware,
// sessions, and one handler file per area. Handlers return errors; one
// function (serveError) turns them into pages.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cspportal/portal/accounts"
	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/store"
)

// PCDefaults pre-fills the wizard's Partner Center step (the sandbox in dev).
type PCDefaults struct {
	TenantID     string
	ClientID     string
	ClientSecret string
	APIURL       string
	TokenURL     string
	Cloud        string // "global" or "china" (the sandbox's --cloud in dev)
}

// OIDCConfig is an OIDC sign-in provider given by the environment.
type OIDCConfig struct {
	Issuer         string // e.g. https://login.microsoftonline.com/organizations/v2.0
	ClientID       string
	ClientSecret   string
	AllowedTenants []string // Entra tenant ids; empty = any tenant with accounts here
}

// Deps is everything the web layer needs; serve and dev build it from config.
type Deps struct {
	Store         *store.Store
	Logger        *slog.Logger
	SecretBox     *secrets.Box
	BaseURL       string // public URL, e.g. http://127.0.0.1:8080 (OIDC redirect and links)
	SecureCookies bool   // true when BaseURL is https
	Version       string
	Dev           bool       // dev mode (the sandbox is the Partner Center)
	PCDefaults    PCDefaults // prefill for the wizard's Partner Center step (sandbox in dev, PORTAL_PC_* in serve); its secret is used when the secret field is left empty
	Now           func() time.Time
	// OIDC, when its Issuer is set, configures OIDC sign-in from the
	// environment; it then takes precedence over the settings page.
	OIDC OIDCConfig
	// HTTPClient is used for outgoing calls (Partner Center connection test,
	// OIDC discovery and token exchange); nil means a client with a 30s
	// timeout.
	HTTPClient *http.Client
	// PC is the Partner Center connection; nil builds one from the settings
	// row (and a mirror and commerce on it when Commerce is nil too).
	PC *pcconn.Conn
	// Commerce runs every write to Partner Center.
	Commerce *commerce.Service
	// Mail queues and sends mail; Accounts runs the account writes (password
	// resets, new users). nil builds them on Store and SecretBox.
	Mail      *mail.Service
	Accounts  *accounts.Service
	Attention *attention.Service
	// MailInbox is the dev mail catcher's inbox URL, shown on the settings
	// page ("" outside dev).
	MailInbox string
	// Billing imports invoices and writes their exports; nil builds one on
	// PC (without its jobs running).
	Billing *billing.Service
	// Prices imports price sheets and runs the markup rules; nil builds
	// one on PC (without its jobs running).
	Prices *prices.Service
	// Registry receives the web layer's metrics; nil makes one of its own.
	Registry *prometheus.Registry
	// TrustedProxies are the reverse proxies (PORTAL_TRUSTED_PROXIES) whose
	// X-Forwarded-For / Forwarded headers name the client; from any other
	// peer those headers are ignored.
	TrustedProxies []netip.Prefix
	// SessionCache, when running, answers signed-in requests' session
	// lookups from memory; nil reads every session from the database.
	SessionCache *store.SessionCache
}

// Server holds the web layer's dependencies; handlers are its methods.
type Server struct {
	d        Deps
	st       *store.Store
	log      *slog.Logger
	now      func() time.Time
	sessions *scs.SessionManager
	throttle *auth.Throttle
	metrics  *metrics
	client   *http.Client
	pc       *pcconn.Conn
	com      *commerce.Service
	mail     *mail.Service
	acc      *accounts.Service
	att      *attention.Service
	// addrRules caches PC's address rules per country (onboarding).
	addrRules addressRulesCache
	bil       *billing.Service
	pri       *prices.Service
	counts    countsCache
	// live limits and caches PC calls made while someone types.
	live liveChecks

	// adminExists caches "an admin exists" once true, so the setup gate
	// costs no query per request after the first admin is created.
	adminExists atomic.Bool

	oidcMu    sync.Mutex
	oidcKey   string
	oidcCache *auth.OIDC
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
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if err := defaultWriteSide(&d); err != nil {
		return nil, err
	}
	s := &Server{
		d:        d,
		st:       d.Store,
		log:      d.Logger,
		now:      d.Now,
		sessions: auth.NewSessionManager(d.Store.Pool, d.SecureCookies, d.SessionCache),
		throttle: auth.NewThrottle(d.Store, d.Now),
		metrics:  newMetrics(d.Registry),
		client:   d.HTTPClient,
		pc:       d.PC,
		com:      d.Commerce,
		mail:     d.Mail,
		acc:      d.Accounts,
		att:      d.Attention,
		bil:      d.Billing,
		pri:      d.Prices,
	}
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.serveError(w, r, err)
	}
	return s, nil
}

// defaultWriteSide builds the Partner Center connection, the mailer and
// the write side the binary did not give (tests that need no background
// jobs).
func defaultWriteSide(d *Deps) error {
	var err error
	if d.PC == nil {
		if d.PC, err = pcconn.New(pcconn.Deps{Config: pcconn.FromSettings(d.Store, d.SecretBox), Logger: d.Logger}); err != nil {
			return err
		}
	}
	if d.Mail == nil {
		if d.Mail, err = mail.New(mail.Deps{Store: d.Store, Box: d.SecretBox, Logger: d.Logger}); err != nil {
			return err
		}
	}
	if d.Commerce == nil {
		m, err := mirror.New(mirror.Deps{Store: d.Store, PC: d.PC, Logger: d.Logger})
		if err != nil {
			return err
		}
		if d.Commerce, err = commerce.New(commerce.Deps{Store: d.Store, PC: d.PC, Mirror: m, Logger: d.Logger, Now: d.Now, Mail: d.Mail}); err != nil {
			return err
		}
	}
	if d.Accounts == nil {
		if d.Accounts, err = accounts.New(accounts.Deps{Store: d.Store, Mail: d.Mail, BaseURL: d.BaseURL, Logger: d.Logger, Now: d.Now}); err != nil {
			return err
		}
	}
	if d.Attention == nil {
		if d.Attention, err = attention.New(attention.Deps{Store: d.Store, Mail: d.Mail, BaseURL: d.BaseURL, Logger: d.Logger, Now: d.Now}); err != nil {
			return err
		}
	}
	if d.Billing == nil {
		if d.Billing, err = billing.New(billing.Deps{Store: d.Store, PC: d.PC, Logger: d.Logger}); err != nil {
			return err
		}
	}
	if d.Prices == nil {
		if d.Prices, err = prices.New(prices.Deps{Store: d.Store, PC: d.PC, Logger: d.Logger, Now: d.Now}); err != nil {
			return err
		}
	}
	return nil
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

// Registry is the server's Prometheus registry (for adding collectors such
// as job-queue metrics next to the HTTP ones).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }
